// The lot settings page: tariff versions and editor, opening hours; what is sent, what is shown.
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClient, TokenStore } from "../api/client";
import type { LotTariff, TariffVersion } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import { routeFetch, type Route as FetchRoute } from "../test/fixtures";
import { LotSettingsPage } from "./LotSettingsPage";

const LOT = "harbour-surface";
const DETAIL = {
  lot_id: LOT, name: "Harbour surface lot", operator: "harbour-parking", address: "Quay 1",
  location: { lat: 52.38, lon: 4.9 }, timezone: "Europe/Amsterdam",
  counts: { total: 2, free: 2, occupied: 0, reserved: 0, unknown: 0, closed: 0 },
  floors: [], kinds: {}, opening_hours: "Mo-Fr 07:00-22:00", open_now: true, next_change: "2026-11-26T21:00:00Z", tariff: null,
};

function version(n: number, price_minor: number): TariffVersion {
  return {
    version: n, valid_from: "2026-11-20T00:00:00Z", created_at: "2026-11-20T00:00:00Z", created_by: n > 1 ? "ops@harbour.example" : null,
    tariff: { currency: "EUR", free_minutes: 15, daily_cap_minor: 2000, periods: [{ days: ["Mo", "Tu", "We", "Th", "Fr"], start: "08:00", end: "18:00", price_minor, unit_minutes: 60 }] },
  };
}
const ONE: LotTariff = { lot_id: LOT, current: version(1, 250), versions: [version(1, 250)] };

afterEach(() => vi.unstubAllGlobals());

function show(route: FetchRoute) {
  const log = routeFetch(route);
  render(
    <AuthProvider client={new ApiClient(new TokenStore(window.sessionStorage))}>
      <MemoryRouter initialEntries={[`/lots/${LOT}/settings`]}>
        <Routes>
          <Route path="/lots/:lot/settings" element={<LotSettingsPage />} />
        </Routes>
      </MemoryRouter>
    </AuthProvider>,
  );
  return { ...log, user: userEvent.setup() };
}

const base: FetchRoute = (method, url) => {
  if (method === "GET" && url.pathname === `/api/v1/admin/lots/${LOT}/tariff`) return { status: 200, body: ONE };
  if (method === "GET" && url.pathname === `/api/v1/lots/${LOT}`) return { status: 200, body: DETAIL };
  return undefined;
};

describe("lot settings", () => {
  it("shows the tariff in force and stores a changed price as a new version, in minor units", async () => {
    const two: LotTariff = { lot_id: LOT, current: version(2, 300), versions: [version(2, 300), version(1, 250)] };
    const { calls, user } = show((method, url, body) => (method === "PUT" ? { status: 200, body: two } : base(method, url, body)));
    expect(await screen.findByText(/version 1/)).toBeInTheDocument();
    expect(screen.getByTestId("tariff-current")).toHaveTextContent(/Mo, Tu, We, Th, Fr 08:00-18:00: €2\.50 per 60 min/);
    const price = screen.getByLabelText("Price per unit (EUR)");
    expect(price).toHaveValue("2.50");
    await user.clear(price);
    await user.type(price, "3");
    await user.click(screen.getByRole("button", { name: "Save the tariff" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Saved as version 2.");
    const put = calls.find((c) => c.method === "PUT");
    expect(put?.url.pathname).toBe(`/api/v1/admin/lots/${LOT}/tariff`);
    expect(put?.body).toEqual({
      tariff: { currency: "EUR", free_minutes: 15, daily_cap_minor: 2000, periods: [{ days: ["Mo", "Tu", "We", "Th", "Fr"], start: "08:00", end: "18:00", price_minor: 300, unit_minutes: 60 }] },
      valid_from: null,
    });
    const rows = within(screen.getByRole("table", { name: /Tariff versions/ })).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.getAttribute("data-version"))).toEqual(["2", "1"]);
    expect(rows[0]).toHaveTextContent("in force");
    expect(rows[0]).toHaveTextContent("ops@harbour.example");
    expect(rows[1]).toHaveTextContent("layout import");
  });

  it("checks the form before sending and ties each error to its field", async () => {
    const { calls, user } = show(base);
    const end = await screen.findByLabelText("To (HH:MM, up to 24:00)");
    await user.clear(end);
    await user.type(end, "25:00");
    await user.click(screen.getByRole("button", { name: "Save the tariff" }));
    expect(end).toHaveAccessibleDescription("'25:00' is not a local time HH:MM from 00:00 to 24:00");
    expect(end).toHaveAttribute("aria-invalid", "true");
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });

  it("shows the server's refusal next to the field it names", async () => {
    const refusal = {
      type: "about:blank", title: "Unprocessable", status: 422, detail: "invalid body",
      errors: [{ field: "tariff.currency", message: "Value error, currency XTS is not accepted here" }],
    };
    const { user } = show((method, url, body) => (method === "PUT" ? { status: 422, body: refusal } : base(method, url, body)));
    await user.click(await screen.findByRole("button", { name: "Save the tariff" }));
    expect(await screen.findByText("currency XTS is not accepted here")).toBeInTheDocument();
    expect(screen.getByLabelText("Currency (ISO 4217)")).toHaveAccessibleDescription("currency XTS is not accepted here");
  });

  it("says open now and the next change, sends new hours and shows the server's message", async () => {
    const refusal = { type: "about:blank", title: "Unprocessable", status: 422, detail: "invalid body", errors: [{ field: "opening_hours", message: "Value error, not an opening_hours expression: Mo-Fx" }] };
    const { calls, user } = show((method, url, body) => {
      if (method === "PUT" && url.pathname.endsWith("/opening-hours")) {
        const hours = (body as { opening_hours: string | null }).opening_hours;
        return hours === "Mo-Fx" ? { status: 422, body: refusal } : { status: 200, body: { lot_id: LOT, opening_hours: hours, open_now: false, next_change: null, changed: true } };
      }
      return base(method, url, body);
    });
    expect(await screen.findByTestId("open-now")).toHaveTextContent(/^Open now; closes /);
    const field = screen.getByLabelText(/Opening hours \(OpenStreetMap syntax/);
    await user.clear(field);
    await user.type(field, "Mo-Fx");
    await user.click(screen.getByRole("button", { name: "Save opening hours" }));
    expect(await screen.findByText("not an opening_hours expression: Mo-Fx")).toBeInTheDocument();
    expect(field).toHaveAccessibleDescription("not an opening_hours expression: Mo-Fx");
    await user.clear(field);
    await user.type(field, "Sa 08:00-18:00");
    await user.click(screen.getByRole("button", { name: "Save opening hours" }));
    expect(await screen.findByText("Opening hours saved.")).toBeInTheDocument();
    expect(screen.getByTestId("open-now")).toHaveTextContent("Closed now.");
    expect(calls.filter((c) => c.method === "PUT").map((c) => c.body)).toEqual([{ opening_hours: "Mo-Fx" }, { opening_hours: "Sa 08:00-18:00" }]);
  });

  it("shows another operator's lot as a refusal, not a broken page", async () => {
    show(() => ({ status: 403, body: { type: "about:blank", title: "Forbidden", status: 403, detail: "lot belongs to another operator", errors: null } }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Could not load the tariff of harbour-surface. You do not have access to this.");
    expect(screen.queryByRole("button", { name: "Save the tariff" })).not.toBeInTheDocument();
  });
});
