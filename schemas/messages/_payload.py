"""Bytes <-> models at the MQTT boundary, turning every failure into a `PayloadError`."""

from typing import Final, TypeVar, overload

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from schemas.errors import PayloadError

ModelT = TypeVar("ModelT", bound=BaseModel)
T = TypeVar("T")

# A 2000-slot config can fail in thousands of places; dead letters need the first few.
MAX_REPORTED_ERRORS: Final = 10


def format_errors(errors: list[ErrorDetails]) -> str:
    """Render pydantic errors as `loc: msg; loc: msg`, naming each bad field."""
    shown = [f"{_format_loc(error['loc'])}: {error['msg']}" for error in errors]
    if len(shown) > MAX_REPORTED_ERRORS:
        hidden = len(shown) - MAX_REPORTED_ERRORS
        shown = [*shown[:MAX_REPORTED_ERRORS], f"... and {hidden} more errors"]
    return "; ".join(shown)


def _format_loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(root)"


@overload
def parse_payload(schema: type[ModelT], raw: bytes, max_bytes: int) -> ModelT: ...
@overload
def parse_payload(schema: TypeAdapter[T], raw: bytes, max_bytes: int) -> T: ...
def parse_payload(
    schema: type[BaseModel] | TypeAdapter[T], raw: bytes, max_bytes: int
) -> BaseModel | T:
    """Validate an MQTT payload against a model or adapter, or raise `PayloadError`."""
    # Checked before decoding so an oversize payload costs nothing to reject.
    if len(raw) > max_bytes:
        raise PayloadError("oversize", f"{len(raw)} bytes exceeds the {max_bytes}-byte limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        detail = f"not UTF-8: {exc.reason} at byte {exc.start}"
        raise PayloadError("malformed_json", detail) from exc
    try:
        if isinstance(schema, TypeAdapter):
            return schema.validate_json(text)
        return schema.model_validate_json(text)
    except ValidationError as exc:
        raise _classify(exc) from exc


def _classify(exc: ValidationError) -> PayloadError:
    errors = exc.errors(include_url=False, include_input=False)
    if any(error["type"] == "json_invalid" for error in errors):
        return PayloadError("malformed_json", format_errors(errors))
    return PayloadError("schema_violation", format_errors(errors))


def to_payload(model: BaseModel) -> bytes:
    """Serialise a payload model as compact UTF-8 JSON with wire (alias) field names."""
    return model.model_dump_json(by_alias=True).encode("utf-8")
