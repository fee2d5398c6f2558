// The tariff form's checks, in the server's words (schemas/tariff.py), and the body it sends.
// Prices are typed in major units ("2.50") and sent as integer minor units (250).
import type { Tariff, TariffPeriod, TariffPut } from "../api/types";
import type { FieldErrors } from "./fieldErrors";
import { currencyProblem, fromMinor, minorDigits, toMinor } from "./money";

export const WEEKDAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"] as const;
export const MINUTES_PER_DAY = 24 * 60;
export const MAX_PERIODS = 100;
export const MAX_PRICE_MINOR = 1_000_000_00;

export interface PeriodInput {
  days: string[];
  start: string;
  end: string;
  price: string;
  unit_minutes: string;
}

export interface TariffInput {
  currency: string;
  free_minutes: string;
  daily_cap: string;
  periods: PeriodInput[];
  valid_from: string; // datetime-local; empty: now
}

export const NEW_PERIOD: PeriodInput = { days: ["Mo", "Tu", "We", "Th", "Fr"], start: "08:00", end: "18:00", price: "", unit_minutes: "60" };

/** The form's values for a stored tariff (or an empty EUR tariff). */
export function tariffInput(tariff: Tariff | null | undefined): TariffInput {
  if (!tariff) return { currency: "EUR", free_minutes: "0", daily_cap: "", periods: [], valid_from: "" };
  const digits = minorDigits(tariff.currency) ?? 2;
  return {
    currency: tariff.currency,
    free_minutes: String(tariff.free_minutes),
    daily_cap: tariff.daily_cap_minor === null ? "" : fromMinor(tariff.daily_cap_minor, digits),
    periods: (tariff.periods ?? []).map((p) => ({
      days: [...p.days],
      start: p.start,
      end: p.end,
      price: fromMinor(p.price_minor, digits),
      unit_minutes: String(p.unit_minutes),
    })),
    valid_from: "",
  };
}

/** "08:30" -> 510; "24:00" only as an end; null otherwise. */
export function minuteOfDay(value: string, end: boolean): number | null {
  const match = /^(\d\d):(\d\d)$/.exec(value);
  if (!match) return null;
  const minute = Number(match[1]) * 60 + Number(match[2]);
  if (Number(match[2]) > 59 || minute > (end ? MINUTES_PER_DAY : MINUTES_PER_DAY - 1)) return null;
  return minute;
}

function wholeNumber(text: string, low: number, high: number): number | string {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  return Number.isInteger(value) && value >= low && value <= high ? value : `Input should be a whole number from ${low} to ${high}`;
}

function amount(text: string, digits: number, currency: string): number | string {
  const minor = toMinor(text, digits);
  const example = digits ? `12.${"5".padEnd(digits, "0")}` : "12";
  if (minor === null) return `Give an amount in ${currency} like ${example}${digits ? ` (at most ${digits} decimals)` : ""}`;
  if (minor > MAX_PRICE_MINOR) return `Input should be at most ${fromMinor(MAX_PRICE_MINOR, digits)} ${currency}`;
  return minor;
}

export type TariffCheck = { ok: true; body: TariffPut } | { ok: false; errors: FieldErrors };

/** Checks the form like the server does; field names are the server's (`periods.0.end`). */
export function checkTariff(input: TariffInput, now: Date): TariffCheck {
  const errors: FieldErrors = {};
  const currency = input.currency.trim();
  const currencyError = currencyProblem(currency);
  if (currencyError) errors.currency = currencyError;
  const digits = minorDigits(currency) ?? 2;

  const free = wholeNumber(input.free_minutes, 0, MINUTES_PER_DAY);
  if (typeof free === "string") errors.free_minutes = free;
  let cap: number | null = null;
  if (input.daily_cap.trim()) {
    const parsed = amount(input.daily_cap, digits, currency);
    if (typeof parsed === "string") errors.daily_cap_minor = parsed;
    else cap = parsed;
  }
  if (input.periods.length > MAX_PERIODS) errors.periods = `At most ${MAX_PERIODS} periods`;

  const periods: TariffPeriod[] = [];
  input.periods.forEach((p, i) => {
    const at = `periods.${i}`;
    if (!p.days.length) errors[`${at}.days`] = "Choose at least one weekday";
    const start = minuteOfDay(p.start, false);
    const end = minuteOfDay(p.end, true);
    if (start === null) errors[`${at}.start`] = `'${p.start}' is not a local time HH:MM from 00:00 to 23:59`;
    if (end === null) errors[`${at}.end`] = `'${p.end}' is not a local time HH:MM from 00:00 to 24:00`;
    if (start !== null && end !== null && end === start) errors[at] = `empty range ${p.start}-${p.end}: end must be after start`;
    if (start !== null && end !== null && end < start) {
      errors[at] = `end ${p.end} is before start ${p.start}: a period ends by midnight; write ${p.start}-24:00 and 00:00-${p.end} of the next day`;
    }
    const price = amount(p.price, digits, currency);
    if (typeof price === "string") errors[`${at}.price_minor`] = price;
    const unit = wholeNumber(p.unit_minutes, 1, MINUTES_PER_DAY);
    if (typeof unit === "string") errors[`${at}.unit_minutes`] = unit;
    const days = WEEKDAYS.filter((d) => p.days.includes(d));
    periods.push({ days, start: p.start, end: p.end, price_minor: typeof price === "number" ? price : 0, unit_minutes: typeof unit === "number" ? unit : 1 });
  });
  if (!Object.keys(errors).some((key) => key.startsWith("periods."))) {
    const overlaps = overlapProblems(periods);
    if (overlaps.length) errors.tariff = overlaps.join("; ");
  }

  let validFrom: string | null = null;
  if (input.valid_from) {
    const at = new Date(input.valid_from);
    if (Number.isNaN(at.getTime())) errors.valid_from = "Not a valid date and time";
    else if (at < now) errors.valid_from = "must not be in the past: a stay is priced by the tariff at its start";
    else validFrom = at.toISOString();
  }

  if (Object.keys(errors).length) return { ok: false, errors };
  const tariff: Tariff = { currency, free_minutes: free as number, daily_cap_minor: cap, periods };
  return { ok: true, body: { tariff, valid_from: validFrom } };
}

/** Periods of one weekday may touch but not overlap (the server's message per overlap). */
function overlapProblems(periods: TariffPeriod[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, { i: number; start: number; end: number; p: TariffPeriod }[]>();
  periods.forEach((p, i) => {
    const start = minuteOfDay(p.start, false) ?? 0;
    const end = minuteOfDay(p.end, true) ?? 0;
    for (const day of p.days) {
      const earlier = seen.get(day) ?? [];
      const other = earlier.find((o) => start < o.end && o.start < end);
      if (other) problems.push(`periods[${i}] (${day} ${p.start}-${p.end}) overlaps periods[${other.i}] (${day} ${other.p.start}-${other.p.end})`);
      seen.set(day, [...earlier, { i, start, end, p }]);
    }
  });
  return problems;
}
