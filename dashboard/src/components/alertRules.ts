// Alert rule kinds for people: what each watches, its parameters and their bounds (the
// server's, schemas/alerts.py), and the check of the create form.
import type { AlertKind, RuleCreate } from "../api/types";
import type { FieldErrors } from "./fieldErrors";

export interface ParamSpec {
  name: string;
  label: string;
  integer: boolean;
  min: number;
  minExclusive: boolean;
  max: number;
}

export const KIND_LABEL: Record<AlertKind, string> = {
  lot_full: "Lot full",
  lot_free_below: "Few free slots",
  node_offline: "Camera node offline",
  camera_not_ok: "Camera not ok",
  override_expiring: "Override about to expire",
  dead_letter_rate: "Refused messages",
  ingest_lag: "Ingest lag",
};

const spec = (name: string, label: string, integer: boolean, min: number, minExclusive: boolean, max: number): ParamSpec => ({ name, label, integer, min, minExclusive, max });

export const KIND_PARAMS: Record<AlertKind, ParamSpec[]> = {
  lot_full: [],
  lot_free_below: [spec("free_below", "Fire when fewer slots are free than", true, 1, false, 100_000)],
  node_offline: [spec("after_s", "Offline or stale for at least (seconds)", false, 0, true, 604_800)],
  camera_not_ok: [],
  override_expiring: [spec("within_s", "Fire this long before the override expires (seconds)", false, 0, true, 604_800)],
  dead_letter_rate: [spec("per_min", "Fire above this many refused messages per minute", false, 0, false, 1_000_000)],
  ingest_lag: [spec("max_lag_s", "Fire above this lag (seconds, under an hour)", false, 0, true, 3_599)],
};

export function describeParams(kind: AlertKind, params: Record<string, unknown>): string {
  const specs = KIND_PARAMS[kind];
  if (!specs.length) return "—";
  return specs.map((s) => `${s.name} ${String(params[s.name] ?? "?")}`).join(", ");
}

export interface RuleInput {
  name: string;
  kind: AlertKind;
  lot_id: string; // "": every lot of the operator
  operator: string;
  params: Record<string, string>;
  hold_s: string;
  enabled: boolean;
}

export type RuleCheck = { ok: true; body: RuleCreate } | { ok: false; errors: FieldErrors };

function paramProblem(s: ParamSpec, text: string): string | number {
  const value = text.trim() === "" ? NaN : Number(text);
  if (Number.isNaN(value) || (s.integer && !Number.isInteger(value))) return s.integer ? "Give a whole number" : "Give a number";
  if (s.minExclusive ? value <= s.min : value < s.min) return `Input should be greater than${s.minExclusive ? "" : " or equal to"} ${s.min}`;
  if (value > s.max) return `Input should be less than or equal to ${s.max}`;
  return value;
}

/** Checks the form; field names are the server's (`params.free_below`). */
export function checkRule(input: RuleInput, isAdmin: boolean): RuleCheck {
  const errors: FieldErrors = {};
  const name = input.name.trim();
  if (!name) errors.name = "Give the rule a name";
  else if (name.length > 200) errors.name = `At most 200 characters (${name.length} now)`;
  const hold = /^\d+$/.test(input.hold_s.trim()) ? Number(input.hold_s) : NaN;
  if (!(hold >= 0 && hold <= 86_400)) errors.hold_s = "Input should be a whole number from 0 to 86400";
  if (isAdmin && !input.lot_id && !input.operator.trim()) errors.operator = "Give the operator of a rule for every lot";
  const params: Record<string, number> = {};
  for (const s of KIND_PARAMS[input.kind]) {
    const value = paramProblem(s, input.params[s.name] ?? "");
    if (typeof value === "string") errors[`params.${s.name}`] = value;
    else params[s.name] = value;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    body: {
      name,
      kind: input.kind,
      lot_id: input.lot_id || null,
      operator: isAdmin && !input.lot_id ? input.operator.trim() : null,
      params,
      hold_s: hold,
      enabled: input.enabled,
    },
  };
}
