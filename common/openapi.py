"""The OpenAPI document says what the service does, so that generated clients work.

litestar documents what it can see in a handler's signature. What it cannot see is added here,
once for every service, from the same facts the request path uses: errors are problem details
(`common.problems`), the door refuses bodies and ids (`common.bodies`), public paths need no
token (`common.auth`), writes take `Idempotency-Key` (`common.writes`), and input Structs refuse
unknown fields. Each operation lists the statuses it can answer, derived from its handler.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any, get_args

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler

from common.access_table import ROLES, SENDS
from common.auth import COOKIE, PUBLIC_PATHS
from common.bodies import MAX_BODY_BYTES, MAX_DEPTH
from common.metrics import CONTENT_TYPE
from common.problems import MEDIA_TYPE
from common.rate_limits import BY_ADDRESS
from common.writes import MAX_KEY_LENGTH, REPLAYED_HEADER

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}
WRITES = "writes"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "ProblemDetails",
    "description": "An RFC 9457 problem: every refusal and failure is answered with one.",
    "properties": {
        "type": {"type": "string", "description": "a stable URI naming the kind of problem"},
        "title": {"type": "string", "description": "a short human summary of the kind"},
        "status": {"type": "integer", "description": "the HTTP status, repeated"},
        "detail": {"type": "string", "description": "what went wrong with this request"},
        "request_id": {"type": "string", "description": "the X-Request-ID of this request"},
        "errors": {
            "type": "array",
            "description": "for a 400: each field, parameter or header that was refused",
            "items": {
                "type": "object",
                "properties": {
                    "key": {"type": "string"},
                    "message": {"type": "string"},
                    "source": {"type": "string"},
                },
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}

WHY = {
    400: "The request is malformed: a field, parameter or header is refused (named in `detail`).",
    401: "No token, or one that is expired, forged or carries an invalid role or scope.",
    403: "The caller's role or sites do not allow this.",
    404: "There is no such object, or the caller may not see it (the same answer, on purpose).",
    409: "The current state does not allow this (nothing fits, or too many changes at once).",
    413: f"The body is larger than {MAX_BODY_BYTES} bytes.",
    415: "The body is not sent as `application/json`.",
    422: "Well-formed, but against the rules (or an `Idempotency-Key` reused for another request).",
    431: "The request's headers are larger than 16 KB (nothing was read).",
    429: "Too many requests: writes are limited per token, anonymous calls per address (`RateLimit-*`).",
    503: "The database or NATS does not answer just now (Retry-After); nothing was changed.",
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Repeat a write safely: the same key (per caller) with the same request gets the stored "
        "answer, with another request a 422."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}

REPLAYED = {
    "description": "`true` when the answer is the stored one of an earlier request with this key",
    "schema": {"type": "string", "enum": ["true"]},
}

SECURITY_SCHEMES = {
    "BearerToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "`shelterbeds token --role ROLE [--team T] [--site S ...]`",
    },
    "TokenCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": COOKIE,
        "description": "the same token in a cookie, for pages",
    },
}

# litestar serves the document (and the docs page under /schema) but leaves itself out of it.
THIS_DOCUMENT: dict[str, Any] = {
    "tags": ["operations"],
    "summary": "This OpenAPI document (the docs page is /schema)",
    "operationId": "OpenapiDocument",
    "security": [],
    "responses": {
        "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}
    },
}

WWW_AUTHENTICATE = {"description": "`Bearer`, with the error", "schema": {"type": "string"}}


def _handlers(app: Litestar) -> Iterator[tuple[str, str, HTTPRouteHandler]]:
    plugin = app.plugins.get(OpenAPIPlugin)
    for route in plugin.included_routes.values():
        for method, (handler, _) in route.route_handler_map.items():
            yield route.path_format or "/", method.lower(), handler


# A handler that dispatches through a service's message bus is checked against its access table.
ACCESS_CHECKED_BY = "bus"
# `opt={PROBLEMS: (409, 422)}` on a route handler: statuses its signature does not show.
PROBLEMS = "problems"
RESERVED = frozenset({"data", "request", "state", "headers", "cookies", "scope", "query", "body"})


def _statuses(path: str, handler: HTTPRouteHandler, public: bool) -> set[int]:
    signature = handler.parsed_fn_signature.parameters
    path_params = set(re.findall(r"{(\w+)}", path))
    query = set(signature) - RESERVED - set(handler.resolve_dependencies()) - path_params
    statuses: set[int] = set()
    if not public:
        statuses.add(401)
        declared = SENDS in handler.opt or ROLES in handler.opt
        if declared or handler.guards or path_params or ACCESS_CHECKED_BY in handler.resolve_dependencies():
            statuses.add(403)  # the role (guards or the bus's access table), or the object's site
    if path_params or any(name.endswith("_id") for name in query):
        statuses.add(404)
    if query:
        statuses.add(400)
    if "data" in signature:
        statuses |= {400, 413, 415}
        if _names_ids(signature["data"].annotation):
            statuses.add(404)  # an id in the body that names nothing (or nothing the caller may see)
    if _writes(handler):
        statuses |= {400, 409, 422}  # a malformed key; busy; a key reused
    if (_writes(handler) and not public) or handler.opt.get(BY_ADDRESS):
        statuses.add(429)  # common.rate_limits
    statuses.add(431)  # headers too large, answered before any route (common/http_server.py)
    if path.startswith("/api/"):
        statuses.add(503)  # its database away for a moment (common.problems)
    # what only the handler knows it may answer (a rule of the domain: 422; busy: 409)
    statuses |= set(handler.opt.get(PROBLEMS, ()))
    return statuses


def _writes(handler: HTTPRouteHandler) -> bool:
    """Takes `writes` itself, or writes through the bus (`Dispatch.write`: `common.writes`)."""
    signature = handler.parsed_fn_signature.parameters
    changes = bool(set(handler.http_methods) - READ_METHODS)
    return WRITES in signature or (changes and ACCESS_CHECKED_BY in signature)


def _names_ids(body_type: Any) -> bool:
    found: set[type[msgspec.Struct]] = set()
    _struct_types(body_type, found)
    return any(name.endswith("_id") for cls in found for name in cls.__struct_fields__)


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": WHY.get(status, HTTPStatus(status).phrase),
        "content": {MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }
    if status == 401:
        response["headers"] = {"WWW-Authenticate": WWW_AUTHENTICATE}
    return response


def _struct_types(annotation: Any, seen: set[type[msgspec.Struct]]) -> None:
    """Every Struct reachable from a body type, so their schemas can say what they refuse."""
    info = msgspec.inspect.type_info(annotation)
    stack: list[Any] = [info]
    while stack:
        node = stack.pop()
        if isinstance(node, msgspec.inspect.StructType):
            if node.cls in seen:
                continue
            seen.add(node.cls)
            stack.extend(field.type for field in node.fields)
        elif isinstance(node, msgspec.inspect.UnionType):
            stack.extend(node.types)
        elif isinstance(node, msgspec.inspect.CollectionType | msgspec.inspect.DictType):
            stack.extend(
                t for t in (getattr(node, "item_type", None), getattr(node, "value_type", None)) if t
            )


def _answer_types(annotation: Any, seen: set[type[msgspec.Struct]]) -> None:
    """The Structs an answer is made of (inside `Response[...]` too), to describe them."""
    for candidate in (annotation, *get_args(annotation)):
        try:
            _struct_types(candidate, seen)
        except (TypeError, ValueError):
            continue  # not a type msgspec knows (a litestar Response, a Stream): nothing to describe


def _describe(schemas: dict[str, Any], answers: set[type[msgspec.Struct]]) -> None:
    """An answer's docstring is its description: what a public figure means is said once."""
    for cls in answers:
        schema = schemas.get(cls.__name__)
        if schema is not None and cls.__doc__ and "description" not in schema:
            schema["description"] = " ".join(cls.__doc__.split())


