// The API's field errors (problem+json `errors`) as a map from field to message, for forms.
import { ApiError } from "../api/client";

export type FieldErrors = Record<string, string>;

/** Field errors of a refusal, with `prefix` ("tariff.") taken off their names; the refusal's
 * detail under "" when no field is named (or for any other failure). */
export function problemFields(error: unknown, prefix = ""): FieldErrors {
  if (!(error instanceof ApiError)) return { "": "The request failed." };
  const out: FieldErrors = {};
  for (const { field, message } of error.problem?.errors ?? []) {
    const name = field.startsWith(prefix) ? field.slice(prefix.length) : field;
    // pydantic words custom checks "Value error, ..."; the reader needs only the reason.
    const text = message.replace(/^Value error, /, "");
    out[name] = out[name] ? `${out[name]}; ${text}` : text;
  }
  if (!Object.keys(out).length) out[""] = error.status === 403 ? "You do not have access to this." : error.message;
  return out;
}

/** Props tying an input to its error message (aria-invalid, aria-describedby). */
export function fieldProps(id: string, error: string | undefined) {
  return {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${id}-error` : undefined,
  } as const;
}

export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p className="field-error" id={`${id}-error`}>
      {error}
    </p>
  ) : null;
}
