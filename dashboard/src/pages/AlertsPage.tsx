// Alerts for staff: open and resolved alerts, the rules that raise them, and the webhooks
// they are sent to (secret shown once, enable/disable, delivery log).
import { useId, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import {
  ALERT_KINDS,
  type AdminLotPage,
  type AlertKind,
  type AlertPage,
  type DeliveryPage,
  type RulePage,
  type RuleView,
  type WebhookCreated,
  type WebhookPage,
  type WebhookView,
} from "../api/types";
import { useAuth, useUser } from "../auth/AuthContext";
import { checkRule, describeParams, KIND_LABEL, KIND_PARAMS, type RuleInput } from "../components/alertRules";
import { FieldError, fieldProps, problemFields, type FieldErrors } from "../components/fieldErrors";
import { dateTime } from "../components/format";
import { Paged } from "../components/Paged";
import { useApi } from "../hooks/useApi";

type Lots = AdminLotPage["items"];

export function AlertsPage() {
  const lots = useApi<AdminLotPage>("/admin/lots");
  const items = lots.data?.items ?? [];
  return (
    <>
      <h1>Alerts</h1>
      <AlertList lots={items} />
      <Rules lots={items} />
      <Webhooks />
      {/* Operator codes for admins' operator fields: those of the lots they see. */}
      <datalist id="operator-codes">
        {[...new Set(items.map((l) => l.operator))].sort().map((code) => (
          <option key={code} value={code} />
        ))}
      </datalist>
    </>
  );
}

function AlertList({ lots }: { lots: Lots }) {
  const [state, setState] = useState<"firing" | "resolved" | "">("firing");
  const [lot, setLot] = useState("");
  return (
    <section aria-labelledby="alerts-title">
      <h2 id="alerts-title">{state === "firing" ? "Open alerts" : state === "resolved" ? "Resolved alerts" : "All alerts"}</h2>
      <div className="filters" role="group" aria-label="Filter alerts">
        <label htmlFor="alert-state">Show</label>
        <select id="alert-state" value={state} onChange={(e) => setState(e.target.value as typeof state)}>
          <option value="firing">Open</option>
          <option value="resolved">Resolved</option>
          <option value="">All</option>
        </select>
        <label htmlFor="alert-lot">Lot</label>
        <select id="alert-lot" value={lot} onChange={(e) => setLot(e.target.value)}>
          <option value="">All my lots</option>
          {lots.map((l) => (
            <option key={l.lot_id} value={l.lot_id}>
              {l.name}
            </option>
          ))}
        </select>
      </div>
      <Paged<AlertPage>
        path="/admin/alerts"
        filters={{ state, lot }}
        what="alerts"
        moreLabel="Load older alerts"
        empty={state === "firing" ? "No open alerts." : "No alerts match."}
        render={(alerts) => (
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Alerts, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Fired</th>
                  <th scope="col">What</th>
                  <th scope="col">Lot / subject</th>
                  <th scope="col">Value</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {alerts.map((a) => (
                  <tr key={a.id}>
                    <td>{dateTime(a.fired_at)}</td>
                    <td>{KIND_LABEL[a.kind]}</td>
                    <td>
                      {a.lot_id} / {a.subject}
                    </td>
                    <td>{a.value ?? "—"}</td>
                    <td>{a.state === "firing" ? <span className="tag bad">open</span> : <span className="tag ok">resolved {dateTime(a.resolved_at)}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      />
    </section>
  );
}

function Rules({ lots }: { lots: Lots }) {
  const [round, setRound] = useState(0);
  const refresh = () => setRound((n) => n + 1);
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Alert rules</h2>
      <Paged<RulePage>
        key={round}
        path="/admin/alert-rules"
        filters={{}}
        what="alert rules"
        empty="No alert rules yet."
        render={(rules) => (
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Alert rules</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Lot</th>
                  <th scope="col">Parameters</th>
                  <th scope="col">Hold</th>
                  <th scope="col">State</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {rules.map((rule) => (
                  <RuleRow key={rule.id} rule={rule} onChanged={refresh} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      />
      <RuleForm lots={lots} onCreated={refresh} />
    </section>
  );
}

function RuleRow({ rule, onChanged }: { rule: RuleView; onChanged(): void }) {
  const { client } = useAuth();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (method: "PATCH" | "DELETE", body?: unknown) => {
    setError(null);
    try {
      await client.request(`/admin/alert-rules/${rule.id}`, { method, body });
      onChanged();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : "The request failed.");
    }
  };
  return (
    <tr data-rule={rule.name}>
      <th scope="row">{rule.name}</th>
      <td>{KIND_LABEL[rule.kind]}</td>
      <td>{rule.lot_id ?? `every lot of ${rule.operator}`}</td>
      <td>{describeParams(rule.kind, rule.params)}</td>
      <td>{rule.hold_s} s</td>
      <td>{rule.enabled ? <span className="tag ok">enabled</span> : <span className="tag warn">disabled</span>}</td>
      <td>
        <div className="actions">
          <button type="button" className="secondary" aria-label={`${rule.enabled ? "Disable" : "Enable"} rule ${rule.name}`} onClick={() => void run("PATCH", { enabled: !rule.enabled })}>
            {rule.enabled ? "Disable" : "Enable"}
          </button>
          {confirming ? (
            <>
              <button type="button" onClick={() => void run("DELETE")}>
                Delete rule {rule.name} and its alerts
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="secondary" aria-label={`Delete rule ${rule.name}`} onClick={() => setConfirming(true)}>
              Delete
            </button>
          )}
        </div>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

const EMPTY_RULE: RuleInput = { name: "", kind: "lot_free_below", lot_id: "", operator: "", params: {}, hold_s: "60", enabled: true };

function RuleForm({ lots, onCreated }: { lots: Lots; onCreated(): void }) {
  const { client } = useAuth();
  const isAdmin = useUser().role === "admin";
  const id = useId();
  const [input, setInput] = useState<RuleInput>(EMPTY_RULE);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    const checked = checkRule(input, isAdmin);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    try {
      const rule = await client.request<RuleView>("/admin/alert-rules", { method: "POST", body: checked.body });
      setCreated(`Rule "${rule.name}" created.`);
      setInput({ ...EMPTY_RULE, kind: input.kind, lot_id: input.lot_id });
      onCreated();
    } catch (caught) {
      setErrors(problemFields(caught));
    }
  };

  const f = (name: string) => fieldProps(`${id}-${name.replace(".", "-")}`, errors[name]);
  const e = (name: string) => <FieldError id={`${id}-${name.replace(".", "-")}`} error={errors[name]} />;
  const specs = KIND_PARAMS[input.kind];
  const shown = new Set(["name", "kind", "lot_id", "operator", "hold_s", ...specs.map((s) => `params.${s.name}`)]);
  const other = Object.entries(errors).filter(([key]) => !shown.has(key));

  return (
    <form onSubmit={(ev) => void submit(ev)} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>New alert rule</h3>
      <div className="field-grid">
        <label htmlFor={`${id}-name`}>Name</label>
        <input {...f("name")} value={input.name} onChange={(ev) => setInput({ ...input, name: ev.target.value })} />
        {e("name")}
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select {...f("kind")} value={input.kind} onChange={(ev) => setInput({ ...input, kind: ev.target.value as AlertKind, params: {} })}>
          {ALERT_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {KIND_LABEL[kind]}
            </option>
          ))}
        </select>
        {e("kind")}
        <label htmlFor={`${id}-lot_id`}>Lot</label>
        <select {...f("lot_id")} value={input.lot_id} onChange={(ev) => setInput({ ...input, lot_id: ev.target.value })}>
          <option value="">Every lot of the operator</option>
          {lots.map((l) => (
            <option key={l.lot_id} value={l.lot_id}>
              {l.name} ({l.lot_id})
            </option>
          ))}
        </select>
        {e("lot_id")}
        {isAdmin && !input.lot_id ? (
          <>
            <label htmlFor={`${id}-operator`}>Operator (code)</label>
            <input {...f("operator")} list="operator-codes" value={input.operator} onChange={(ev) => setInput({ ...input, operator: ev.target.value })} />
            {e("operator")}
          </>
        ) : null}
        {specs.map((s) => (
          <ParamField key={s.name} id={`${id}-params-${s.name}`} spec={s} value={input.params[s.name] ?? ""} error={errors[`params.${s.name}`]}
            onChange={(value) => setInput({ ...input, params: { ...input.params, [s.name]: value } })} />
        ))}
        <label htmlFor={`${id}-hold_s`}>Hold time (seconds)</label>
        <input {...f("hold_s")} inputMode="numeric" value={input.hold_s} onChange={(ev) => setInput({ ...input, hold_s: ev.target.value })} />
        {e("hold_s")}
        <label htmlFor={`${id}-enabled`}>Enabled</label>
        <input id={`${id}-enabled`} type="checkbox" checked={input.enabled} onChange={(ev) => setInput({ ...input, enabled: ev.target.checked })} />
      </div>
      <p className="muted">The condition must hold for the hold time before the alert fires, and be clear as long before it resolves.</p>
      {other.length ? (
        <p className="field-error" role="alert">
          {other.map(([key, message]) => (key ? `${key}: ${message}` : message)).join("; ")}
        </p>
      ) : null}
      <button type="submit">Create rule</button>
      {created ? (
        <p className="notice" role="status">
          {created}
        </p>
      ) : null}
    </form>
  );
}

function ParamField({ id, spec, value, error, onChange }: { id: string; spec: (typeof KIND_PARAMS)[AlertKind][number]; value: string; error?: string; onChange(v: string): void }) {
  return (
    <>
      <label htmlFor={id}>{spec.label}</label>
      <input {...fieldProps(id, error)} inputMode={spec.integer ? "numeric" : "decimal"} value={value} onChange={(ev) => onChange(ev.target.value)} />
      <FieldError id={id} error={error} />
    </>
  );
}

function Webhooks() {
  const [round, setRound] = useState(0);
  const refresh = () => setRound((n) => n + 1);
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <p className="muted">Every fired and resolved alert is POSTed to each enabled webhook, signed with its secret (X-Parking-Signature).</p>
      <Paged<WebhookPage>
        key={round}
        path="/admin/webhooks"
        filters={{}}
        what="webhooks"
        empty="No webhooks yet."
        render={(hooks) => (
          <ul className="log">
            {hooks.map((hook) => (
              <WebhookItem key={hook.id} hook={hook} onChanged={refresh} />
            ))}
          </ul>
        )}
      />
      <WebhookForm onCreated={refresh} />
    </section>
  );
}

function WebhookItem({ hook, onChanged }: { hook: WebhookView; onChanged(): void }) {
  const { client } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const [showLog, setShowLog] = useState(false);
  const toggle = async () => {
    setError(null);
    try {
      await client.request(`/admin/webhooks/${hook.id}/${hook.enabled ? "disable" : "enable"}`, { method: "POST" });
      onChanged();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : "The request failed.");
    }
  };
  return (
    <li data-webhook={hook.url}>
      <p>
        <code>{hook.url}</code> · {hook.operator} ·{" "}
        {hook.enabled ? <span className="tag ok">enabled</span> : <span className="tag bad">disabled</span>}
        {hook.consecutive_failures ? <span className="muted"> · {hook.consecutive_failures} failures in a row</span> : null}
        {hook.disabled_reason ? <span className="muted"> · {hook.disabled_reason} ({dateTime(hook.disabled_at)})</span> : null}
      </p>
      <div className="actions">
        <button type="button" className="secondary" aria-label={`${hook.enabled ? "Disable" : "Enable"} webhook ${hook.url}`} onClick={() => void toggle()}>
          {hook.enabled ? "Disable" : "Enable"}
        </button>
        <button type="button" className="secondary" aria-expanded={showLog} aria-label={`Deliveries of ${hook.url}`} onClick={() => setShowLog(!showLog)}>
          {showLog ? "Hide deliveries" : "Show deliveries"}
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {showLog ? <Deliveries hook={hook} /> : null}
    </li>
  );
}

function Deliveries({ hook }: { hook: WebhookView }) {
  return (
    <Paged<DeliveryPage>
      path={`/admin/webhooks/${hook.id}/deliveries`}
      filters={{}}
      what="deliveries"
      moreLabel="Load older deliveries"
      empty="Nothing sent to this webhook yet."
      render={(items) => (
        <div className="table-wrap">
          <table>
            <caption>Deliveries to {hook.url}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Alert</th>
                <th scope="col">Event</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id}>
                  <td>{dateTime(d.created_at)}</td>
                  <td>{d.alert_id}</td>
                  <td>{d.event}</td>
                  <td>
                    {d.state}
                    {d.state === "delivered" ? ` ${dateTime(d.delivered_at)}` : d.next_attempt_at ? `, next try ${dateTime(d.next_attempt_at)}` : ""}
                  </td>
                  <td>{d.attempts}</td>
                  <td>{d.last_status ? `HTTP ${d.last_status}` : ""} {d.last_error ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    />
  );
}

function WebhookForm({ onCreated }: { onCreated(): void }) {
  const { client } = useAuth();
  const isAdmin = useUser().role === "admin";
  const id = useId();
  const [url, setUrl] = useState("");
  const [operator, setOperator] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<WebhookCreated | null>(null);
  const [copied, setCopied] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    const problems: FieldErrors = {};
    if (!/^https?:\/\/\S+$/.test(url.trim())) problems.url = "Give the URL to POST alerts to (https://…)";
    if (isAdmin && !operator.trim()) problems.operator = "Give the operator whose alerts go there";
    setErrors(problems);
    if (Object.keys(problems).length) return;
    try {
      const body = { url: url.trim(), operator: isAdmin ? operator.trim() : null };
      setCreated(await client.request<WebhookCreated>("/admin/webhooks", { method: "POST", body }));
      setCopied(false);
      setUrl("");
      onCreated();
    } catch (caught) {
      setErrors(problemFields(caught));
    }
  };
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const other = Object.entries(errors).filter(([key]) => key !== "url" && key !== "operator");

  return (
    <form onSubmit={(ev) => void submit(ev)} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>New webhook</h3>
      <div className="field-grid">
        <label htmlFor={`${id}-url`}>URL</label>
        <input {...fieldProps(`${id}-url`, errors.url)} className="wide" type="url" value={url} placeholder="https://ops.example/hooks/parking" onChange={(ev) => setUrl(ev.target.value)} />
        <FieldError id={`${id}-url`} error={errors.url} />
        {isAdmin ? (
          <>
            <label htmlFor={`${id}-operator`}>Operator (code)</label>
            <input {...fieldProps(`${id}-operator`, errors.operator)} list="operator-codes" value={operator} onChange={(ev) => setOperator(ev.target.value)} />
            <FieldError id={`${id}-operator`} error={errors.operator} />
          </>
        ) : null}
      </div>
      {other.length ? (
        <p className="field-error" role="alert">
          {other.map(([key, message]) => (key ? `${key}: ${message}` : message)).join("; ")}
        </p>
      ) : null}
      <button type="submit">Create webhook</button>
      {created ? (
        <div className="secret" role="status">
          <p>
            <strong>Copy the signing secret now: it is shown only this once.</strong> The receiver at <code>{created.url}</code> checks
            each POST's X-Parking-Signature with it.
          </p>
          <p>
            <label htmlFor={`${id}-secret`}>Secret</label>{" "}
            <input id={`${id}-secret`} className="wide" readOnly value={created.secret} onFocus={(ev) => ev.target.select()} />
          </p>
          <div className="actions">
            <button type="button" className="secondary" onClick={() => void copy()}>
              {copied ? "Copied" : "Copy the secret"}
            </button>
            <button type="button" className="secondary" onClick={() => setCreated(null)}>
              I have stored it
            </button>
          </div>
        </div>
      ) : null}
    </form>
  );
}
