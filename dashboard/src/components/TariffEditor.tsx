// A lot's tariff: the version in force, an editor that stores a new version, every version.
import { useId, useState, type FormEvent } from "react";
import type { LotTariff, Tariff, TariffVersion } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { FieldError, fieldProps, problemFields, type FieldErrors } from "./fieldErrors";
import { dateTime } from "./format";
import { minorDigits, money } from "./money";
import { checkTariff, NEW_PERIOD, tariffInput, WEEKDAYS, type PeriodInput, type TariffInput } from "./tariffRules";

/** "Mo-Fr 08:00-18:00: €2.50 per 60 min" lines, free minutes and cap, for one version. */
export function describeTariff(tariff: Tariff): string[] {
  const lines = (tariff.periods ?? []).map(
    (p) => `${p.days.join(", ")} ${p.start}-${p.end}: ${money(p.price_minor, tariff.currency)} per ${p.unit_minutes} min`,
  );
  if (!lines.length) lines.push("No priced periods: parking is free.");
  if (tariff.free_minutes) lines.push(`First ${tariff.free_minutes} min free`);
  if (tariff.daily_cap_minor !== null) lines.push(`At most ${money(tariff.daily_cap_minor, tariff.currency)} per day`);
  return lines;
}

export function TariffEditor({ lot, tariff, onSaved, now = () => new Date() }: { lot: string; tariff: LotTariff; onSaved(next: LotTariff): void; now?: () => Date }) {
  const { client } = useAuth();
  const id = useId();
  const [input, setInput] = useState<TariffInput>(() => tariffInput(tariff.versions[0]?.tariff));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const digits = minorDigits(input.currency.trim());

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const checked = checkTariff(input, now());
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const next = await client.request<LotTariff>(`/admin/lots/${encodeURIComponent(lot)}/tariff`, { method: "PUT", body: checked.body });
      const newest = next.versions[0];
      setSaved(newest && newest.version !== tariff.versions[0]?.version ? `Saved as version ${newest.version}.` : "No change: the tariff already was this.");
      onSaved(next);
    } catch (error) {
      setErrors(problemFields(error, "tariff."));
    } finally {
      setBusy(false);
    }
  };

  const setPeriod = (i: number, change: Partial<PeriodInput>) =>
    setInput({ ...input, periods: input.periods.map((p, j) => (j === i ? { ...p, ...change } : p)) });
  const f = (name: string) => fieldProps(`${id}-${name.replaceAll(".", "-")}`, errors[name]);
  const e = (name: string) => <FieldError id={`${id}-${name.replaceAll(".", "-")}`} error={errors[name]} />;
  const known = new Set(["currency", "free_minutes", "daily_cap_minor", "valid_from", "tariff", "periods"]);
  const other = Object.entries(errors).filter(([key]) => !known.has(key) && !key.startsWith("periods."));
  const unit = digits === null ? "" : ` (${input.currency.trim()})`;

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Tariff</h2>
      {tariff.current ? (
        <div data-testid="tariff-current">
          <p>
            In force: <strong>version {tariff.current.version}</strong> since {dateTime(tariff.current.valid_from)}
          </p>
          <ul>
            {describeTariff(tariff.current.tariff).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="muted">No tariff: parking here is free.</p>
      )}

      <form className="tariff-form" onSubmit={(ev) => void submit(ev)} noValidate aria-label="Edit the tariff">
        <div className="field-grid">
          <label htmlFor={`${id}-currency`}>Currency (ISO 4217)</label>
          <input {...f("currency")} value={input.currency} maxLength={3} onChange={(ev) => setInput({ ...input, currency: ev.target.value.toUpperCase() })} />
          {e("currency")}
          <label htmlFor={`${id}-free_minutes`}>Free minutes at the start of a stay</label>
          <input {...f("free_minutes")} inputMode="numeric" value={input.free_minutes} onChange={(ev) => setInput({ ...input, free_minutes: ev.target.value })} />
          {e("free_minutes")}
          <label htmlFor={`${id}-daily_cap_minor`}>Daily cap{unit} (empty: none)</label>
          <input {...f("daily_cap_minor")} inputMode="decimal" value={input.daily_cap} onChange={(ev) => setInput({ ...input, daily_cap: ev.target.value })} />
          {e("daily_cap_minor")}
        </div>

        <h3>Priced periods</h3>
        <p className="muted">Local times of the lot; time no period covers is free. A period ends by midnight (24:00).</p>
        {errors.tariff || errors.periods ? (
          <p className="field-error" role="alert">
            {errors.tariff ?? errors.periods}
          </p>
        ) : null}
        {input.periods.map((p, i) => {
          const at = `periods.${i}`;
          return (
            <fieldset key={i} className="period" aria-describedby={errors[at] ? `${id}-periods-${i}-error` : undefined}>
              <legend>Period {i + 1}</legend>
              {e(at)}
              <fieldset className="weekdays" aria-describedby={errors[`${at}.days`] ? `${id}-periods-${i}-days-error` : undefined}>
                <legend>Weekdays</legend>
                {WEEKDAYS.map((day) => (
                  <label key={day}>
                    <input
                      type="checkbox"
                      checked={p.days.includes(day)}
                      onChange={(ev) => setPeriod(i, { days: ev.target.checked ? [...p.days, day] : p.days.filter((d) => d !== day) })}
                    />{" "}
                    {day}
                  </label>
                ))}
              </fieldset>
              {e(`${at}.days`)}
              <div className="field-grid">
                <label htmlFor={`${id}-periods-${i}-start`}>From (HH:MM)</label>
                <input {...f(`${at}.start`)} value={p.start} placeholder="08:00" onChange={(ev) => setPeriod(i, { start: ev.target.value })} />
                {e(`${at}.start`)}
                <label htmlFor={`${id}-periods-${i}-end`}>To (HH:MM, up to 24:00)</label>
                <input {...f(`${at}.end`)} value={p.end} placeholder="18:00" onChange={(ev) => setPeriod(i, { end: ev.target.value })} />
                {e(`${at}.end`)}
                <label htmlFor={`${id}-periods-${i}-price_minor`}>Price per unit{unit}</label>
                <input {...f(`${at}.price_minor`)} inputMode="decimal" value={p.price} onChange={(ev) => setPeriod(i, { price: ev.target.value })} />
                {e(`${at}.price_minor`)}
                <label htmlFor={`${id}-periods-${i}-unit_minutes`}>Unit (minutes)</label>
                <input {...f(`${at}.unit_minutes`)} inputMode="numeric" value={p.unit_minutes} onChange={(ev) => setPeriod(i, { unit_minutes: ev.target.value })} />
                {e(`${at}.unit_minutes`)}
              </div>
              <button type="button" className="secondary" onClick={() => setInput({ ...input, periods: input.periods.filter((_, j) => j !== i) })}>
                Remove period {i + 1}
              </button>
            </fieldset>
          );
        })}
        <button type="button" className="secondary" onClick={() => setInput({ ...input, periods: [...input.periods, { ...NEW_PERIOD }] })}>
          Add a period
        </button>

        <div className="field-grid">
          <label htmlFor={`${id}-valid_from`}>Takes effect (empty: now)</label>
          <input {...f("valid_from")} type="datetime-local" value={input.valid_from} onChange={(ev) => setInput({ ...input, valid_from: ev.target.value })} />
          {e("valid_from")}
        </div>
        {other.length ? (
          <p className="field-error" role="alert">
            {other.map(([key, message]) => (key ? `${key}: ${message}` : message)).join("; ")}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={busy}>
            Save the tariff
          </button>
        </div>
        {saved ? (
          <p className="notice" role="status">
            {saved}
          </p>
        ) : null}
      </form>

      <TariffVersions versions={tariff.versions} current={tariff.current?.version ?? null} />
    </section>
  );
}

function TariffVersions({ versions, current }: { versions: TariffVersion[]; current: number | null }) {
  if (!versions.length) return null;
  return (
    <div className="table-wrap">
      <table>
        <caption>Tariff versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Valid from</th>
            <th scope="col">Stored</th>
            <th scope="col">Prices</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <th scope="row">
                {v.version}
                {v.version === current ? <span className="tag ok"> in force</span> : null}
              </th>
              <td>{dateTime(v.valid_from)}</td>
              <td>
                {dateTime(v.created_at)} · {v.created_by ?? "layout import"}
              </td>
              <td>{describeTariff(v.tariff).join(" · ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
