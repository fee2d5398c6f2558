// Routes behind the login gate. Hash routing: the build works under any path, with no
// server-side fallback (local static server, Nginx at /dashboard/).
import { HashRouter, Navigate, Route, Routes } from "react-router";
import { AuthProvider, useAuth, useUser } from "./auth/AuthContext";
import { Layout } from "./components/Layout";
import { Loading } from "./components/States";
import { AlertsPage } from "./pages/AlertsPage";
import { BrokerPage } from "./pages/BrokerPage";
import { HistoryPage } from "./pages/HistoryPage";
import { AuditPage, DeadLettersPage, EventsPage } from "./pages/LogPages";
import { LoginPage } from "./pages/LoginPage";
import { LotPage } from "./pages/LotPage";
import { LotSettingsPage } from "./pages/LotSettingsPage";
import { NodesPage } from "./pages/NodesPage";
import { OverviewPage } from "./pages/OverviewPage";
import { PaymentsPage } from "./pages/PaymentsPage";

function AdminOnly({ children }: { children: React.ReactNode }) {
  return useUser().role === "admin" ? <>{children}</> : <Navigate to="/" replace />;
}

function Gate() {
  const { state } = useAuth();
  if (state.status === "checking") return <Loading what="your account" />;
  if (state.status === "anonymous") return <LoginPage />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<OverviewPage />} />
        <Route path="lots/:lot" element={<LotPage />} />
        <Route path="lots/:lot/settings" element={<LotSettingsPage />} />
        <Route path="nodes" element={<NodesPage />} />
        <Route path="alerts" element={<AlertsPage />} />
        <Route path="payments" element={<PaymentsPage />} />
        <Route path="history" element={<HistoryPage />} />
        <Route path="events" element={<EventsPage />} />
        <Route path="dead-letters" element={<DeadLettersPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route
          path="broker"
          element={
            <AdminOnly>
              <BrokerPage />
            </AdminOnly>
          }
        />
        <Route path="*" element={<p className="state empty">No such page.</p>} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <AuthProvider>
      <HashRouter>
        <Gate />
      </HashRouter>
    </AuthProvider>
  );
}
