// The override form's rules, apart from the form: pure, and tested on their own.
import { OVERRIDE_STATUSES, type OverrideBody, type OverrideStatus } from "../api/types";

export const REASON_MAX = 500; // api_service.models.admin.REASON_MAX

export interface OverrideInput {
  status: string;
  reason: string;
  /** A `datetime-local` value (local time, no zone) or "" for "until cleared". */
  until: string;
}

export type OverrideErrors = Partial<Record<keyof OverrideInput, string>>;

export type Checked = { ok: true; body: OverrideBody } | { ok: false; errors: OverrideErrors };

/** Validates the form as the API will, and builds the request body (until in UTC). */
export function checkOverride(input: OverrideInput, now: Date): Checked {
  const errors: OverrideErrors = {};
  if (!OVERRIDE_STATUSES.includes(input.status as OverrideStatus)) {
    errors.status = "Choose the status to force.";
  }
  const reason = input.reason.trim();
  if (!reason) errors.reason = "Say why (kept in the audit log).";
  else if (reason.length > REASON_MAX) errors.reason = `At most ${REASON_MAX} characters (${reason.length} now).`;
  let until: string | null = null;
  if (input.until) {
    const at = new Date(input.until);
    if (Number.isNaN(at.getTime())) errors.until = "Not a valid date and time.";
    else if (at.getTime() <= now.getTime()) errors.until = "The expiry must be in the future.";
    else until = at.toISOString();
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, body: { status: input.status as OverrideStatus, reason, until } };
}
