"""Signed Image-Charts URLs: each account's signing secret (created and rotated by the operator,
stored encrypted) and the check of a request's ``icac``/``ichm`` signature.

A URL is signed by appending ``&ichm=<hex HMAC-SHA256>`` computed with the account's secret over
the query string exactly as sent, ``icac=<account>`` included, up to (not including) ``&ichm``.
Parameters after ``ichm`` are not covered by the signature; only ``chof`` (the image extension some
chat clients want at the very end of a URL, which never changes the image) may follow it.

Secrets must be usable as HMAC keys, so they are encrypted (Fernet, with a key derived from
``CHARTFLEET_SECRET_KEY`` by HKDF-SHA256), never hashed. Rotating a secret replaces it at once:
URLs signed with the old one stop verifying.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from urllib.parse import unquote_plus

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import Account
from core.services import audit
from core.specs.imagecharts import codes

SECRET_BYTES = 32
SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")
UNSIGNED_AFTER_SIGNATURE = frozenset({"chof"})
_HKDF_SALT = b"chartfleet/imagecharts-signing-secrets/v1"


class SigningError(Exception):
    """A signed request that must be refused (403): ``code`` is the Image-Charts error code."""

    def __init__(self, code: str, message: str, parameter: str = "ichm"):
        super().__init__(message)
        self.code = code
        self.message = message
        self.parameter = parameter  # the parameter at fault: ichm, or icac


@dataclass(frozen=True)
class SignedQuery:
    """A query string split at its signature."""

    message: bytes  # what was signed, byte for byte: everything before "&ichm="
    signature: str
    account: str  # icac, decoded


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=b"fernet").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def decrypt_secret(token: str, secret_key: str) -> str | None:
    """The clear secret, or None when it cannot be decrypted (CHARTFLEET_SECRET_KEY changed)."""
    try:
        return _fernet(secret_key).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def generate_secret() -> str:
    return secrets.token_hex(SECRET_BYTES)


def set_signing_secret(session: Session, account: Account, secret_key: str, actor: audit.Actor) -> str:
    """Give ``account`` a new signing secret (replacing any previous one, audited) and return it
    in clear: the only time it is shown."""
    secret = generate_secret()
    before = account.signing_secret_rotated_at
    now = utcnow()
    account.signing_secret = encrypt_secret(secret, secret_key)
    account.signing_secret_rotated_at = now
    session.flush()
    audit.record(
        session,
        "account.signing_secret_rotated" if before else "account.signing_secret_created",
        actor,
        account.id,
        ("account", account.id),
        before={"signingSecretRotatedAt": before},
        after={"signingSecretRotatedAt": now},
    )
    return secret


def find_signing_account(session: Session, reference: str) -> Account | None:
    """The account ``icac`` names: its name, or its id."""
    account = session.scalars(select(Account).where(Account.name == reference)).first()
    if account is None:
        try:
            account = session.get(Account, uuid.UUID(reference))
        except ValueError:
            account = None
    return account


def sign(query: str | bytes, secret: str) -> str:
    """The ``ichm`` value for ``query`` (the query string that ends with the icac parameter set)."""
    message = query.encode() if isinstance(query, str) else query
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def split_signed_query(raw: bytes) -> SignedQuery | None:
    """Split a raw (still percent-encoded) query string or form body at ``ichm``.

    Returns None when neither ``icac`` nor ``ichm`` is present (an unsigned request). Raises
    ``SigningError`` for a half-signed or malformed one.
    """
    pairs = raw.split(b"&") if raw else []
    names = [_decoded(p.split(b"=", 1)[0]) for p in pairs]
    if "icac" not in names and "ichm" not in names:
        return None
    if "ichm" not in names:
        raise SigningError(codes.SIGNATURE_MISSING, "icac is set but ichm (the URL signature) is missing")
    position = names.index("ichm")
    signature = _decoded(pairs[position].split(b"=", 1)[1]) if b"=" in pairs[position] else ""
    if not SIGNATURE.fullmatch(signature):
        raise SigningError(codes.INVALID_SIGNATURE, "ichm must be a hex HMAC-SHA256 (64 hexadecimal digits)")
    signed_names = names[:position]
    if "icac" not in signed_names:
        raise SigningError(
            codes.SIGNATURE_MISSING, "icac (the account id) must come before ichm in the signed URL"
        )
    trailing = [n for n in names[position + 1 :] if n]
    if any(n not in UNSIGNED_AFTER_SIGNATURE for n in trailing):
        raise SigningError(
            codes.INVALID_SIGNATURE, "only chof may follow ichm; every other parameter must be signed"
        )
    icac_pair = pairs[signed_names.index("icac")]
    account = _decoded(icac_pair.split(b"=", 1)[1]) if b"=" in icac_pair else ""
    return SignedQuery(message=b"&".join(pairs[:position]), signature=signature.lower(), account=account)


def _decoded(part: bytes) -> str:
    return unquote_plus(part.decode("utf-8", "replace"))


def verify(session: Session, signed: SignedQuery, secret_key: str) -> Account:
    """The account that signed the request, or ``SigningError`` (unknown account, no secret, or
    a signature that does not match)."""
    account = find_signing_account(session, signed.account) if signed.account else None
    if account is None:
        raise SigningError(codes.UNKNOWN_ACCOUNT, "icac does not name an account", "icac")
    secret = decrypt_secret(account.signing_secret, secret_key) if account.signing_secret else None
    if secret is None:
        raise SigningError(codes.UNKNOWN_ACCOUNT, "icac names an account without a signing secret", "icac")
    if not hmac.compare_digest(sign(signed.message, secret), signed.signature):
        raise SigningError(codes.INVALID_SIGNATURE, "ichm does not match the signed query string")
    return account
