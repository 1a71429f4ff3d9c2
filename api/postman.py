"""A Postman collection (v2.1) generated from the OpenAPI document, so the two cannot disagree.

Folders are the document's tags; each operation becomes a request on ``{{baseUrl}}`` with its path
variables, its query parameters (optional ones disabled) and an example JSON body built from the
request schema. Collection variables: ``baseUrl``, ``apiKey`` (sent as a Bearer token) and
``sessionToken`` (the dashboard cookie, for the management endpoints).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
MAX_DEPTH = 6


def collection(document: dict[str, Any]) -> dict[str, Any]:
    folders: dict[str, list[dict[str, Any]]] = {}
    for path, operations in document.get("paths", {}).items():
        for method, op in operations.items():
            tag = (op.get("tags") or ["Other"])[0]
            folders.setdefault(tag, []).append(_item(document, path, method, op))
    info = document.get("info", {})
    servers = document.get("servers") or [{"url": "http://127.0.0.1:8000"}]
    return {
        "info": {
            # Stable across runs: the same document gives the same collection.
            "_postman_id": str(
                uuid.uuid5(uuid.NAMESPACE_URL, info.get("title", "") + info.get("version", ""))
            ),
            "name": info.get("title", "API"),
            "description": info.get("description", ""),
            "schema": SCHEMA_URL,
        },
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{apiKey}}", "type": "string"}]},
        "variable": [
            {"key": "baseUrl", "value": servers[0]["url"], "type": "string"},
            {"key": "apiKey", "value": "pk_live_YOUR_KEY", "type": "string"},
            {"key": "sessionToken", "value": "", "type": "string"},
        ],
        "item": [{"name": tag, "item": items} for tag, items in folders.items()],
    }


def _item(document: dict[str, Any], path: str, method: str, op: dict[str, Any]) -> dict[str, Any]:
    parameters = [_deref(document, p) for p in op.get("parameters", [])]
    segments = [
        f":{segment[1:-1]}" if segment.startswith("{") and segment.endswith("}") else segment
        for segment in path.strip("/").split("/")
    ]
    url: dict[str, Any] = {
        "raw": "{{baseUrl}}/" + "/".join(segments),
        "host": ["{{baseUrl}}"],
        "path": segments,
    }
    query = [
        {
            "key": p["name"],
            "value": _scalar_example(document, p.get("schema", {})),
            "disabled": not p.get("required", False),
            "description": p.get("description", ""),
        }
        for p in parameters
        if p.get("in") == "query"
    ]
    if query:
        url["query"] = query
        url["raw"] += "?" + "&".join(f"{q['key']}={q['value']}" for q in query if not q["disabled"])
    variables = [
        {"key": p["name"], "value": _scalar_example(document, p.get("schema", {}))}
        for p in parameters
        if p.get("in") == "path"
    ]
    if variables:
        url["variable"] = variables
    headers = [
        {
            "key": p["name"],
            "value": _scalar_example(document, p.get("schema", {})),
            "disabled": not p.get("required"),
        }
        for p in parameters
        if p.get("in") == "header"
    ]
    request: dict[str, Any] = {
        "method": method.upper(),
        "header": headers,
        "url": url,
        "description": op.get("description", op.get("summary", "")),
    }
    security = op.get("security")
    if security == []:
        request["auth"] = {"type": "noauth"}
    elif security and any("sessionCookie" in s for s in security):
        request["header"].append(
            {
                "key": "Cookie",
                "value": "cf_session={{sessionToken}}",
                "disabled": True,
                "description": "Dashboard session",
            }
        )
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        request["header"].append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps(_example(document, body.get("schema", {})), indent=2),
            "options": {"raw": {"language": "json"}},
        }
    return {"name": op.get("summary") or f"{method.upper()} {path}", "request": request}


def _deref(document: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        target: Any = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {})
        node, seen = target, seen + 1
    return node


def _scalar_example(document: dict[str, Any], schema: dict[str, Any]) -> str:
    value = _example(document, schema)
    return "" if value is None else (json.dumps(value) if isinstance(value, dict | list) else str(value))


def _example(document: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    schema = _deref(document, schema)
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return _example(document, schema[key][0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        return {
            name: _example(document, sub, depth + 1)
            for name, sub in props.items()
            if name in required or depth == 0
        }
    if kind == "array":
        item = _example(document, schema.get("items", {}), depth + 1)
        return [] if item is None else [item]
    if kind == "integer":
        return schema.get("minimum", 1)
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = schema.get("format")
        return {
            "uuid": "00000000-0000-0000-0000-000000000000",
            "date-time": "2026-01-01T00:00:00Z",
            "date": "2026-01-01",
        }.get(fmt, "")
    return None
