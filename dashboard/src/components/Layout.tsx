// The frame of every page: skip link, header with the account, role-aware navigation.
import { useEffect, useRef } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import type { AlertPage } from "../api/types";
import { useAuth, useUser } from "../auth/AuthContext";
import { useApi } from "../hooks/useApi";

const ALERT_POLL_MS = 60_000;

const LINKS = [
  { to: "/", label: "Lots", admin: false },
  { to: "/nodes", label: "Nodes", admin: false },
  { to: "/alerts", label: "Alerts", admin: false },
  { to: "/payments", label: "Payments", admin: false },
  { to: "/history", label: "History", admin: false },
  { to: "/events", label: "Event log", admin: false },
  { to: "/dead-letters", label: "Dead letters", admin: false },
  { to: "/audit", label: "Audit", admin: false },
  { to: "/broker", label: "Broker", admin: true },
];

export function Layout() {
  const user = useUser();
  const { logout } = useAuth();
  const isAdmin = user.role === "admin";
  const openAlerts = useOpenAlerts();
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Parking operations</span>
        <nav aria-label="Main">
          <ul>
            {LINKS.filter((link) => isAdmin || !link.admin).map((link) => (
              <li key={link.to}>
                <NavLink to={link.to} end={link.to === "/"} aria-label={link.to === "/alerts" && openAlerts ? `Alerts, ${openAlerts} open` : undefined}>
                  {link.label}
                  {link.to === "/alerts" && openAlerts ? (
                    <span className="nav-count" data-testid="open-alerts">
                      {openAlerts}
                    </span>
                  ) : null}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span data-testid="who">
            {user.email} · {user.role}
            {user.operator ? ` · ${user.operator}` : ""}
          </span>
          <button type="button" className="secondary" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

/** How many alerts of the caller's lots are open ("3", "100+"; null: none or unknown), read
 * every minute and on every page change (one page of up to 100). */
function useOpenAlerts(): string | null {
  const open = useApi<AlertPage>("/admin/alerts", { state: "firing", limit: 100 });
  const { pathname } = useLocation();
  const { reload } = open;
  useEffect(() => {
    const timer = window.setInterval(reload, ALERT_POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);
  const shownAt = useRef(pathname);
  useEffect(() => {
    if (shownAt.current === pathname) return;
    shownAt.current = pathname;
    reload();
  }, [pathname, reload]);
  const count = open.data?.items.length ?? 0;
  if (!count) return null;
  return open.data?.next_cursor ? `${count}+` : String(count);
}
