// A lot's opening hours (OSM opening_hours syntax, checked by the server), and what they say now.
import { useId, useState, type FormEvent } from "react";
import type { LotOpeningHours } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { FieldError, fieldProps, problemFields, type FieldErrors } from "./fieldErrors";
import { dateTime } from "./format";

export interface OpenState {
  opening_hours?: string | null; // null or absent: always open
  open_now: boolean;
  next_change: string | null;
}

export function openNowText(state: OpenState): string {
  if (!state.opening_hours) return "Always open.";
  const now = state.open_now ? "Open now" : "Closed now";
  return state.next_change ? `${now}; ${state.open_now ? "closes" : "opens"} ${dateTime(state.next_change)}.` : `${now}.`;
}

export function OpeningHoursForm({ lot, initial }: { lot: string; initial: OpenState }) {
  const { client } = useAuth();
  const id = useId();
  const [state, setState] = useState<OpenState>(initial);
  const [text, setText] = useState(initial.opening_hours ?? "");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    setErrors({});
    setBusy(true);
    try {
      const body = { opening_hours: text.trim() || null };
      const result = await client.request<LotOpeningHours>(`/admin/lots/${encodeURIComponent(lot)}/opening-hours`, { method: "PUT", body });
      setState(result);
      setText(result.opening_hours ?? "");
      setSaved(result.changed ? "Opening hours saved." : "No change: the opening hours already were these.");
    } catch (error) {
      setErrors(problemFields(error));
    } finally {
      setBusy(false);
    }
  };

  const fieldId = `${id}-hours`;
  const fieldError = errors.opening_hours ?? Object.entries(errors).map(([k, m]) => (k ? `${k}: ${m}` : m)).join("; ");
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Opening hours</h2>
      <p data-testid="open-now">{openNowText(state)}</p>
      <form className="inline-form" onSubmit={(ev) => void submit(ev)} noValidate aria-label="Edit the opening hours">
        <label htmlFor={fieldId}>Opening hours (OpenStreetMap syntax; empty: always open)</label>
        <input
          {...fieldProps(fieldId, fieldError || undefined)}
          className="wide"
          value={text}
          placeholder="Mo-Fr 07:00-22:00; Sa 08:00-18:00; PH off"
          onChange={(ev) => setText(ev.target.value)}
        />
        <button type="submit" disabled={busy}>
          Save opening hours
        </button>
      </form>
      <FieldError id={fieldId} error={fieldError || undefined} />
      {saved ? (
        <p className="notice" role="status">
          {saved}
        </p>
      ) : null}
    </section>
  );
}
