"""ORM models, one module per aggregate. Importing this package registers every table."""

from core.models.accounts import Account, ApiKey
from core.models.audit import AuditLog
from core.models.brandkits import BrandKit, ChartTemplate
from core.models.jobs import JobStatus, RenderJob
from core.models.market import (
    MarketCandle,
    MarketMetric,
    MarketRollupDirty,
    MarketSymbol,
    MarketSymbolAlias,
    MarketTrade,
)
from core.models.members import Member, MemberSession
from core.models.outbox import OutboxMessage
from core.models.plans import Plan
from core.models.short_charts import ShortChart
from core.models.usage import UsageCounter
from core.models.webhooks import DeliveryStatus, WebhookAttempt, WebhookEndpoint, WebhookMessage

__all__ = [
    "DeliveryStatus",
    "Account",
    "ApiKey",
    "AuditLog",
    "BrandKit",
    "ChartTemplate",
    "JobStatus",
    "MarketCandle",
    "MarketMetric",
    "MarketRollupDirty",
    "MarketSymbol",
    "MarketSymbolAlias",
    "MarketTrade",
    "Member",
    "MemberSession",
    "OutboxMessage",
    "Plan",
    "RenderJob",
    "ShortChart",
    "UsageCounter",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookMessage",
]
