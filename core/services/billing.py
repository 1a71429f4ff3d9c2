"""The one integration point for payment when an account changes plan from the dashboard.

Chartfleet collects no payment itself. ``authorize_plan_change`` is called (inside the transaction
that changes the plan, before the change) with the account and the target plan's view; a payment
provider hooks in here: create or update the subscription, and return ``Authorization(False, ...)``
when the customer must first add a payment method. The default approves every change, which suits
a self-hosted operator who invoices by other means. The change itself is audited
(``account.plan_changed``) by ``core.services.plans.set_account_plan``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from core.models import Account


@dataclasses.dataclass(frozen=True)
class Authorization:
    approved: bool
    message: str = ""


def authorize_plan_change(account: Account, plan: dict[str, Any]) -> Authorization:
    """Approve moving ``account`` to ``plan`` (no payment is collected: see the module docstring)."""
    del account, plan
    return Authorization(True)
