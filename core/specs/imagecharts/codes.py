"""Stable error codes of the Image-Charts dialect (sent in ``X-Ic-Error-Code``) and the one helper
that raises them. Every error names the parameter that is wrong; codes never change meaning."""

from __future__ import annotations

from core.specs.errors import SpecError

MISSING_PARAMETER = "IC_MISSING_PARAMETER"
INVALID_CHART_TYPE = "IC_INVALID_CHART_TYPE"
INVALID_CHART_SIZE = "IC_INVALID_CHART_SIZE"
CHART_SIZE_TOO_LARGE = "IC_CHART_SIZE_TOO_LARGE"
INVALID_DATA = "IC_INVALID_DATA"
INVALID_DATA_SCALING = "IC_INVALID_DATA_SCALING"
INVALID_COLOR = "IC_INVALID_COLOR"
INVALID_ANIMATION = "IC_INVALID_ANIMATION"
INVALID_VALUE = "IC_INVALID_PARAMETER_VALUE"
LIMIT_EXCEEDED = "IC_LIMIT_EXCEEDED"
# Raised by the HTTP layer, listed here so that every code lives in one place.
INVALID_REQUEST = "IC_INVALID_REQUEST"
BODY_TOO_LARGE = "IC_POST_BODY_TOO_LARGE"
UNSUPPORTED_MEDIA_TYPE = "IC_UNSUPPORTED_MEDIA_TYPE"
SIGNATURE_MISSING = "IC_SIGNATURE_MISSING"
INVALID_SIGNATURE = "IC_INVALID_SIGNATURE"
UNKNOWN_ACCOUNT = "IC_UNKNOWN_ACCOUNT"
# The shared render pipeline's errors, as /chart labels them (same status, same body).
PIPELINE_CODES = {
    401: "IC_INVALID_API_KEY",
    402: "IC_QUOTA_EXCEEDED",
    403: "IC_FORBIDDEN",
    410: "IC_IMAGE_EXPIRED",
    422: "IC_IDEMPOTENCY_CONFLICT",
    429: "IC_RATE_LIMITED",
    500: "IC_RENDER_FAILED",
    503: "IC_UNAVAILABLE",
    504: "IC_RENDER_TIMEOUT",
}

ALL_CODES = (
    MISSING_PARAMETER,
    INVALID_CHART_TYPE,
    INVALID_CHART_SIZE,
    CHART_SIZE_TOO_LARGE,
    INVALID_DATA,
    INVALID_DATA_SCALING,
    INVALID_COLOR,
    INVALID_ANIMATION,
    INVALID_VALUE,
    LIMIT_EXCEEDED,
    INVALID_REQUEST,
    BODY_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    SIGNATURE_MISSING,
    INVALID_SIGNATURE,
    UNKNOWN_ACCOUNT,
    *PIPELINE_CODES.values(),
)


def fail(param: str, message: str, code: str = INVALID_VALUE) -> SpecError:
    """The error to raise for ``param``; the message says what is wrong with it."""
    return SpecError(param, message, code=code)


def shown(text: str, limit: int = 40) -> str:
    """A user value quoted for an error message (cut, so a 100 KB value cannot flood a header)."""
    return repr(text if len(text) <= limit else text[:limit] + "...")
