"""The route decorator: access, rate limit, strict input parsing and typed output.

`@endpoint(...)` records a `RouteSpec` on the view, which the OpenAPI generator reads, so
the document can never drift from what the code checks.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Final

from flask import Response, request
from pydantic import BaseModel, ValidationError

from api_service.access import Access, enforce
from api_service.errors import ApiError, FieldError, validation_error
from api_service.ratelimit import Category, check_rate

SPEC_ATTR: Final = "__route_spec__"

# PostgreSQL text cannot hold U+0000, so a string carrying one is refused here, by name,
# rather than failing in the database.
NUL: Final = "\x00"
NUL_MESSAGE: Final = "must not contain NUL (U+0000) characters"


@dataclass(frozen=True)
class RouteSpec:
    """What a route accepts and returns, and who may call it."""

    summary: str
    access: Access
    tag: str
    rate: Category | None = None
    path: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    max_body: int | None = None  # bytes; None: the app's MAX_CONTENT_LENGTH


def endpoint(spec: RouteSpec) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Wrap a view: the view receives validated `path`, `query` and `body` models."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        @wraps(view)
        def wrapper(**path_args: Any) -> Response:
            if spec.rate is not None:
                check_rate(spec.rate)
            enforce(spec.access)
            kwargs: dict[str, Any] = {}
            if spec.path is not None:
                kwargs["path"] = _parse(spec.path, path_args)
            if spec.query is not None:
                kwargs["query"] = _parse(spec.query, _query_args(spec.query))
            elif request.args:
                raise _unknown_params(sorted(request.args))
            if spec.body is not None:
                if spec.max_body is not None:
                    request.max_content_length = spec.max_body  # whole layouts, slot maps
                kwargs["body"] = _parse_body(spec.body)
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            return json_response(result, spec.status)

        setattr(wrapper, SPEC_ATTR, spec)
        return wrapper

    return decorate


def json_response(model: BaseModel, status: int = 200) -> Response:
    """`model` as an application/json response."""
    return Response(model.model_dump_json(), status=status, mimetype="application/json")


def field_errors(exc: ValidationError) -> list[FieldError]:
    """pydantic errors as (dotted field, message) pairs."""
    out = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "body"
        out.append(FieldError(where, error["msg"]))
    return out


def _parse(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(field_errors(exc)) from exc
    # Cross-field rules live on the model as `problems()`, so each can name its field.
    problems: list[FieldError] = getattr(parsed, "problems", list)()
    if problems:
        raise validation_error(problems)
    return parsed


def _query_args(model: type[BaseModel]) -> dict[str, str]:
    """Query parameters as single values; unknown or repeated names are refused."""
    names = {field.alias or name for name, field in model.model_fields.items()}
    unknown = sorted(set(request.args) - names)
    if unknown:
        raise _unknown_params(unknown)
    repeated = sorted(name for name, values in request.args.lists() if len(values) > 1)
    if repeated:
        raise validation_error([FieldError(name, "given more than once") for name in repeated])
    args = dict(request.args.items())
    nul = sorted(name for name, value in args.items() if NUL in value)
    if nul:
        raise validation_error([FieldError(name, NUL_MESSAGE) for name in nul])
    return args


def _unknown_params(names: list[str]) -> ApiError:
    return validation_error([FieldError(name, "unknown query parameter") for name in names])


def _parse_body(model: type[BaseModel]) -> BaseModel:
    if not request.is_json:
        raise ApiError(
            415, "unsupported-media-type", "Unsupported Media Type", "send application/json"
        )
    data = request.get_data(cache=False)
    try:
        parsed = model.model_validate_json(data)
    except ValidationError as exc:
        raise validation_error(field_errors(exc)) from exc
    if b"\\u0000" in data:  # cheap pre-check; the walk below finds the real ones
        nul = _nul_strings(json.loads(data))
        if nul:
            raise validation_error([FieldError(where, NUL_MESSAGE) for where in nul])
    return parsed


def _nul_strings(value: object, where: tuple[str, ...] = ()) -> list[str]:
    """Dotted paths (as `field_errors` names them) of the strings holding NUL, keys too."""
    if isinstance(value, str):
        return [".".join(where) or "body"] if NUL in value else []
    items: list[tuple[str, object]] = []
    if isinstance(value, list):
        items = [(str(i), item) for i, item in enumerate(value)]
    elif isinstance(value, dict):
        items = list(value.items())
    found = [".".join((*where, repr(key))) for key, _ in items if NUL in key]
    return found + [path for key, item in items for path in _nul_strings(item, (*where, key))]
