"""The one error helper: every error is JSON ``{"error": message, ...detail}`` with X-Request-Id."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from core.specs.errors import SpecError

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, message: str, /, *, headers: dict[str, str] | None = None, **detail: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail
        self.headers = headers or {}


def error_response(status: int, message: str, headers: dict[str, str] | None = None, /, **detail: Any):
    response = jsonify({"error": message, **detail})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.message, exc.headers, **exc.detail)

    @app.errorhandler(SpecError)
    def _spec_error(exc: SpecError):
        return error_response(
            exc.status, f"Invalid chart specification: {exc}", field=exc.field, code=exc.code
        )

    @app.errorhandler(ValidationError)
    def _invalid_input(exc: ValidationError):
        # marshmallow's messages: {"field": ["message", ...]} (nested for nested schemas)
        field, message = _first_message(exc.messages)
        return error_response(
            400, f"Invalid input: {field}: {message}" if field else f"Invalid input: {message}", field=field
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH") or 0
            return error_response(
                413, f"Request body over {limit // (1024 * 1024)} MiB", field="body", maxBytes=limit
            )
        # The exception's own headers stay (a 405's Allow lists the route's methods, RFC 9110).
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return error_response(exc.code or 500, exc.description or exc.name, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return error_response(500, "Internal server error; quote the X-Request-Id when reporting it")


def _first_message(messages: Any, path: str = "") -> tuple[str, str]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            sub = f"{path}.{key}" if path else str(key)
            return _first_message(value, sub)
    if isinstance(messages, list) and messages:
        if all(isinstance(m, str) for m in messages):
            return path, "; ".join(messages)
        return _first_message(messages[0], path)
    return path, str(messages)
