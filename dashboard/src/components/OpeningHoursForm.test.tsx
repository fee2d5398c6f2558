import { describe, expect, it } from "vitest";
import { dateTime } from "./format";
import { openNowText } from "./OpeningHoursForm";

const AT = "2026-11-26T21:00:00Z";

describe("openNowText", () => {
  it.each([
    [{ opening_hours: null, open_now: true, next_change: null }, "Always open."],
    [{ opening_hours: "Mo-Fr 07:00-22:00", open_now: true, next_change: AT }, `Open now; closes ${dateTime(AT)}.`],
    [{ opening_hours: "Mo-Fr 07:00-22:00", open_now: false, next_change: AT }, `Closed now; opens ${dateTime(AT)}.`],
    [{ opening_hours: "Mo-Fr 07:00-22:00", open_now: false, next_change: null }, "Closed now."],
  ])("%j reads %s", (state, text) => {
    expect(openNowText(state)).toBe(text);
  });
});
