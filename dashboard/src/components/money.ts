// Money: integer minor units on the wire (cents for EUR), major units on screen. Amounts the
// user types are parsed as decimal text, never through floating point.

/** Digits after the decimal point in `currency` (EUR 2, JPY 0, BHD 3); null: not a currency. */
export function minorDigits(currency: string): number | null {
  if (!/^[A-Z]{3}$/.test(currency)) return null;
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return null;
  }
}

/** Why `code` is not an ISO 4217 currency code (the server's words), or null. */
export function currencyProblem(code: string): string | null {
  if (!/^[A-Z]{3}$/.test(code)) return "currency must be three upper-case letters (ISO 4217)";
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("currency") : null;
  if (known && !known.includes(code)) return `currency ${code} is not an ISO 4217 currency`;
  return null;
}

/** "12.5" in a 2-digit currency -> 1250; null when the text is not such an amount. */
export function toMinor(text: string, digits: number): number | null {
  const match = /^(\d+)(?:[.,](\d*))?$/.exec(text.trim());
  if (!match) return null;
  const [, whole = "", fraction = ""] = match;
  if (fraction.length > digits) return null;
  const minor = Number(whole + fraction.padEnd(digits, "0"));
  return Number.isSafeInteger(minor) ? minor : null;
}

/** 1250 in a 2-digit currency -> "12.50" (for an input's value). */
export function fromMinor(minor: number, digits: number): string {
  if (digits === 0) return String(minor);
  const text = String(Math.abs(minor)).padStart(digits + 1, "0");
  return `${minor < 0 ? "-" : ""}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** 1250 EUR -> "€12.50" in the reader's locale. */
export function money(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === null) return `${minor} ${currency} (minor units)`;
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 10 ** digits);
}
