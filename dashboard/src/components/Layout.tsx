// The frame of every page: skip link, header with the account, role-aware navigation.
import { NavLink, Outlet } from "react-router";
import { useAuth, useUser } from "../auth/AuthContext";

const LINKS = [
  { to: "/", label: "Lots", admin: false },
  { to: "/nodes", label: "Nodes", admin: false },
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
                <NavLink to={link.to} end={link.to === "/"}>
                  {link.label}
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
