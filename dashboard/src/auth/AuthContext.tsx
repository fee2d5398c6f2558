// Who is logged in: the API client, the account behind the token, login and logout.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { ApiClient, TokenStore } from "../api/client";
import type { UserView } from "../api/types";

export type AuthState =
  | { status: "checking" }
  | { status: "anonymous"; error?: string }
  | { status: "signed-in"; user: UserView };

interface AuthValue {
  client: ApiClient;
  state: AuthState;
  login(email: string, password: string): Promise<void>;
  logout(): void;
}

const AuthContext = createContext<AuthValue | null>(null);

/** Staff may use the dashboard; a driver's account is refused with a reason. */
function checkStaff(user: UserView): AuthState {
  if (user.role === "driver") {
    return { status: "anonymous", error: "This dashboard is for operators and admins; a driver account cannot use it." };
  }
  return { status: "signed-in", user };
}

export function AuthProvider({ children, client }: { children: ReactNode; client?: ApiClient }) {
  const api = useMemo(() => client ?? new ApiClient(new TokenStore()), [client]);
  const [state, setState] = useState<AuthState>(() =>
    api.tokens.get() ? { status: "checking" } : { status: "anonymous" },
  );

  const loadUser = useCallback(async () => {
    try {
      const user = await api.request<UserView>("/auth/me");
      const next = checkStaff(user);
      if (next.status === "anonymous") api.tokens.set(null);
      setState(next);
    } catch {
      api.tokens.set(null);
      setState({ status: "anonymous" });
    }
  }, [api]);

  useEffect(() => {
    if (api.tokens.get()) void loadUser();
    // A failed refresh clears the tokens anywhere in the app: show the login page again.
    return api.tokens.subscribe((tokens) => {
      if (!tokens) setState((s) => (s.status === "anonymous" ? s : { status: "anonymous", error: "Your session has ended; please log in again." }));
    });
  }, [api, loadUser]);

  const value = useMemo<AuthValue>(
    () => ({
      client: api,
      state,
      login: async (email, password) => {
        await api.login(email, password);
        await loadUser();
      },
      logout: () => {
        api.logout();
        setState({ status: "anonymous" });
      },
    }),
    [api, state, loadUser],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** The signed-in staff member (pages below the login gate only). */
export function useUser(): UserView {
  const { state } = useAuth();
  if (state.status !== "signed-in") throw new Error("useUser without a signed-in user");
  return state.user;
}
