"""Every knob of Chartfleet, read from ``CHARTFLEET_*`` environment variables in one place.

``Settings.from_env()`` is the only reader of the environment; everything else receives a
``Settings``. Defaults work on a developer machine with Postgres and Redis on localhost. The docs'
configuration table (docs/operations.md, `make docs`) is generated from ``Settings.documented()``.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _setting(env: str, default: Any, doc: str) -> Any:
    return field(default=default, metadata={"env": env, "doc": doc})


@dataclass(frozen=True)
class Settings:
    database_url: str = _setting(
        "CHARTFLEET_DATABASE_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/chartfleet",
        "SQLAlchemy URL of the Postgres database (psycopg 3 driver).",
    )
    redis_url: str = _setting(
        "CHARTFLEET_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis for job events, caches and counters."
    )
    broker_url: str = _setting(
        "CHARTFLEET_BROKER_URL", "", "Celery broker URL; empty means the same as CHARTFLEET_REDIS_URL."
    )
    redis_prefix: str = _setting(
        "CHARTFLEET_REDIS_PREFIX", "cf:", "Prefix of every Redis key and channel Chartfleet uses."
    )
    queue_prefix: str = _setting(
        "CHARTFLEET_QUEUE_PREFIX", "", "Prefix of the Celery queue names (lets test suites share a broker)."
    )
    storage: str = _setting(
        "CHARTFLEET_STORAGE",
        "",
        "Object store backend: `local` or `s3`; empty picks `s3` when CHARTFLEET_S3_ENDPOINT is set.",
    )
    storage_dir: str = _setting(
        "CHARTFLEET_STORAGE_DIR", "var/storage", "Directory of the `local` backend (relative to the project)."
    )
    s3_endpoint: str = _setting(
        "CHARTFLEET_S3_ENDPOINT",
        "",
        "S3/MinIO endpoint, e.g. `http://127.0.0.1:9000`; enables the s3 backend.",
    )
    s3_access_key: str = _setting("CHARTFLEET_S3_ACCESS_KEY", "minioadmin", "S3 access key.")
    s3_secret_key: str = _setting("CHARTFLEET_S3_SECRET_KEY", "minioadmin", "S3 secret key.")
    s3_bucket: str = _setting("CHARTFLEET_S3_BUCKET", "chartfleet", "Bucket for images (created if missing).")
    s3_region: str = _setting("CHARTFLEET_S3_REGION", "us-east-1", "S3 region.")
    public_url: str = _setting(
        "CHARTFLEET_PUBLIC_URL", "http://127.0.0.1:8000", "Base URL used in links the API returns."
    )
    bind: str = _setting(
        "CHARTFLEET_BIND",
        "0.0.0.0",  # noqa: S104 - a server process listens on all interfaces
        "Address the api process listens on.",
    )
    port: int = _setting("CHARTFLEET_PORT", 8000, "Port of the api process (`make run`, Procfile).")
    web_processes: int = _setting("CHARTFLEET_WEB_PROCESSES", 2, "gunicorn worker processes of the api.")
    web_concurrency: int = _setting(
        "CHARTFLEET_WEB_CONCURRENCY", 16, "gunicorn threads per api process (see deploy/gunicorn.conf.py)."
    )
    worker_concurrency: int = _setting("CHARTFLEET_WORKER_CONCURRENCY", 2, "Render worker processes.")
    sync_timeout: float = _setting(
        "CHARTFLEET_SYNC_TIMEOUT",
        30.0,
        "Seconds a synchronous render waits before answering 504 with the job id.",
    )
    url_ttl: int = _setting("CHARTFLEET_URL_TTL", 3600, "Seconds a presigned image URL stays valid.")
    retention_days: int = _setting(
        "CHARTFLEET_RETENTION_DAYS",
        30,
        "Days an image is kept when no plan says (plans set it: `chartfleet plans set --retention-days`).",
    )
    render_soft_limit: int = _setting(
        "CHARTFLEET_RENDER_SOFT_LIMIT", 30, "Soft time limit of one render, seconds (job marked failed)."
    )
    render_hard_limit: int = _setting(
        "CHARTFLEET_RENDER_HARD_LIMIT", 45, "Hard time limit of one render, seconds (worker child killed)."
    )
    max_attempts: int = _setting(
        "CHARTFLEET_MAX_ATTEMPTS", 3, "Deliveries of a render job before it is marked `dead`."
    )
    stuck_after: int = _setting(
        "CHARTFLEET_STUCK_AFTER",
        90,
        "Seconds after which a queued/running job is considered stuck and requeued.",
    )
    dead_worker_after: float = _setting(
        "CHARTFLEET_DEAD_WORKER_AFTER",
        10.0,
        "Seconds a running job may go without a live worker holding its lock before it is requeued "
        "(the lock is the worker's heartbeat: Postgres drops it when the worker's connection dies).",
    )
    worker_max_memory_mb: int = _setting(
        "CHARTFLEET_WORKER_MAX_MEMORY_MB",
        1536,
        "A render worker's pool child is replaced after a task leaves it above this resident size, MiB "
        "(the largest image the caps allow, 50 MP with 50,000 points, peaks near 1.6 GB).",
    )
    storage_retry_after: float = _setting(
        "CHARTFLEET_STORAGE_RETRY_AFTER",
        10.0,
        "Seconds the object store is considered down after a failed write: sync renders answer 503 "
        "and waiting jobs are held back meanwhile.",
    )
    outbox_interval: float = _setting(
        "CHARTFLEET_OUTBOX_INTERVAL", 2.0, "Seconds between outbox relay runs (beat)."
    )
    auth_cache_max_age: float = _setting(
        "CHARTFLEET_AUTH_CACHE_MAX_AGE",
        60.0,
        "Seconds an api process keeps a resolved API key (account and plan terms) before reading it "
        "again; any change to keys, accounts or plans empties every process's cache at once "
        "(Postgres NOTIFY). 0 disables the cache.",
    )
    hit_flush_interval: float = _setting(
        "CHARTFLEET_HIT_FLUSH_INTERVAL",
        1.0,
        "Seconds between flushes (beat) of the cache hits recorded in Redis into render history.",
    )
    hit_claim_after: float = _setting(
        "CHARTFLEET_HIT_CLAIM_AFTER",
        30.0,
        "Seconds a cache hit read by a flush that never finished waits before another flush claims it.",
    )
    outbox_grace: float = _setting(
        "CHARTFLEET_OUTBOX_GRACE",
        30.0,
        "Seconds an unconsumed outbox message waits before the relay resends it (once its queue is idle).",
    )
    trusted_proxies: int = _setting(
        "CHARTFLEET_TRUSTED_PROXIES", 0, "How many proxies in front of the api append to X-Forwarded-For."
    )
    key_environment: str = _setting(
        "CHARTFLEET_KEY_ENVIRONMENT", "live", "Environment tag of new API keys: `live` or `test`."
    )
    secret_key: str = _setting(
        "CHARTFLEET_SECRET_KEY", "dev-insecure-change-me", "Secret for sessions and signed tokens."
    )
    rate_limit_on_redis_error: str = _setting(
        "CHARTFLEET_RATE_LIMIT_ON_REDIS_ERROR",
        "allow",
        "When Redis is unreachable: `allow` serves requests unlimited, `deny` answers 503 (never 500).",
    )
    anonymous_plan: str = _setting(
        "CHARTFLEET_ANONYMOUS_PLAN",
        "starter",
        "Plan whose terms (quota per address, rate limit, sizes, formats, retention) callers without a "
        "key get: `starter` as the API documents; `anonymous` for the separately editable plan. "
        "Anonymous callers never get webhooks.",
    )
    auth_limit_per_address: int = _setting(
        "CHARTFLEET_AUTH_LIMIT_PER_ADDRESS",
        20,
        "Failed authentications (bad API keys, bad signatures, failed log-ins and authorizes) plus "
        "sign-ups one client address (IPv6: /64) may make per auth window before 429.",
    )
    auth_limit_per_account: int = _setting(
        "CHARTFLEET_AUTH_LIMIT_PER_ACCOUNT",
        10,
        "Failed log-ins and authorizes naming one account (email or account name), from any address, "
        "per auth window before that name is refused with 429.",
    )
    auth_window_seconds: int = _setting(
        "CHARTFLEET_AUTH_WINDOW_SECONDS",
        900,
        "Window of the two authentication limits, seconds (fixed, starts with the first failure).",
    )
    session_hours: int = _setting(
        "CHARTFLEET_SESSION_HOURS", 168, "Lifetime of a dashboard log-in session, hours."
    )
    signup_enabled: bool = _setting(
        "CHARTFLEET_SIGNUP_ENABLED",
        True,
        "Whether anyone may sign up at /signup (operators can always use the CLI).",
    )
    market_writers: str = _setting(
        "CHARTFLEET_MARKET_WRITERS",
        "",
        "Accounts (names or ids, comma-separated; `*` = any account) whose API keys may POST trades "
        "and klines. Empty: ingestion only through the CLI.",
    )
    market_rollup_interval: float = _setting(
        "CHARTFLEET_MARKET_ROLLUP_INTERVAL", 5.0, "Seconds between candle roll-up runs (beat)."
    )
    market_token_ttl: int = _setting(
        "CHARTFLEET_MARKET_TOKEN_TTL", 3600, "Seconds a token from POST /api/v1/authorize stays valid."
    )
    market_max_batch: int = _setting(
        "CHARTFLEET_MARKET_MAX_BATCH", 10000, "Most trades or klines accepted in one POST."
    )
    stream_port: int = _setting(
        "CHARTFLEET_STREAM_PORT", 8001, "Port of the streaming process (gevent; serves /api/v1/streaming)."
    )
    stream_processes: int = _setting(
        "CHARTFLEET_STREAM_PROCESSES", 1, "gunicorn processes of the streaming service."
    )
    stream_connections: int = _setting(
        "CHARTFLEET_STREAM_CONNECTIONS",
        1000,
        "Open connections per streaming process (gevent worker_connections).",
    )
    stream_api_limit: int = _setting(
        "CHARTFLEET_STREAM_API_LIMIT",
        4,
        "Streams one api process serves itself (each holds a thread); more get 503 and belong on the "
        "streaming service.",
    )
    watermark_unsigned: bool = _setting(
        "CHARTFLEET_WATERMARK_UNSIGNED",
        False,
        "Draw a watermark on `/chart` renders that are neither signed (icac/ichm) nor made with an API key.",
    )
    watermark_text: str = _setting(
        "CHARTFLEET_WATERMARK_TEXT",
        "Chartfleet",
        "Text of that watermark (bottom right, small, translucent).",
    )
    finance_default_symbol: str = _setting(
        "CHARTFLEET_FINANCE_DEFAULT_SYMBOL",
        "BINANCE:BTCUSDT",
        "Symbol of a finance snapshot (/v3/coinglass/advanced-chart) whose body names none. The "
        "document's BINANCE:BTCUSDT.P is a perpetual the demo data does not hold (docs/finance.md).",
    )
    webhook_allowlist: str = _setting(
        "CHARTFLEET_WEBHOOK_ALLOWLIST",
        "",
        "Webhook destinations exempt from the SSRF rules: CIDRs and host names, comma-separated "
        "(development and tests only; empty in production).",
    )
    webhook_ports: str = _setting(
        "CHARTFLEET_WEBHOOK_PORTS",
        "80,443,1024-65535",
        "Ports a webhook URL may use: numbers and ranges, comma-separated.",
    )
    webhook_timeout: float = _setting(
        "CHARTFLEET_WEBHOOK_TIMEOUT", 15.0, "Seconds a receiver has to answer a webhook with a 2xx."
    )
    webhook_disable_after: float = _setting(
        "CHARTFLEET_WEBHOOK_DISABLE_AFTER",
        432000.0,
        "Seconds an endpoint may fail every attempt before it is disabled (default 5 days).",
    )
    webhook_secret_grace: float = _setting(
        "CHARTFLEET_WEBHOOK_SECRET_GRACE",
        86400.0,
        "Default seconds a rotated webhook secret keeps signing deliveries beside the new one.",
    )
    webhook_scan_interval: float = _setting(
        "CHARTFLEET_WEBHOOK_SCAN_INTERVAL", 2.0, "Seconds between scans for due webhook retries (beat)."
    )
    webhook_redispatch_after: float = _setting(
        "CHARTFLEET_WEBHOOK_REDISPATCH_AFTER",
        60.0,
        "Seconds after which a due delivery nobody is sending (idle queue, no lock) is queued again.",
    )
    gc_gen0_threshold: int = _setting(
        "CHARTFLEET_GC_GEN0_THRESHOLD",
        20000,
        "Allocations between the garbage collector's young passes in api and render worker "
        "processes (Python's default is 700; 0 keeps it). See core/runtime.py.",
    )
    fault_render_delay: float = _setting(
        "CHARTFLEET_FAULT_RENDER_DELAY",
        0.0,
        "Testing only: seconds every render sleeps (crash-recovery tests).",
    )
    log_level: str = _setting("CHARTFLEET_LOG_LEVEL", "INFO", "Log level of every process.")
    log_format: str = _setting(
        "CHARTFLEET_LOG_FORMAT",
        "text",
        "`text` (a line per record) or `json` (one JSON object per line, with the request id).",
    )
    metrics_token: str = _setting(
        "CHARTFLEET_METRICS_TOKEN",
        "",
        "Bearer token /metrics requires (empty: open, for a scraper on the private network only).",
    )
    worker_metrics_port: int = _setting(
        "CHARTFLEET_WORKER_METRICS_PORT",
        0,
        "Port on which a render/webhooks worker serves its Prometheus metrics (0: none).",
    )
    control_socket: str = _setting(
        "CHARTFLEET_CONTROL_SOCKET",
        "",
        "gunicorn control socket: empty gives each instance its own, "
        "`$XDG_RUNTIME_DIR` (else the temp dir)`/chartfleet-<uid>/<service>-<port>.ctl`; `off` "
        "disables it; anything else is the path.",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None:
                continue
            values[f.name] = _coerce(f.metadata["env"], raw, type(f.default))
        values.update(overrides)
        return cls(**values)

    @classmethod
    def documented(cls) -> list[tuple[str, Any, str]]:
        return [(f.metadata["env"], f.default, f.metadata["doc"]) for f in dataclasses.fields(cls)]

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or self.redis_url

    @property
    def storage_backend(self) -> str:
        if self.storage:
            return self.storage
        return "s3" if self.s3_endpoint else "local"

    def control_socket_path(self, service: str, port: int) -> str | None:
        """The gunicorn control socket of one instance (None: disabled). gunicorn's own default is
        one path per user, which a second instance on the host replaces and later deletes."""
        if self.control_socket.strip().lower() == "off":
            return None
        if self.control_socket.strip():
            return self.control_socket.strip()
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        base = Path(runtime) if runtime and os.path.isdir(runtime) else Path(tempfile.gettempdir())
        return str(base / f"chartfleet-{os.getuid()}" / f"{service}-{port}.ctl")

    @property
    def storage_path(self) -> Path:
        p = Path(self.storage_dir)
        return p if p.is_absolute() else PROJECT_ROOT / p


def _coerce(name: str, raw: str, kind: type) -> Any:
    try:
        if kind is bool:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name}: expected {kind.__name__}, got {raw!r}") from exc
    return raw
