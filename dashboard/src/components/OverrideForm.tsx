// Set a manual override (status, reason, optional expiry) or clear the current one.
import { useId, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { OVERRIDE_STATUSES, type OverrideBody } from "../api/types";
import { checkOverride, REASON_MAX, type OverrideErrors, type OverrideInput } from "./overrideRules";
import { STATUS_LOOK } from "./status";

export function OverrideForm({
  slotId,
  overridden,
  onSet,
  onClear,
  now = () => new Date(),
}: {
  slotId: string;
  overridden: boolean;
  onSet(body: OverrideBody): Promise<void>;
  onClear(): Promise<void>;
  now?: () => Date;
}) {
  const id = useId();
  const [input, setInput] = useState<OverrideInput>({ status: "closed", reason: "", until: "" });
  const [errors, setErrors] = useState<OverrideErrors>({});
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);

  const run = async (action: () => Promise<void>, done: string) => {
    setBusy(true);
    setMessage(null);
    try {
      await action();
      setMessage({ kind: "ok", text: done });
    } catch (error) {
      const text = error instanceof ApiError ? error.message : "The request failed.";
      setMessage({ kind: "error", text });
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = checkOverride(input, now());
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    void run(() => onSet(checked.body), `Override set on ${slotId}.`);
  };

  const field = (name: keyof OverrideInput) => ({
    id: `${id}-${name}`,
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": errors[name] ? `${id}-${name}-error` : undefined,
  });
  const error = (name: keyof OverrideInput) =>
    errors[name] ? (
      <p className="field-error" id={`${id}-${name}-error`}>
        {errors[name]}
      </p>
    ) : null;

  return (
    <form className="override-form" onSubmit={submit} noValidate aria-label={`Override slot ${slotId}`}>
      <label htmlFor={`${id}-status`}>Force status</label>
      <select {...field("status")} value={input.status} onChange={(e) => setInput({ ...input, status: e.target.value })}>
        {OVERRIDE_STATUSES.map((status) => (
          <option key={status} value={status}>
            {STATUS_LOOK[status].label}
          </option>
        ))}
      </select>
      {error("status")}
      <label htmlFor={`${id}-reason`}>Reason</label>
      <textarea
        {...field("reason")}
        rows={2}
        maxLength={REASON_MAX + 100}
        value={input.reason}
        onChange={(e) => setInput({ ...input, reason: e.target.value })}
      />
      {error("reason")}
      <label htmlFor={`${id}-until`}>Expires (optional; empty: until cleared)</label>
      <input {...field("until")} type="datetime-local" value={input.until} onChange={(e) => setInput({ ...input, until: e.target.value })} />
      {error("until")}
      <div className="actions">
        <button type="submit" disabled={busy}>
          Set override
        </button>
        {overridden ? (
          <button type="button" className="secondary" disabled={busy} onClick={() => void run(onClear, `Override cleared on ${slotId}.`)}>
            Clear override
          </button>
        ) : null}
      </div>
      {message ? (
        <p className={message.kind === "ok" ? "notice" : "field-error"} role={message.kind === "ok" ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
