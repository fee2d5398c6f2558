import { describe, expect, it } from "vitest";
import { fromMinor, minorDigits, money, toMinor } from "./money";
import { checkTariff, tariffInput, type PeriodInput, type TariffInput } from "./tariffRules";

const NOW = new Date("2026-11-26T10:00:00Z");
const period = (change: Partial<PeriodInput> = {}): PeriodInput => ({ days: ["Mo", "Tu"], start: "08:00", end: "18:00", price: "2.50", unit_minutes: "60", ...change });
const input = (change: Partial<TariffInput> = {}): TariffInput => ({ currency: "EUR", free_minutes: "15", daily_cap: "", periods: [period()], valid_from: "", ...change });

describe("money", () => {
  it.each([
    ["2.50", 2, 250],
    ["2,5", 2, 250],
    ["12", 2, 1200],
    ["0.05", 2, 5],
    ["700", 0, 700],
    ["1.234", 3, 1234],
  ])("reads %s with %i decimals as %i minor units", (text, digits, minor) => {
    expect(toMinor(text, digits)).toBe(minor);
  });

  it.each([["2.505", 2], ["-1", 2], ["1e3", 2], ["", 2], ["1.5", 0]])("refuses %s with %i decimals", (text, digits) => {
    expect(toMinor(text, digits)).toBeNull();
  });

  it("knows each currency's minor unit and writes amounts back", () => {
    expect([minorDigits("EUR"), minorDigits("JPY"), minorDigits("BHD"), minorDigits("eur")]).toEqual([2, 0, 3, null]);
    expect([fromMinor(250, 2), fromMinor(5, 2), fromMinor(700, 0), fromMinor(1234, 3)]).toEqual(["2.50", "0.05", "700", "1.234"]);
    expect(money(250, "EUR")).toMatch(/2[.,]50/);
  });
});

describe("checkTariff", () => {
  it("sends prices in minor units, weekdays in order, and no expiry when none is given", () => {
    const checked = checkTariff(input({ daily_cap: "20", periods: [period({ days: ["Tu", "Mo"] })] }), NOW);
    expect(checked).toEqual({
      ok: true,
      body: {
        tariff: { currency: "EUR", free_minutes: 15, daily_cap_minor: 2000, periods: [{ days: ["Mo", "Tu"], start: "08:00", end: "18:00", price_minor: 250, unit_minutes: 60 }] },
        valid_from: null,
      },
    });
  });

  it.each([
    [input({ currency: "eur" }), { currency: "currency must be three upper-case letters (ISO 4217)" }],
    [input({ currency: "XQQ" }), { currency: "currency XQQ is not an ISO 4217 currency" }],
    [input({ free_minutes: "1441" }), { free_minutes: "Input should be a whole number from 0 to 1440" }],
    [input({ daily_cap: "2.555" }), { daily_cap_minor: "Give an amount in EUR like 12.50 (at most 2 decimals)" }],
    [input({ periods: [period({ days: [] })] }), { "periods.0.days": "Choose at least one weekday" }],
    [input({ periods: [period({ start: "8:00" })] }), { "periods.0.start": "'8:00' is not a local time HH:MM from 00:00 to 23:59" }],
    [input({ periods: [period({ start: "24:00", end: "24:00" })] }), { "periods.0.start": "'24:00' is not a local time HH:MM from 00:00 to 23:59" }],
    [input({ periods: [period({ end: "24:30" })] }), { "periods.0.end": "'24:30' is not a local time HH:MM from 00:00 to 24:00" }],
    [input({ periods: [period({ start: "09:00", end: "09:00" })] }), { "periods.0": "empty range 09:00-09:00: end must be after start" }],
    [
      input({ periods: [period({ start: "22:00", end: "06:00" })] }),
      { "periods.0": "end 06:00 is before start 22:00: a period ends by midnight; write 22:00-24:00 and 00:00-06:00 of the next day" },
    ],
    [input({ periods: [period({ price: "abc" })] }), { "periods.0.price_minor": "Give an amount in EUR like 12.50 (at most 2 decimals)" }],
    [input({ periods: [period({ unit_minutes: "0" })] }), { "periods.0.unit_minutes": "Input should be a whole number from 1 to 1440" }],
    [
      input({ periods: [period(), period({ days: ["Tu"], start: "17:00", end: "20:00" })] }),
      { tariff: "periods[1] (Tu 17:00-20:00) overlaps periods[0] (Tu 08:00-18:00)" },
    ],
    [input({ valid_from: "2026-11-25T09:00" }), { valid_from: "must not be in the past: a stay is priced by the tariff at its start" }],
  ])("refuses %j", (given, errors) => {
    expect(checkTariff(given, NOW)).toEqual({ ok: false, errors });
  });

  it("lets periods of one weekday touch", () => {
    expect(checkTariff(input({ periods: [period(), period({ start: "18:00", end: "24:00" })] }), NOW).ok).toBe(true);
  });

  it("fills the form from a stored tariff in major units", () => {
    const stored = { currency: "EUR", free_minutes: 10, daily_cap_minor: 1500, periods: [{ days: ["Sa"], start: "00:00", end: "24:00", price_minor: 150, unit_minutes: 30 }] };
    expect(tariffInput(stored)).toEqual({ currency: "EUR", free_minutes: "10", daily_cap: "15.00", periods: [{ days: ["Sa"], start: "00:00", end: "24:00", price: "1.50", unit_minutes: "30" }], valid_from: "" });
  });
});
