// The alerts page: open alerts and older ones, rules (create with per-kind params, enable,
// delete), webhooks (secret shown once, disable, delivery log); what is sent, what is shown.
import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AlertView, RuleView, WebhookView } from "../api/types";
import { Layout } from "../components/Layout";
import type { Route } from "../test/fixtures";
import { renderSignedIn, staff } from "../test/signedIn";
import { AlertsPage } from "./AlertsPage";

const LOTS = { items: [{ lot_id: "harbour-surface", name: "Harbour surface lot", operator: "harbour-parking" }] };

function alert(id: number, state: "firing" | "resolved" = "firing"): AlertView {
  return {
    id, rule_id: 1, kind: "lot_free_below", lot_id: "harbour-surface", subject: "harbour-surface", state,
    fired_at: `2026-11-26T10:0${id}:00Z`, resolved_at: state === "resolved" ? "2026-11-26T11:00:00Z" : null, value: id, details: {},
  };
}

const RULE: RuleView = {
  id: 1, name: "Harbour nearly full", kind: "lot_free_below", operator: "harbour-parking", lot_id: "harbour-surface",
  params: { free_below: 3 }, hold_s: 60, enabled: true, created_at: "2026-11-26T09:00:00Z", updated_at: "2026-11-26T09:00:00Z",
};

const HOOK: WebhookView = {
  id: 5, operator: "harbour-parking", url: "https://ops.harbour.example/hook", enabled: true, consecutive_failures: 0,
  disabled_at: null, disabled_reason: null, created_at: "2026-11-26T09:00:00Z",
};

const page = <T,>(items: T[], next_cursor: string | null = null) => ({ status: 200, body: { items, next_cursor } });

function api(extra: Route = () => undefined): Route {
  return (method, url, body) => {
    const answer = extra(method, url, body);
    if (answer) return answer;
    if (method !== "GET") return undefined;
    switch (url.pathname) {
      case "/api/v1/admin/lots":
        return { status: 200, body: LOTS };
      case "/api/v1/admin/alerts":
        if (url.searchParams.get("cursor") === "2") return page([alert(1)]);
        return url.searchParams.get("state") === "resolved" ? page([alert(4, "resolved")]) : page([alert(3), alert(2)], "2");
      case "/api/v1/admin/alert-rules":
        return page([RULE]);
      case "/api/v1/admin/webhooks":
        return page([HOOK]);
      default:
        return undefined;
    }
  };
}

afterEach(() => vi.unstubAllGlobals());

