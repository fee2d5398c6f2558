"""The OpenAPI 3.1 document, generated from the routes' `RouteSpec`s and pydantic models.

Pydantic emits JSON Schema 2020-12, which is OpenAPI 3.1's own schema dialect, so the
models are used as they are; nothing is written by hand that could drift from the code.
"""

import re
from http import HTTPStatus
from typing import Any, Final

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from api_service.endpoint import SPEC_ATTR, RouteSpec
from api_service.models.common import Health, Problem

_REF: Final = "#/components/schemas/{model}"
_PROBLEM: Final = "application/problem+json"
_PATH_PARAM: Final = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _routes(app: Flask) -> list[tuple[str, str, RouteSpec]]:
    found = []
    for rule in app.url_map.iter_rules():
        spec = getattr(app.view_functions[rule.endpoint], SPEC_ATTR, None)
        if spec is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((_PATH_PARAM.sub(r"{\1}", rule.rule), method.lower(), spec))
    return found


def _models(
    routes: list[tuple[str, str, RouteSpec]],
) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {
        (Problem, "serialization"): None,
        (Health, "serialization"): None,
    }
    for _path, _method, spec in routes:
        for model in (spec.path, spec.query, spec.body):
            if model is not None:
                wanted[(model, "validation")] = None
        if spec.response is not None:
            wanted[(spec.response, "serialization")] = None
    return list(wanted)


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query-string parameter is absent rather than null: drop the null branch."""
    branches = schema.get("anyOf")
    if branches is None:
        return schema
    kept = [branch for branch in branches if branch.get("type") != "null"]
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**rest, **kept[0]} if len(kept) == 1 else {**rest, "anyOf": kept}


def _parameters(model: type[BaseModel] | None, where: str, defs: dict[str, Any]) -> list[Any]:
    if model is None:
        return []
    schema = defs[model.__name__] if model.__name__ in defs else model.model_json_schema()
    required = set(schema.get("required", ())) if where == "query" else None
    return [
        {
            "name": name,
            "in": where,
            "required": True if required is None else name in required,
            "description": prop.get("description", ""),
            "schema": _non_null({k: v for k, v in prop.items() if k != "description"}),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {_PROBLEM: {"schema": {"$ref": _REF.format(model="Problem")}}},
    }


def _responses(spec: RouteSpec, refs: dict[Any, Any]) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": spec.summary}
    if spec.response is not None:
        schema = refs[(spec.response, "serialization")]
        ok["content"] = {spec.media_type: {"schema": schema}}
    elif spec.media_type != "application/json":  # a document such as CSV, not a model
        ok["content"] = {spec.media_type: {"schema": {"type": "string"}}}
    if spec.headers:
        ok["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in spec.headers.items()
        }
    responses: dict[str, Any] = {str(spec.status): ok}
    statuses = {400, *spec.errors}
    if not spec.access.public:
        statuses |= {401, 403}
    if spec.rate is not None:
        statuses.add(429)
    for status in sorted(statuses):
        if status == 304:
            responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
        else:
            responses[str(status)] = _problem(status)
    return responses


def openapi_document(app: Flask, title: str, version: str) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document for `app`."""
    routes = _routes(app)
    refs, components = models_json_schema(_models(routes), ref_template=_REF)
    defs = components.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for path, method, spec in routes:
        operation: dict[str, Any] = {
            "summary": spec.summary,
            "tags": [spec.tag],
            "operationId": method + "_" + re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_"),
            "parameters": _parameters(spec.path, "path", defs)
            + _parameters(spec.query, "query", defs),
            "responses": _responses(spec, refs),
            "x-access": spec.access.name,
        }
        if not spec.access.public:
            operation["security"] = [{"bearer": []}]
        elif spec.access.scheme is not None:
            operation["security"] = [{spec.access.scheme: []}]
        if spec.body is not None:
            body_schema = refs[(spec.body, "validation")]
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": body_schema}},
            }
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "metricsToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The API_METRICS_TOKEN setting (Prometheus scrapes).",
                },
            },
        },
    }
