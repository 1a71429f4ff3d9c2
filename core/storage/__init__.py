"""Where rendered images live: the :class:`ObjectStore` protocol and the backend the settings pick.

``local`` keeps files under ``CHARTFLEET_STORAGE_DIR`` (one machine only); ``s3`` talks to MinIO or any
S3-compatible server. Call :func:`build_store` once per process (it does no I/O).
"""

from __future__ import annotations

from core.config import Settings
from core.storage.base import (
    InvalidKey,
    ObjectNotFound,
    ObjectStore,
    StorageError,
    StoredObject,
    object_key,
    validate_key,
)
from core.storage.local import LocalObjectStore
from core.storage.s3 import S3ObjectStore

__all__ = [
    "InvalidKey",
    "LocalObjectStore",
    "ObjectNotFound",
    "ObjectStore",
    "S3ObjectStore",
    "StorageError",
    "StoredObject",
    "build_store",
    "object_key",
    "validate_key",
]


def build_store(settings: Settings) -> ObjectStore:
    """The object store ``settings.storage_backend`` names, configured from ``settings``.

    Raises ValueError for an unknown backend or an ``s3`` backend without an endpoint.
    """
    backend = settings.storage_backend
    if backend == "local":
        return LocalObjectStore(settings.storage_path)
    if backend == "s3":
        if not settings.s3_endpoint:
            raise ValueError("CHARTFLEET_STORAGE=s3 needs CHARTFLEET_S3_ENDPOINT")
        return S3ObjectStore(
            endpoint=settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            bucket=settings.s3_bucket,
            region=settings.s3_region,
        )
    raise ValueError(f"unknown CHARTFLEET_STORAGE backend {backend!r}: expected 'local' or 's3'")
