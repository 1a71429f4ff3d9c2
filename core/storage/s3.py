"""The object store on S3 or any S3-compatible server (MinIO in production, moto in tests).

Constructing an :class:`S3ObjectStore` does no network I/O, and the minio client (with its connection
pool) is built lazily per process, so a store created before a prefork worker forks is still safe to
use in the children. The bucket is created on first use if it is missing.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.error import MinioException, S3Error
from minio.helpers import MIN_PART_SIZE, check_bucket_name

from core.storage.base import (
    ObjectNotFound,
    StorageError,
    StoredObject,
    validate_content_type,
    validate_key,
)

# minio's default pool waits 5 minutes per read and retries 5 times; a dead S3 must fail a request
# sooner: refused at once, unreachable after 2 x 3 s, stalled after 2 x 20 s.
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 20.0
_RETRY = urllib3.Retry(total=3, connect=1, read=1, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504))
_MISSING_CODES = {"NoSuchKey", "NoSuchBucket"}
# Everything the minio client raises when the server is down, slow, or answers nonsense.
_BACKEND_ERRORS = (MinioException, urllib3.exceptions.HTTPError, OSError)


def parse_endpoint(endpoint: str) -> tuple[str, bool]:
    """Split ``http://host:port``, ``https://host`` or bare ``host:port`` (plain HTTP) into the
    ``host[:port]`` minio wants and whether to use TLS."""
    if "://" not in endpoint:
        endpoint = f"http://{endpoint}"
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError(f"S3 endpoint must be http(s)://host[:port] or host:port, got {endpoint!r}")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"S3 endpoint must not carry credentials, a query or a fragment: {endpoint!r}")
    return parts.netloc, parts.scheme == "https"


class S3ObjectStore:
    """An :class:`~core.storage.base.ObjectStore` backed by one S3 bucket."""

    def __init__(
        self, endpoint: str, access_key: str, secret_key: str, bucket: str, region: str = "us-east-1"
    ) -> None:
        self._host, self._secure = parse_endpoint(endpoint)
        check_bucket_name(bucket)  # a bad name is a configuration error: fail now, not per request
        self._access_key = access_key
        self._secret_key = secret_key
        self.bucket = bucket
        self.region = region
        self._client: Minio | None = None
        self._pid = 0
        self._bucket_ready = False

    def _minio(self) -> Minio:
        # A connection pool must never be shared across fork(): build a fresh client in each process.
        if self._client is None or self._pid != os.getpid():
            http = urllib3.PoolManager(
                timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
                retries=_RETRY,
                maxsize=10,
            )
            # A known region also keeps presigning offline (no GetBucketLocation round trip).
            self._client = Minio(
                self._host,
                access_key=self._access_key,
                secret_key=self._secret_key,
                secure=self._secure,
                region=self.region,
                http_client=http,
            )
            self._pid = os.getpid()
            self._bucket_ready = False
        return self._client

    def _ensure_bucket(self, client: Minio) -> None:
        if client.bucket_exists(self.bucket):
            return
        try:
            client.make_bucket(self.bucket, location=self.region)
        except S3Error as exc:
            # Another process won the race to create it; that is what we wanted.
            if exc.code != "BucketAlreadyOwnedByYou":
                raise

    def _ready(self) -> Minio:
        client = self._minio()
        if not self._bucket_ready:
            self._ensure_bucket(client)
            self._bucket_ready = True
        return client

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        """Upload ``data`` with the given content type in a single PUT, never multipart, so the etag
        is the MD5 of the bytes as on the local backend."""
        validate_key(key)
        validate_content_type(content_type)
        try:
            result = self._ready().put_object(
                self.bucket,
                key,
                io.BytesIO(data),
                len(data),
                content_type=content_type,
                part_size=max(len(data), MIN_PART_SIZE),
            )
        except _BACKEND_ERRORS as exc:
            if isinstance(exc, S3Error) and exc.code == "NoSuchBucket":
                self._bucket_ready = False  # deleted behind our back: recreate it on the next put
            raise _translate(exc, key) from exc
        return StoredObject(key=key, size=len(data), etag=_etag(result.etag), content_type=content_type)

    def get(self, key: str) -> bytes:
        """Download the object; raise ObjectNotFound if it does not exist."""
        validate_key(key)
        try:
            response = self._ready().get_object(self.bucket, key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()
        except _BACKEND_ERRORS as exc:
            raise _translate(exc, key) from exc

    def stat(self, key: str) -> StoredObject | None:
        """HEAD the object; None if it does not exist."""
        validate_key(key)
        try:
            info = self._ready().stat_object(self.bucket, key)
        except _BACKEND_ERRORS as exc:
            error = _translate(exc, key)
            if isinstance(error, ObjectNotFound):
                return None
            raise error from exc
        return StoredObject(
            key=key,
            size=info.size or 0,
            etag=_etag(info.etag),
            content_type=info.content_type or "application/octet-stream",
        )

    def delete(self, key: str) -> None:
        """Delete the object; S3 treats a missing object as already deleted."""
        validate_key(key)
        try:
            self._ready().remove_object(self.bucket, key)
        except _BACKEND_ERRORS as exc:
            error = _translate(exc, key)
            if not isinstance(error, ObjectNotFound):
                raise error from exc

    def presigned_url(self, key: str, expires: timedelta) -> str | None:
        """A presigned GET URL valid for ``expires`` (1 second to 7 days), computed without I/O."""
        validate_key(key)
        try:
            return self._minio().presigned_get_object(self.bucket, key, expires=expires)
        except _BACKEND_ERRORS as exc:
            raise _translate(exc, key) from exc

    def check(self) -> None:
        """Reach the server and make sure the bucket exists (creating it if needed)."""
        client = self._minio()
        try:
            self._ensure_bucket(client)
        except _BACKEND_ERRORS as exc:
            raise StorageError(f"S3 bucket {self.bucket} at {self._host} is unusable: {exc}") from exc
        self._bucket_ready = True


def _etag(value: str | None) -> str:
    return (value or "").strip('"')


def _translate(exc: Exception, key: str) -> StorageError:
    if isinstance(exc, S3Error) and exc.code in _MISSING_CODES:
        return ObjectNotFound(key)
    if isinstance(exc, S3Error):
        return StorageError(f"S3 refused {key}: {exc.code}: {exc.message}")
    return StorageError(f"S3 request for {key} failed: {exc}")
