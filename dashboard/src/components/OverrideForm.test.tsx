import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { OverrideForm } from "./OverrideForm";
import { checkOverride } from "./overrideRules";

const NOW = new Date("2026-11-26T10:00:00Z");
const LATER = "2026-11-26T12:30"; // datetime-local: local time
const EARLIER = "2026-11-25T09:00";

describe("checkOverride", () => {
  it.each([
    [{ status: "closed", reason: "", until: "" }, { reason: "Say why (kept in the audit log)." }],
    [{ status: "closed", reason: "   ", until: "" }, { reason: "Say why (kept in the audit log)." }],
    [{ status: "closed", reason: "x".repeat(501), until: "" }, { reason: "At most 500 characters (501 now)." }],
    [{ status: "reserved", reason: "ok", until: "" }, { status: "Choose the status to force." }],
    [{ status: "free", reason: "ok", until: EARLIER }, { until: "The expiry must be in the future." }],
    [{ status: "free", reason: "ok", until: "not a date" }, { until: "Not a valid date and time." }],
  ])("refuses %j", (input, errors) => {
    expect(checkOverride(input, NOW)).toEqual({ ok: false, errors });
  });

  it("builds the body: trimmed reason, expiry in UTC, or none", () => {
    expect(checkOverride({ status: "closed", reason: " cones ", until: "" }, NOW)).toEqual({
      ok: true,
      body: { status: "closed", reason: "cones", until: null },
    });
    const checked = checkOverride({ status: "occupied", reason: "camera blind", until: LATER }, NOW);
    expect(checked).toEqual({ ok: true, body: { status: "occupied", reason: "camera blind", until: new Date(LATER).toISOString() } });
  });
});

function setup(overridden = false) {
  const onSet = vi.fn(async () => {});
  const onClear = vi.fn(async () => {});
  render(<OverrideForm slotId="A01" overridden={overridden} onSet={onSet} onClear={onClear} now={() => NOW} />);
  return { onSet, onClear, user: userEvent.setup() };
}

describe("OverrideForm", () => {
  it("shows the errors next to the fields and sends nothing", async () => {
    const { onSet, user } = setup();
    await user.type(screen.getByLabelText(/Expires/), EARLIER);
    await user.click(screen.getByRole("button", { name: "Set override" }));
    expect(screen.getByLabelText("Reason")).toHaveAccessibleDescription("Say why (kept in the audit log).");
    expect(screen.getByLabelText(/Expires/)).toHaveAccessibleDescription("The expiry must be in the future.");
    expect(screen.getByLabelText("Reason")).toHaveAttribute("aria-invalid", "true");
    expect(onSet).not.toHaveBeenCalled();
  });

  it("sends status, reason and expiry, then confirms", async () => {
    const { onSet, user } = setup();
    await user.selectOptions(screen.getByLabelText("Force status"), "occupied");
    await user.type(screen.getByLabelText("Reason"), "van parked across two bays");
    await user.type(screen.getByLabelText(/Expires/), LATER);
    await user.click(screen.getByRole("button", { name: "Set override" }));
    expect(onSet).toHaveBeenCalledWith({ status: "occupied", reason: "van parked across two bays", until: new Date(LATER).toISOString() });
    expect(await screen.findByRole("status")).toHaveTextContent("Override set on A01.");
  });

  it("shows the API's refusal", async () => {
    const onSet = vi.fn(async () => {
      throw new ApiError(403, { type: "about:blank", title: "Forbidden", status: 403, detail: "lot belongs to another operator", errors: null });
    });
    render(<OverrideForm slotId="A01" overridden={false} onSet={onSet} onClear={async () => {}} now={() => NOW} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Reason"), "x");
    await user.click(screen.getByRole("button", { name: "Set override" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("lot belongs to another operator");
  });

  it("offers Clear only when the slot is overridden", async () => {
    const { onClear, user } = setup(true);
    await user.click(screen.getByRole("button", { name: "Clear override" }));
    expect(onClear).toHaveBeenCalledOnce();
    render(<OverrideForm slotId="B01" overridden={false} onSet={async () => {}} onClear={async () => {}} />);
    expect(screen.getAllByRole("button", { name: "Clear override" })).toHaveLength(1);
  });
});
