"""The single-machine object store: one file per object under a root directory.

Each file starts with one header line, ``chartfleet-object 1 <md5 hex> <content type>``, followed by
the object's bytes. Keeping the metadata in the same file as the bytes means a single ``os.replace``
publishes both together, so a reader never pairs new bytes with an old content type, and concurrent
writers of one key (several worker processes) simply take turns being the last one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import timedelta
from pathlib import Path

from core.storage.base import (
    ObjectNotFound,
    StorageError,
    StoredObject,
    validate_content_type,
    validate_key,
)

_MAGIC = b"chartfleet-object 1"
_MAX_HEADER = 512
# Errors that mean "there is no object file at this path" (e.g. the key names a directory).
_MISSING = (FileNotFoundError, IsADirectoryError, NotADirectoryError)


class LocalObjectStore:
    """An :class:`~core.storage.base.ObjectStore` on the local filesystem, rooted at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        """Write the object atomically: a temporary file in the same directory, then ``os.replace``."""
        path = self._path(key)
        validate_content_type(content_type)
        etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
        header = b"%s %s %s\n" % (_MAGIC, etag.encode(), content_type.encode())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # The leading dot keeps temporary names outside the key space (keys never start with one).
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as exc:
            raise StorageError(f"cannot write {key}: {exc}") from exc
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), 0o644)
                f.write(header)
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            _unlink_quietly(tmp)
            raise StorageError(f"cannot write {key}: {exc}") from exc
        except BaseException:
            _unlink_quietly(tmp)
            raise
        return StoredObject(key=key, size=len(data), etag=etag, content_type=content_type)

    def get(self, key: str) -> bytes:
        """Return the object's bytes; raise ObjectNotFound if there is no object under ``key``."""
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except _MISSING as exc:
            raise ObjectNotFound(key) from exc
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc}") from exc
        newline = raw.find(b"\n", 0, _MAX_HEADER)
        _parse_header(key, raw[: newline + 1] if newline >= 0 else b"")
        return raw[newline + 1 :]

    def stat(self, key: str) -> StoredObject | None:
        """Describe the object from its header line and file size, or None if it does not exist."""
        path = self._path(key)
        try:
            with path.open("rb") as f:
                header = f.readline(_MAX_HEADER)
                size = os.fstat(f.fileno()).st_size - len(header)
        except _MISSING:
            return None
        except OSError as exc:
            raise StorageError(f"cannot stat {key}: {exc}") from exc
        etag, content_type = _parse_header(key, header)
        return StoredObject(key=key, size=size, etag=etag, content_type=content_type)

    def delete(self, key: str) -> None:
        """Remove the object's file; a missing object is fine. Empty directories are left in place."""
        path = self._path(key)
        try:
            path.unlink()
        except _MISSING:
            return
        except OSError as exc:
            raise StorageError(f"cannot delete {key}: {exc}") from exc

    def presigned_url(self, key: str, expires: timedelta) -> str | None:
        """Always None: local objects have no URL of their own, the API streams them."""
        validate_key(key)
        return None

    def check(self) -> None:
        """Create the root directory if needed and make sure this process can write to it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"storage directory {self.root} is unusable: {exc}") from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageError(f"storage directory {self.root} is not writable")


def _parse_header(key: str, header: bytes) -> tuple[str, str]:
    parts = header.rstrip(b"\n").split(b" ", 3)
    if len(parts) != 4 or b" ".join(parts[:2]) != _MAGIC or not header.endswith(b"\n"):
        raise StorageError(f"object {key} is not a Chartfleet object file")
    try:
        return parts[2].decode("ascii"), parts[3].decode("ascii")
    except UnicodeDecodeError as exc:
        raise StorageError(f"object {key} has a corrupt header") from exc


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
