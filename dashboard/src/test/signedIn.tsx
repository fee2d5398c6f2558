// Renders a page as a signed-in staff member: tokens in the store, /auth/me answered.
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { ApiClient, TokenStore } from "../api/client";
import type { Role, UserView } from "../api/types";
import { AuthProvider, useAuth } from "../auth/AuthContext";
import { routeFetch, type Route } from "./fixtures";

export function staff(role: Role = "operator"): UserView {
  return { id: 2, email: `${role}@harbour.example`, role, operator: role === "admin" ? null : "harbour-parking", created_at: "2026-11-01T00:00:00Z" };
}

function SignedIn({ children }: { children: ReactNode }) {
  return useAuth().state.status === "signed-in" ? <>{children}</> : null;
}

/** `route` answers the page's requests; returns the call log and a user-event session. */
export function renderSignedIn(ui: ReactNode, route: Route, user: UserView = staff(), path = "/") {
  const log = routeFetch((method, url, body) =>
    method === "GET" && url.pathname === "/api/v1/auth/me" ? { status: 200, body: user } : route(method, url, body),
  );
  const tokens = new TokenStore(window.sessionStorage);
  tokens.set({ access: "test-access-token", refresh: "test-refresh-token" });
  render(
    <AuthProvider client={new ApiClient(tokens)}>
      <MemoryRouter initialEntries={[path]}>
        <SignedIn>{ui}</SignedIn>
      </MemoryRouter>
    </AuthProvider>,
  );
  return { ...log, user: userEvent.setup() };
}
