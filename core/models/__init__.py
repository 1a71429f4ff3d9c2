"""ORM models, one module per aggregate. Importing this package registers every table."""

from core.models.accounts import Account, ApiKey
from core.models.jobs import JobStatus, RenderJob
from core.models.outbox import OutboxMessage

__all__ = ["Account", "ApiKey", "JobStatus", "OutboxMessage", "RenderJob"]
