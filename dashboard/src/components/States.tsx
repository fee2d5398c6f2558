// Loading, error and empty states, the same everywhere.
import type { ReactNode } from "react";
import type { ApiError } from "../api/client";

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** A failed request: what failed, the API's reason, and a retry button when given one. */
export function ErrorState({ what, error, retry }: { what: string; error: ApiError; retry?: () => void }) {
  const reason =
    error.status === 403
      ? "You do not have access to this."
      : error.status === 404
        ? "Not found (or not available in this API version)."
        : error.message;
  return (
    <div className="state error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {reason}
        {error.status ? <span className="muted"> (HTTP {error.status})</span> : null}
      </p>
      {retry ? (
        <button type="button" onClick={retry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

/** Renders one of loading / error / content for a `useApi` result. */
export function Async<T>({
  what,
  result,
  children,
}: {
  what: string;
  result: { data: T | null; error: ApiError | null; loading: boolean; reload(): void };
  children: (data: T) => ReactNode;
}) {
  if (result.error) return <ErrorState what={what} error={result.error} retry={result.reload} />;
  if (result.data === null) return <Loading what={what} />;
  return <>{children(result.data)}</>;
}
