// The payments page: filters sent as the API's query, older pages, confirm a pay-desk
// payment, and the CSV export fetched with the auth header and saved from a Blob.
import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AdminPaymentView } from "../api/types";
import type { Route } from "../test/fixtures";
import { renderSignedIn } from "../test/signedIn";
import { PaymentsPage } from "./PaymentsPage";

function payment(id: number, state: AdminPaymentView["state"] = "succeeded", provider = "manual"): AdminPaymentView {
  return {
    id, session_id: 100 + id, lot_id: "harbour-surface", provider, provider_ref: null, amount_minor: 250 * id, currency: "EUR", state,
    created_at: `2026-11-26T10:0${id}:00Z`, updated_at: `2026-11-26T10:0${id}:00Z`, succeeded_at: null, refunded_at: null, next_action: null, user_id: 7,
  };
}

const page = (items: AdminPaymentView[], next_cursor: string | null = null) => ({ status: 200, body: { items, next_cursor } });

function api(extra: Route = () => undefined): Route {
  return (method, url, body) => {
    const answer = extra(method, url, body);
    if (answer) return answer;
    if (method === "GET" && url.pathname === "/api/v1/admin/lots") return { status: 200, body: { items: [{ lot_id: "harbour-surface", name: "Harbour surface lot", operator: "harbour-parking" }] } };
    if (method === "GET" && url.pathname === "/api/v1/admin/payments") {
      if (url.searchParams.get("cursor") === "2") return page([payment(1)]);
      return page([payment(3, "pending"), payment(2, "pending", "card")], "2");
    }
    return undefined;
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("payments page", () => {
  it("lists payments newest first with amounts in major units, and loads older ones", async () => {
    const { user } = renderSignedIn(<PaymentsPage />, api());
    const table = await screen.findByRole("table", { name: "Payments, newest first" });
    const ids = () => within(table).getAllByRole("row").slice(1).map((r) => r.getAttribute("data-payment"));
    expect(ids()).toEqual(["3", "2"]);
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent("€7.50");
    await user.click(screen.getByRole("button", { name: "Load older payments" }));
    expect(await within(table).findByText("€2.50")).toBeInTheDocument();
    expect(ids()).toEqual(["3", "2", "1"]);
  });

  it("sends the lot, window and state as the API's query", async () => {
    const { calls, user } = renderSignedIn(<PaymentsPage />, api());
    const form = await screen.findByRole("form", { name: "Filter payments" });
    await screen.findByRole("option", { name: "Harbour surface lot" });
    await user.selectOptions(within(form).getByLabelText("Lot"), "harbour-surface");
    await user.type(within(form).getByLabelText("Created from"), "2026-11-01T00:00");
    await user.selectOptions(within(form).getByLabelText("State"), "pending");
    await user.click(within(form).getByRole("button", { name: "Apply" }));
    await vi.waitFor(() => expect(calls.filter((c) => c.url.pathname === "/api/v1/admin/payments")).toHaveLength(2));
    const last = calls.filter((c) => c.url.pathname === "/api/v1/admin/payments").at(-1);
    expect(Object.fromEntries(last?.url.searchParams ?? [])).toEqual({
      lot_id: "harbour-surface", from: new Date("2026-11-01T00:00").toISOString(), state: "pending", limit: "50",
    });
  });

  it("refuses a window that ends before it starts, next to the field", async () => {
    const { user } = renderSignedIn(<PaymentsPage />, api());
    const form = await screen.findByRole("form", { name: "Filter payments" });
    await user.type(within(form).getByLabelText("Created from"), "2026-11-02T00:00");
    await user.type(within(form).getByLabelText("until"), "2026-11-01T00:00");
    await user.click(within(form).getByRole("button", { name: "Apply" }));
    expect(within(form).getByLabelText("until")).toHaveAccessibleDescription("must be after from");
  });

  it("offers Confirm only for pending pay-desk payments, and shows the confirmed state", async () => {
    const { calls, user } = renderSignedIn(<PaymentsPage />, api((method, url) => (method === "POST" && url.pathname === "/api/v1/admin/payments/3/confirm" ? { status: 200, body: { ...payment(3, "succeeded"), succeeded_at: "2026-11-26T11:00:00Z" } } : undefined)));
    await screen.findByRole("table", { name: "Payments, newest first" });
    expect(screen.getAllByRole("button", { name: /^Confirm payment/ }).map((b) => b.getAttribute("aria-label"))).toEqual(["Confirm payment 3 as paid"]);
    await user.click(screen.getByRole("button", { name: "Confirm payment 3 as paid" }));
    const row = screen.getAllByRole("row").find((r) => r.getAttribute("data-payment") === "3");
    await vi.waitFor(() => expect(row).toHaveTextContent("succeeded"));
    expect(screen.queryByRole("button", { name: "Confirm payment 3 as paid" })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.method === "POST").map((c) => c.url.pathname)).toEqual(["/api/v1/admin/payments/3/confirm"]);
  });

  it("shows why a confirmation was refused", async () => {
    const conflict = { type: "about:blank", title: "Conflict", status: 409, detail: "payment 3 is succeeded, not pending", errors: null };
    const { user } = renderSignedIn(<PaymentsPage />, api((method) => (method === "POST" ? { status: 409, body: conflict } : undefined)));
    await user.click(await screen.findByRole("button", { name: "Confirm payment 3 as paid" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("payment 3 is succeeded, not pending");
  });

  it("exports the selection as CSV with the bearer token and saves it as a file", async () => {
    const saved: { href: string; download: string }[] = [];
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: vi.fn(() => "blob:payments"), revokeObjectURL: vi.fn() }));
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.href, download: this.download });
    });
    const { calls, user } = renderSignedIn(<PaymentsPage />, api((_method, url) => (url.pathname === "/api/v1/admin/payments/export.csv" ? { status: 200, body: "id,created_at\n" } : undefined)));
    await screen.findByRole("table", { name: "Payments, newest first" });
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await vi.waitFor(() => expect(saved).toEqual([{ href: "blob:payments", download: "payments.csv" }]));
    const fetchMock = vi.mocked(fetch);
    const exportCall = fetchMock.mock.calls.find(([input]) => String(input).startsWith("/api/v1/admin/payments/export.csv"));
    expect(new Headers(exportCall?.[1]?.headers).get("Authorization")).toBe("Bearer test-access-token");
    expect(calls.some((c) => c.url.pathname === "/api/v1/admin/payments/export.csv")).toBe(true);
  });

  it("shows a refused export", async () => {
    const { user } = renderSignedIn(<PaymentsPage />, api((_method, url) => (url.pathname === "/api/v1/admin/payments/export.csv" ? { status: 403, body: { type: "about:blank", title: "Forbidden", status: 403, detail: "no", errors: null } } : undefined)));
    await screen.findByRole("table", { name: "Payments, newest first" });
    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Export failed: you do not have access to this.");
  });
});