describe("alerts page", () => {
  it("lists open alerts newest first, loads older ones, and switches to resolved ones of a lot", async () => {
    const { calls, user } = renderSignedIn(<AlertsPage />, api());
    const table = await screen.findByRole("table", { name: "Alerts, newest first" });
    expect(within(table).getAllByRole("row").slice(1).map((r) => (r as HTMLTableRowElement).cells[3]?.textContent)).toEqual(["3", "2"]);
    await user.click(screen.getByRole("button", { name: "Load older alerts" }));
    expect(await within(table).findByRole("cell", { name: "1" })).toBeInTheDocument();
    const filters = screen.getByRole("group", { name: "Filter alerts" });
    await user.selectOptions(within(filters).getByLabelText("Show"), "resolved");
    await user.selectOptions(within(filters).getByLabelText("Lot"), "harbour-surface");
    expect(await screen.findByRole("heading", { name: "Resolved alerts" })).toBeInTheDocument();
    expect(await screen.findByText(/^resolved /)).toBeInTheDocument();
    const last = calls.filter((c) => c.url.pathname === "/api/v1/admin/alerts").at(-1);
    expect(Object.fromEntries(last?.url.searchParams ?? [])).toEqual({ state: "resolved", lot: "harbour-surface", limit: "50" });
  });

  it("creates a rule with its kind's parameters, after checking them", async () => {
    const created = { ...RULE, id: 2, name: "Camera silent", kind: "node_offline", params: { after_s: 300 } };
    const { calls, user } = renderSignedIn(<AlertsPage />, api((method, url) => (method === "POST" && url.pathname === "/api/v1/admin/alert-rules" ? { status: 201, body: created } : undefined)));
    const form = await screen.findByRole("form", { name: "New alert rule" });
    await user.type(within(form).getByLabelText("Name"), "Camera silent");
    await user.selectOptions(within(form).getByLabelText("Kind"), "node_offline");
    await user.selectOptions(within(form).getByLabelText("Lot"), "harbour-surface");
    const after = within(form).getByLabelText("Offline or stale for at least (seconds)");
    await user.type(after, "0");
    await user.click(within(form).getByRole("button", { name: "Create rule" }));
    expect(after).toHaveAccessibleDescription("Input should be greater than 0");
    expect(calls.some((c) => c.method === "POST")).toBe(false);
    await user.clear(after);
    await user.type(after, "300");
    await user.click(within(form).getByRole("button", { name: "Create rule" }));
    expect(await within(form).findByRole("status")).toHaveTextContent('Rule "Camera silent" created.');
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      name: "Camera silent", kind: "node_offline", lot_id: "harbour-surface", operator: null, params: { after_s: 300 }, hold_s: 60, enabled: true,
    });
  });

  it("shows the server's refusal of a parameter next to it", async () => {
    const refusal = { type: "about:blank", title: "Bad Request", status: 400, detail: "invalid", errors: [{ field: "params.free_below", message: "Input should be less than or equal to 100000" }] };
    const { user } = renderSignedIn(<AlertsPage />, api((method) => (method === "POST" ? { status: 400, body: refusal } : undefined)));
    const form = await screen.findByRole("form", { name: "New alert rule" });
    await user.type(within(form).getByLabelText("Name"), "Too many");
    await user.type(within(form).getByLabelText("Fire when fewer slots are free than"), "5");
    await user.click(within(form).getByRole("button", { name: "Create rule" }));
    expect(await within(form).findByText("Input should be less than or equal to 100000")).toBeInTheDocument();
    expect(within(form).getByLabelText("Fire when fewer slots are free than")).toHaveAccessibleDescription("Input should be less than or equal to 100000");
  });

  it("asks an admin for the operator of a rule on every lot", async () => {
    const { user } = renderSignedIn(<AlertsPage />, api(), staff("admin"));
    const form = await screen.findByRole("form", { name: "New alert rule" });
    await user.type(within(form).getByLabelText("Name"), "Any lot full");
    await user.selectOptions(within(form).getByLabelText("Kind"), "lot_full");
    await user.click(within(form).getByRole("button", { name: "Create rule" }));
    expect(within(form).getByLabelText("Operator (code)")).toHaveAccessibleDescription("Give the operator of a rule for every lot");
  });

  it("disables a rule and deletes one only after a second click", async () => {
    const { calls, user } = renderSignedIn(<AlertsPage />, api((method) => (method === "PATCH" ? { status: 200, body: { ...RULE, enabled: false } } : method === "DELETE" ? { status: 204 } : undefined)));
    await user.click(await screen.findByRole("button", { name: "Disable rule Harbour nearly full" }));
    await user.click(await screen.findByRole("button", { name: "Delete rule Harbour nearly full" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await user.click(screen.getByRole("button", { name: "Delete rule Harbour nearly full and its alerts" }));
    const writes = calls.filter((c) => c.method !== "GET").map((c) => [c.method, c.url.pathname, c.body]);
    expect(writes).toEqual([
      ["PATCH", "/api/v1/admin/alert-rules/1", { enabled: false }],
      ["DELETE", "/api/v1/admin/alert-rules/1", undefined],
    ]);
  });

  it("shows a new webhook's secret once, with the warning to copy it now", async () => {
    const created = { ...HOOK, id: 6, url: "https://ops.harbour.example/new", secret: "whsec-test-not-a-real-secret" };
    const { calls, user } = renderSignedIn(<AlertsPage />, api((method, url) => (method === "POST" && url.pathname === "/api/v1/admin/webhooks" ? { status: 201, body: created } : undefined)));
    const form = await screen.findByRole("form", { name: "New webhook" });
    await user.type(within(form).getByLabelText("URL"), "https://ops.harbour.example/new");
    await user.click(within(form).getByRole("button", { name: "Create webhook" }));
    const box = await within(form).findByRole("status");
    expect(box).toHaveTextContent("Copy the signing secret now: it is shown only this once.");
    expect(within(box).getByLabelText("Secret")).toHaveValue("whsec-test-not-a-real-secret");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ url: "https://ops.harbour.example/new", operator: null });
    await user.click(within(box).getByRole("button", { name: "I have stored it" }));
    expect(screen.queryByText("whsec-test-not-a-real-secret")).not.toBeInTheDocument();
    expect(screen.queryByDisplayValue("whsec-test-not-a-real-secret")).not.toBeInTheDocument();
  });

  it("disables a webhook and shows its delivery log", async () => {
    const delivery = { id: 9, alert_id: 3, event: "fired", state: "failed", attempts: 10, next_attempt_at: null, last_status: 503, last_error: "Service Unavailable", delivered_at: null, created_at: "2026-11-26T10:03:00Z" };
    const { calls, user } = renderSignedIn(
      <AlertsPage />,
      api((method, url) => {
        if (method === "POST" && url.pathname === "/api/v1/admin/webhooks/5/disable") return { status: 200, body: { ...HOOK, enabled: false } };
        if (method === "GET" && url.pathname === "/api/v1/admin/webhooks/5/deliveries") return page([delivery]);
        return undefined;
      }),
    );
    await user.click(await screen.findByRole("button", { name: "Deliveries of https://ops.harbour.example/hook" }));
    const log = await screen.findByRole("table", { name: "Deliveries to https://ops.harbour.example/hook, newest first" });
    expect(within(log).getAllByRole("row")[1]).toHaveTextContent(/fired\s*failed\s*10\s*HTTP 503 Service Unavailable/);
    await user.click(screen.getByRole("button", { name: "Disable webhook https://ops.harbour.example/hook" }));
    expect(calls.some((c) => c.method === "POST" && c.url.pathname === "/api/v1/admin/webhooks/5/disable")).toBe(true);
  });

  it("shows a refusal of the alert list cleanly", async () => {
    renderSignedIn(<AlertsPage />, (method, url) =>
      url.pathname === "/api/v1/admin/alerts" ? { status: 403, body: { type: "about:blank", title: "Forbidden", status: 403, detail: "not yours", errors: null } } : api()(method, url, undefined),
    );
    expect(await screen.findByText("Could not load alerts.")).toBeInTheDocument();
    expect(screen.getByText(/You do not have access to this./)).toBeInTheDocument();
  });
});

describe("navigation", () => {
  it("counts the open alerts next to Alerts", async () => {
    const { calls } = renderSignedIn(<Layout />, api());
    expect(await screen.findByTestId("open-alerts")).toHaveTextContent("2+");
    expect(screen.getByRole("link", { name: "Alerts, 2+ open" })).toBeInTheDocument();
    const asked = calls.find((c) => c.url.pathname === "/api/v1/admin/alerts");
    expect(Object.fromEntries(asked?.url.searchParams ?? [])).toEqual({ state: "firing", limit: "100" });
  });
});
