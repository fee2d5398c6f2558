// The one way the app talks to the API: bearer tokens, one refresh on 401, problem+json errors.
import type { AccessToken, Problem, TokenPair } from "./types";

export const API = "/api/v1";
const STORE_KEY = "parking.tokens";

/** An HTTP failure, carrying the API's problem document when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(describe(status, problem));
    this.name = "ApiError";
  }
}

/** The problem's detail, then each field error ("until: must be in the future"). */
function describe(status: number, problem: Problem | null): string {
  if (status === 0) return "The API cannot be reached.";
  const fields = (problem?.errors ?? []).map((e) => `${e.field}: ${e.message}`);
  const main = problem?.detail ?? problem?.title ?? `HTTP ${status}`;
  return fields.length ? `${main} (${fields.join("; ")})` : main;
}

export interface Tokens {
  access: string;
  refresh: string;
}

type Listener = (tokens: Tokens | null) => void;

/** Tokens for this browser tab (sessionStorage: gone when the tab closes), with listeners. */
export class TokenStore {
  private listeners = new Set<Listener>();
  constructor(private readonly storage: Storage = window.sessionStorage) {}

  get(): Tokens | null {
    const raw = this.storage.getItem(STORE_KEY);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as Tokens;
    } catch {
      return null;
    }
  }

  set(tokens: Tokens | null): void {
    if (tokens) this.storage.setItem(STORE_KEY, JSON.stringify(tokens));
    else this.storage.removeItem(STORE_KEY);
    this.listeners.forEach((listener) => listener(tokens));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal;
  accept?: string;
}

/** Builds `/api/v1/path?query`, leaving out empty values. */
export function apiUrl(path: string, query?: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `${API}${path}${search ? `?${search}` : ""}`;
}

async function failure(response: Response): Promise<ApiError> {
  let problem: Problem | null = null;
  try {
    problem = (await response.json()) as Problem;
  } catch {
    problem = null;
  }
  return new ApiError(response.status, problem);
}

/** A client bound to a token store; `request` retries once after refreshing an expired token. */
export class ApiClient {
  private refreshing: Promise<boolean> | null = null;
  constructor(readonly tokens: TokenStore) {}

  async login(email: string, password: string): Promise<void> {
    const pair = await this.send<TokenPair>("/auth/login", { method: "POST", body: { email, password } }, null);
    this.tokens.set({ access: pair.access_token, refresh: pair.refresh_token });
  }

  logout(): void {
    this.tokens.set(null);
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.withRefresh((token) => this.send<T>(path, options, token));
  }

  /** A GET whose body is a file (CSV export): the body as a Blob and the server's file name. */
  async download(path: string, query?: RequestOptions["query"]): Promise<{ blob: Blob; filename: string | null }> {
    const response = await this.withRefresh((token) => this.fetchOk(path, { query, accept: "text/csv, application/problem+json" }, token));
    const disposition = response.headers.get("Content-Disposition") ?? "";
    return { blob: await response.blob(), filename: /filename="([^"]+)"/.exec(disposition)?.[1] ?? null };
  }

  /** Runs `call` with the access token, and once more after a refresh if it answered 401. */
  private async withRefresh<T>(call: (token: string | null) => Promise<T>): Promise<T> {
    const before = this.tokens.get();
    try {
      return await call(before?.access ?? null);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || !before) throw error;
      if (!(await this.refresh())) throw error;
      return call(this.tokens.get()?.access ?? null);
    }
  }

  /** One refresh at a time, shared by every request that saw a 401; logs out if it fails. */
  private refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const current = this.tokens.get();
    if (!current) return false;
    try {
      const fresh = await this.send<AccessToken>("/auth/refresh", { method: "POST" }, current.refresh);
      this.tokens.set({ access: fresh.access_token, refresh: current.refresh });
      return true;
    } catch {
      this.tokens.set(null);
      return false;
    }
  }

  private async send<T>(path: string, options: RequestOptions, token: string | null): Promise<T> {
    const response = await this.fetchOk(path, options, token);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  /** The response of a successful request; an ApiError otherwise. */
  private async fetchOk(path: string, options: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(apiUrl(path, options.query), {
        method: options.method ?? "GET",
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, null);
    }
    if (!response.ok) throw await failure(response);
    return response;
  }
}
