import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { useAuth } from "../auth/AuthContext";

export function LoginPage() {
  const { login, state } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const notice = state.status === "anonymous" ? state.error : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password);
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 401 ? "Wrong e-mail or password." : caught instanceof Error ? caught.message : "Login failed.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <h1>Parking operations</h1>
      <form onSubmit={submit} aria-label="Log in">
        <label htmlFor="email">E-mail</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
        {error || notice ? (
          <p className="field-error" role="alert">
            {error ?? notice}
          </p>
        ) : null}
      </form>
    </main>
  );
}
