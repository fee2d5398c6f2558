// Payments of the caller's lots: by lot, creation window and state, newest first; export the
// same selection as CSV; confirm pay-desk payments that were paid.
import { useId, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { PAYMENT_STATES, type AdminLotPage, type AdminPaymentPage, type AdminPaymentView } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { FieldError, fieldProps, type FieldErrors } from "../components/fieldErrors";
import { dateTime } from "../components/format";
import { money } from "../components/money";
import { Paged, type Filters } from "../components/Paged";
import { useApi } from "../hooks/useApi";

const STATE_CSS: Record<AdminPaymentView["state"], string> = { pending: "warn", succeeded: "ok", failed: "bad", refunded: "warn" };

/** Saves a Blob under `name` through a temporary link (the API needs the auth header, so a
 * plain link to the CSV would not do). */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

export function PaymentsPage() {
  const { client } = useAuth();
  const [filters, setFilters] = useState<Filters>({});
  const [confirmed, setConfirmed] = useState<Map<number, AdminPaymentView>>(new Map());
  const [exporting, setExporting] = useState<{ kind: "busy" | "error"; text: string } | null>(null);

  const exportCsv = async () => {
    setExporting({ kind: "busy", text: "Preparing the CSV…" });
    try {
      const { blob, filename } = await client.download("/admin/payments/export.csv", filters);
      save(blob, filename ?? "payments.csv");
      setExporting(null);
    } catch (error) {
      setExporting({ kind: "error", text: `Export failed: ${error instanceof ApiError ? (error.status === 403 ? "you do not have access to this." : error.message) : "the request failed."}` });
    }
  };

  return (
    <>
      <h1>Payments</h1>
      <p className="muted">Payments of your lots, newest first. Pay-desk payments stay pending until staff confirm them.</p>
      <PaymentFilters onApply={setFilters} />
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void exportCsv()} disabled={exporting?.kind === "busy"}>
          Export CSV
        </button>
        {exporting ? (
          <p className={exporting.kind === "error" ? "field-error" : "muted"} role={exporting.kind === "error" ? "alert" : "status"}>
            {exporting.text}
          </p>
        ) : null}
      </div>
      <Paged<AdminPaymentPage>
        path="/admin/payments"
        filters={filters}
        what="payments"
        moreLabel="Load older payments"
        empty="No payments match."
        render={(items) => (
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Payments, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Payment</th>
                  <th scope="col">Created</th>
                  <th scope="col">Lot / session</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Provider</th>
                  <th scope="col">State</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => {
                  const payment = confirmed.get(item.id) ?? item;
                  return <PaymentRow key={item.id} payment={payment} onConfirmed={(p) => setConfirmed(new Map(confirmed).set(p.id, p))} />;
                })}
              </tbody>
            </table>
          </div>
        )}
      />
    </>
  );
}

function PaymentRow({ payment, onConfirmed }: { payment: AdminPaymentView; onConfirmed(p: AdminPaymentView): void }) {
  const { client } = useAuth();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setError(null);
    setBusy(true);
    try {
      onConfirmed(await client.request<AdminPaymentView>(`/admin/payments/${payment.id}/confirm`, { method: "POST" }));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : "The request failed.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr data-payment={payment.id}>
      <th scope="row">{payment.id}</th>
      <td>{dateTime(payment.created_at)}</td>
      <td>
        {payment.lot_id} / {payment.session_id} <span className="muted">(user {payment.user_id})</span>
      </td>
      <td>{money(payment.amount_minor, payment.currency)}</td>
      <td>
        {payment.provider}
        {payment.provider_ref ? <span className="muted"> · {payment.provider_ref}</span> : null}
      </td>
      <td>
        <span className={`tag ${STATE_CSS[payment.state]}`}>{payment.state}</span>
        {payment.succeeded_at ? <span className="muted"> {dateTime(payment.succeeded_at)}</span> : null}
      </td>
      <td>
        {payment.state === "pending" && payment.provider === "manual" ? (
          <button type="button" disabled={busy} aria-label={`Confirm payment ${payment.id} as paid`} onClick={() => void confirm()}>
            Confirm paid
          </button>
        ) : null}
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

function PaymentFilters({ onApply }: { onApply(filters: Filters): void }) {
  const id = useId();
  const lots = useApi<AdminLotPage>("/admin/lots");
  const [values, setValues] = useState({ lot_id: "", from: "", to: "", state: "" });
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const from = values.from ? new Date(values.from) : null;
    const to = values.to ? new Date(values.to) : null;
    if (from && to && to <= from) {
      setErrors({ to: "must be after from" });
      return;
    }
    setErrors({});
    onApply({ lot_id: values.lot_id, from: from?.toISOString() ?? "", to: to?.toISOString() ?? "", state: values.state });
  };
  const set = (name: keyof typeof values) => (event: { target: { value: string } }) => setValues({ ...values, [name]: event.target.value });

  return (
    <form className="filters" onSubmit={submit} noValidate aria-label="Filter payments">
      <label htmlFor={`${id}-lot`}>Lot</label>
      <select id={`${id}-lot`} value={values.lot_id} onChange={set("lot_id")}>
        <option value="">All my lots</option>
        {lots.data?.items.map((lot) => (
          <option key={lot.lot_id} value={lot.lot_id}>
            {lot.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-from`}>Created from</label>
      <input id={`${id}-from`} type="datetime-local" value={values.from} onChange={set("from")} />
      <label htmlFor={`${id}-to`}>until</label>
      <input {...fieldProps(`${id}-to`, errors.to)} type="datetime-local" value={values.to} onChange={set("to")} />
      <label htmlFor={`${id}-state`}>State</label>
      <select id={`${id}-state`} value={values.state} onChange={set("state")}>
        <option value="">Any</option>
        {PAYMENT_STATES.map((state) => (
          <option key={state} value={state}>
            {state}
          </option>
        ))}
      </select>
      <button type="submit">Apply</button>
      <FieldError id={`${id}-to`} error={errors.to} />
    </form>
  );
}
