"""Rate limiting hook of the request path. Plans and limits arrive with the accounts issue; until
then every principal passes and no headers are added."""

from __future__ import annotations

from core.services.keys import Principal


def check_rate_limit(principal: Principal) -> dict[str, str]:
    """Raise ApiError(429) when ``principal`` is over its limit; return the X-RateLimit-* headers."""
    return {}
