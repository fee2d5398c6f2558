// Downloads (the payments CSV) go through the same token handling as JSON requests.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, TokenStore } from "./client";

afterEach(() => vi.unstubAllGlobals());

function serve(answers: Response[]): { headers: Headers[]; urls: string[] } {
  const seen = { headers: [] as Headers[], urls: [] as string[] };
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    seen.urls.push(input);
    seen.headers.push(new Headers(init?.headers));
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${input}`);
    return next;
  });
  return seen;
}

describe("ApiClient.download", () => {
  it("sends the token, asks for CSV, and returns the body and the server's file name", async () => {
    const store = new TokenStore(window.sessionStorage);
    store.set({ access: "a1", refresh: "r1" });
    const seen = serve([new Response("id,state\r\n7,pending\r\n", { headers: { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="payments.csv"' } })]);
    const { blob, filename } = await new ApiClient(store).download("/admin/payments/export.csv", { lot_id: "harbour-surface", state: "" });
    expect(await blob.text()).toBe("id,state\r\n7,pending\r\n");
    expect(filename).toBe("payments.csv");
    expect(seen.urls).toEqual(["/api/v1/admin/payments/export.csv?lot_id=harbour-surface"]);
    expect(seen.headers[0]?.get("Authorization")).toBe("Bearer a1");
    expect(seen.headers[0]?.get("Accept")).toBe("text/csv, application/problem+json");
  });

  it("refreshes an expired token once and downloads again", async () => {
    const store = new TokenStore(window.sessionStorage);
    store.set({ access: "old", refresh: "r1" });
    const seen = serve([
      new Response(JSON.stringify({ title: "Unauthorized", status: 401 }), { status: 401 }),
      new Response(JSON.stringify({ access_token: "new", token_type: "Bearer", expires_in: 900 })),
      new Response("id\r\n"),
    ]);
    const { blob, filename } = await new ApiClient(store).download("/admin/payments/export.csv");
    expect(await blob.text()).toBe("id\r\n");
    expect(filename).toBeNull();
    expect(seen.urls).toEqual(["/api/v1/admin/payments/export.csv", "/api/v1/auth/refresh", "/api/v1/admin/payments/export.csv"]);
    expect(seen.headers[2]?.get("Authorization")).toBe("Bearer new");
  });

  it("turns a refusal into an ApiError with the problem's detail", async () => {
    const store = new TokenStore(window.sessionStorage);
    store.set({ access: "a1", refresh: "r1" });
    serve([new Response(JSON.stringify({ title: "Forbidden", status: 403, detail: "lot belongs to another operator" }), { status: 403 })]);
    const failure = new ApiClient(store).download("/admin/payments/export.csv", { lot_id: "downtown" });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 403, message: "lot belongs to another operator" });
  });
});