def _describe_inputs(schemas: dict[str, Any], inputs: set[type[msgspec.Struct]]) -> None:
    for cls in inputs:
        schema = schemas.get(cls.__name__)
        if schema is None or schema.get("title", cls.__name__) != cls.__name__:
            continue
        if cls.__struct_config__.forbid_unknown_fields:
            schema["additionalProperties"] = False
        if cls.__doc__ and "description" not in schema:
            schema["description"] = " ".join(cls.__doc__.split())


def _operation(doc_op: dict[str, Any], path: str, handler: HTTPRouteHandler, public: bool) -> None:
    responses: dict[str, Any] = doc_op.setdefault("responses", {})
    for code in [c for c in responses if c.isdigit() and int(c) >= 400]:
        del responses[code]  # litestar's own `{status_code, detail, extra}`: not what we answer
    for status in sorted(_statuses(path, handler, public)):
        responses[str(status)] = _problem_response(status)
    if public:
        doc_op["security"] = []
    parameters: list[dict[str, Any]] = doc_op.setdefault("parameters", [])
    for parameter in parameters:
        if parameter.get("in") == "path" and parameter["name"].endswith("_id"):
            parameter["schema"] = {"type": "string", "format": "uuid"}
            parameter["description"] = "a UUID; anything else is a 404 like a missing object"
    if _writes(handler):
        parameters.append(IDEMPOTENCY_KEY)
        for code, response in responses.items():
            if code.startswith("2"):
                response.setdefault("headers", {})[REPLAYED_HEADER] = REPLAYED
    body = doc_op.get("requestBody")
    if body is not None:
        body["description"] = (
            f"JSON (`application/json`), at most {MAX_BODY_BYTES} bytes and {MAX_DEPTH} levels "
            "deep, decoded strictly: no unknown fields, no numbers or booleans sent as text."
        )


def refine_openapi(app: Litestar, public: tuple[str, ...] = PUBLIC_PATHS) -> dict[str, Any]:
    """Completes the document litestar serves (built once, here, and cached by litestar)."""
    doc = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["ProblemDetails"] = PROBLEM_SCHEMA
    doc["components"]["securitySchemes"] = SECURITY_SCHEMES
    doc["security"] = [{name: []} for name in SECURITY_SCHEMES]
    inputs: set[type[msgspec.Struct]] = set()
    outputs: set[type[msgspec.Struct]] = set()
    for path, method, handler in _handlers(app):
        operation = doc["paths"].get(path, {}).get(method)
        if operation is None:
            continue
        is_public = any(re.match(pattern, path) for pattern in public)
        _operation(operation, path, handler, is_public)
        data = handler.parsed_fn_signature.parameters.get("data")
        if data is not None:
            _struct_types(data.annotation, inputs)
        _answer_types(handler.parsed_fn_signature.return_type.annotation, outputs)
    _describe_inputs(schemas, inputs)
    _describe(schemas, outputs - inputs)
    doc["paths"]["/schema/openapi.json"] = {"get": THIS_DOCUMENT}
    metrics = doc["paths"].get("/metrics", {}).get("get")
    if metrics is not None:
        ok = metrics["responses"]["200"]
        ok["content"] = {CONTENT_TYPE: next(iter(ok["content"].values()))}  # with its charset
    ready = doc["paths"].get("/health/ready", {}).get("get")
    if ready is not None:
        ready["responses"]["503"] = _problem_response(503)
    return doc
