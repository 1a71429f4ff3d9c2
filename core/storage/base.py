"""What every object store shares: the protocol, its errors, and the rules for keys.

Keys are the same on every backend: lowercase ``[a-z0-9._-]`` segments joined by ``/``, no segment
starting with a dot (so no ``..``, no hidden or temporary files), no leading or trailing slash. Rendered
images live under :func:`object_key`, which derives the key from the render's cache key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from core.specs.model import FILE_EXTENSIONS

MAX_KEY_LENGTH = 512
_SEGMENT = r"[a-z0-9][a-z0-9._-]*"
_KEY_RE = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_CACHE_KEY_RE = re.compile(r"[0-9a-f]{16,128}")
_CONTENT_TYPE_RE = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,254}")


class StorageError(Exception):
    """The object store failed or refused a request; every backend error becomes one of these."""


class ObjectNotFound(StorageError):
    """The requested object does not exist."""


class InvalidKey(StorageError, ValueError):
    """A key breaks the key rules (caught as a ValueError too: it is a caller's mistake)."""


@dataclass(frozen=True)
class StoredObject:
    """What the store knows about one object; ``etag`` is the MD5 hex digest of its bytes."""

    key: str
    size: int
    etag: str
    content_type: str


class ObjectStore(Protocol):
    """Bytes under keys. Implementations: ``LocalObjectStore`` and ``S3ObjectStore``."""

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        """Store ``data`` under ``key`` (replacing any object there) and describe what was stored."""
        ...

    def get(self, key: str) -> bytes:
        """Return the bytes under ``key``; raise :class:`ObjectNotFound` if there are none."""
        ...

    def stat(self, key: str) -> StoredObject | None:
        """Describe the object under ``key``, or return None if there is none."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object under ``key``; a missing object is not an error."""
        ...

    def presigned_url(self, key: str, expires: timedelta) -> str | None:
        """A URL that downloads the object without credentials until ``expires`` has passed, or None
        if the backend cannot serve objects itself (the API then streams the bytes)."""
        ...

    def check(self) -> None:
        """Readiness probe: return if the store is usable, raise :class:`StorageError` otherwise."""
        ...


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it follows the key rules, else raise :class:`InvalidKey`."""
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY_RE.fullmatch(key):
        raise InvalidKey(f"invalid object key: {key!r}")
    return key


def validate_content_type(content_type: str) -> str:
    """Return ``content_type`` if it is a printable single-line ASCII value, else raise ValueError."""
    if not isinstance(content_type, str) or not _CONTENT_TYPE_RE.fullmatch(content_type):
        raise ValueError(f"invalid content type: {content_type!r}")
    return content_type


def object_key(cache_key: str, fmt: str) -> str:
    """The storage key of a rendered image: ``renders/<first two hex digits>/<cache_key>.<ext>``.

    ``cache_key`` must be 16 to 128 lowercase hex digits (the render's canonical hash) and ``fmt`` one
    of ``core.specs.model.FILE_EXTENSIONS``; anything else raises ValueError. The two-digit fan-out
    keeps directories of the local backend small.
    """
    if not isinstance(cache_key, str) or not _CACHE_KEY_RE.fullmatch(cache_key):
        raise ValueError(f"cache key must be 16-128 lowercase hex digits, got {cache_key!r}")
    ext = FILE_EXTENSIONS.get(fmt) if isinstance(fmt, str) else None
    if ext is None:
        raise ValueError(f"unknown image format: {fmt!r}")
    return f"renders/{cache_key[:2]}/{cache_key}.{ext}"
