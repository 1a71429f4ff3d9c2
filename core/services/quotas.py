"""Where plans, quotas and rate limits plug into the render path.

``charge_render`` runs inside the transaction that inserts the job row, so a charge and the job it
pays for commit or roll back together. Plans and quotas are a later issue: today every principal
is allowed and nothing is counted; cache hits and idempotent replays never reach this function.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.services.keys import Principal


class QuotaExceeded(Exception):
    """Raised by ``charge_render`` when the principal may not render now (the api answers 402)."""

    def __init__(self, body: dict[str, object]):
        super().__init__(body.get("error", "quota exceeded"))
        self.body = body


def charge_render(session: Session, principal: Principal, fmt: str) -> None:
    """Charge one render to ``principal`` or raise ``QuotaExceeded``. No-op until plans exist."""
    return None
