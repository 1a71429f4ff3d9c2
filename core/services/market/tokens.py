"""Access tokens of the TradingView-style market API: HS256 JWTs issued against an API key.

The signing key is derived from CHARTFLEET_SECRET_KEY for this one purpose. A token names the API
key it was issued for, and every use checks that the key is still usable, so revoking or expiring
the key ends its tokens too. Error messages follow the wording the API's clients know.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import uuid

import jwt
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import ApiKey

ISSUER = "chartfleet"
AUDIENCE = "chartfleet-market"
ALGORITHM = "HS256"


class TokenError(ValueError):
    """A token that cannot be used; the message is what the client is told."""


@dataclasses.dataclass(frozen=True)
class TokenClaims:
    """Who a valid token speaks for, and until when."""

    account_id: uuid.UUID
    api_key_id: uuid.UUID
    expires_at: int


def _signing_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"chartfleet market access tokens", hashlib.sha256).digest()


def issue_token(
    secret: str,
    account_id: uuid.UUID,
    api_key_id: uuid.UUID,
    ttl_seconds: int,
    now: dt.datetime | None = None,
) -> tuple[str, int]:
    """A signed token and its expiry (unix seconds)."""
    issued = int((now or utcnow()).timestamp())
    expires = issued + ttl_seconds
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(account_id),
        "kid": str(api_key_id),
        "iat": issued,
        "exp": expires,
    }
    return jwt.encode(claims, _signing_key(secret), algorithm=ALGORITHM), expires


def verify_token(secret: str, token: str) -> TokenClaims:
    """The claims of a valid token; raises TokenError otherwise."""
    try:
        claims = jwt.decode(
            token,
            _signing_key(secret),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "kid"]},
        )
        return TokenClaims(
            account_id=uuid.UUID(claims["sub"]), api_key_id=uuid.UUID(claims["kid"]), expires_at=claims["exp"]
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("token has invalid claims: token is expired") from exc
    except jwt.InvalidSignatureError as exc:
        raise TokenError("token signature is invalid: signature is invalid") from exc
    except jwt.DecodeError as exc:
        raise TokenError(f"token is malformed: {exc}") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise TokenError(f"token has invalid claims: {exc}") from exc


def key_still_usable(session: Session, claims: TokenClaims) -> bool:
    """True while the token's API key is neither revoked nor expired."""
    now = utcnow()
    return (
        session.scalar(
            select(ApiKey.id).where(
                ApiKey.id == claims.api_key_id,
                ApiKey.account_id == claims.account_id,
                ApiKey.revoked_at.is_(None),
                or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
            )
        )
        is not None
    )
