"""``chartfleet accounts``, ``chartfleet plans`` and ``chartfleet openapi``: operator tasks.

Every change made here is audited with the operator (the login name running the command) as actor.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from core.config import Settings


@contextmanager
def _transaction() -> Iterator[Any]:
    from core.db import session_factory, transaction

    with transaction(session_factory(Settings.from_env().database_url)) as session:
        yield session


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def scope_option(help_text: str):
    """``--scope``, repeated once per scope of a new key (the key service's default scopes)."""
    return click.option(
        "--scope", "scopes", multiple=True, default=("render", "read"), show_default=True, help=help_text
    )


@click.group("accounts")
def accounts() -> None:
    """Accounts, their plan and their members."""


@accounts.command("create")
@click.argument("name")
@click.option("--plan", default="starter", show_default=True, help="Plan of the new account.")
@click.option("--owner-email", help="Also add this person as the account's owner (prompts for a password).")
@click.option("--with-key", is_flag=True, help="Also create an API key and print it.")
@scope_option("Scope of the --with-key key (repeat: render, read, manage).")
def accounts_create(
    name: str, plan: str, owner_email: str | None, with_key: bool, scopes: tuple[str, ...]
) -> None:
    """Create an account (audited). Prints its id, and the key when --with-key."""
    from core.services import audit, keys, members
    from core.services.accounts import AccountError, create_account
    from core.services.plans import PlanError

    password = None
    if owner_email:
        password = click.prompt("Owner's password", hide_input=True, confirmation_prompt=True)
    actor = audit.Actor.operator()
    try:
        with _transaction() as session:
            account = create_account(session, name, plan, actor)
            if owner_email:
                members.add_member(session, account, owner_email, password, actor, role="owner")
            key = None
            if with_key:
                _, key = keys.issue_key(
                    session,
                    account,
                    name="created with the account",
                    environment=Settings.from_env().key_environment,
                    scopes=scopes,
                    actor=actor,
                )
            account_id = account.id
    except (AccountError, PlanError, members.MemberError, keys.KeyRequestError) as exc:
        raise _fail(exc) from exc
    click.echo(f"account {name} ({account_id}) on plan {plan}", err=True)
    if key:
        click.echo(key)


@accounts.command("list")
def accounts_list() -> None:
    """Accounts with their plan and this month's charged renders."""
    from sqlalchemy import select

    from core.models import Account
    from core.services.quotas import current_usage

    with _transaction() as session:
        rows = session.scalars(select(Account).order_by(Account.created_at)).all()
        click.echo("| account | id | plan | trial ends | renders this month | custom domain |")
        click.echo("|---|---|---|---|---|---|")
        for a in rows:
            used = current_usage(session, f"account:{a.id}")
            trial = a.trial_ends_at.strftime("%Y-%m-%d") if a.trial_ends_at else ""
            click.echo(f"| {a.name} | {a.id} | {a.plan_name} | {trial} | {used} | {a.custom_domain or ''} |")


@accounts.command("set-plan")
@click.argument("account")
@click.argument("plan")
@click.option(
    "--trial-days", type=click.IntRange(1, 365), help="Length of the trial when PLAN is a trial plan."
)
def accounts_set_plan(account: str, plan: str, trial_days: int | None) -> None:
    """Move ACCOUNT (name or id) to PLAN (audited)."""
    from core.services import audit
    from core.services.accounts import AccountError, find_account
    from core.services.plans import PlanError, set_account_plan

    try:
        with _transaction() as session:
            row = find_account(session, account)
            set_account_plan(session, row, plan, audit.Actor.operator(), trial_days=trial_days)
            ends = row.trial_ends_at
    except (AccountError, PlanError) as exc:
        raise _fail(exc) from exc
    click.echo(f"{account} is on plan {plan}" + (f" (trial until {ends:%Y-%m-%d %H:%M} UTC)" if ends else ""))


@accounts.command("add-member")
@click.argument("account")
@click.argument("email")
@click.option("--role", type=click.Choice(["owner", "member"]), default="member", show_default=True)
def accounts_add_member(account: str, email: str, role: str) -> None:
    """Add a person who can log in to ACCOUNT's dashboard (prompts for a password; audited)."""
    from core.services import audit, members
    from core.services.accounts import AccountError, find_account

    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with _transaction() as session:
            row = find_account(session, account)
            members.add_member(session, row, email, password, audit.Actor.operator(), role=role)
    except (AccountError, members.MemberError) as exc:
        raise _fail(exc) from exc
    click.echo(f"{email} can log in to {account}")


@click.group("plans")
def plans() -> None:
    """The plan catalogue (quotas, rate limits, formats, prices)."""


@plans.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def plans_list(as_json: bool) -> None:
    """Every plan and its terms."""
    from core.services.plans import list_plans, plan_view

    with _transaction() as session:
        views = [plan_view(p) for p in list_plans(session)]
    if as_json:
        click.echo(json.dumps(views, indent=2))
        return
    click.echo(
        "| plan | renders/month | overage c/1000 | rate limit | max size | formats | retention | webhooks | "
        "price c/month | trial days |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    for v in views:
        overage = "hard limit" if v["overageCentsPer1000"] is None else v["overageCentsPer1000"]
        click.echo(
            f"| {v['name']} | {v['monthlyQuota']} | {overage} | {v['rateLimit']}/{v['rateWindowSeconds']}s | "
            f"{v['maxWidth']}x{v['maxHeight']} | {','.join(v['formats'])} | {v['retentionDays']} d | "
            f"{'yes' if v['webhooksAllowed'] else 'no'} | {v['priceCents']} | {v['trialDays'] or ''} |"
        )


def _optional_int(value: str | None) -> int | None:
    return None if value is None or value.lower() in ("none", "null", "") else int(value)


@plans.command("set")
@click.argument("name")
@click.option("--display-name")
@click.option("--monthly-quota", type=click.IntRange(min=0))
@click.option(
    "--overage-cents-per-1000",
    help="Price of 1,000 renders past the quota; 'none' makes the quota a hard stop.",
)
@click.option("--rate-limit", type=click.IntRange(min=1), help="Requests per window.")
@click.option("--rate-window-seconds", type=click.IntRange(min=1))
@click.option("--max-width", type=click.IntRange(100, 4000))
@click.option("--max-height", type=click.IntRange(100, 4000))
@click.option("--formats", help="Comma-separated: png,jpeg,svg,webp,gif,pdf.")
@click.option("--retention-days", type=click.IntRange(min=1))
@click.option("--webhooks/--no-webhooks", default=None)
@click.option("--price-cents", type=click.IntRange(min=0))
@click.option("--trial-days", help="Length of a trial on this plan; 'none' for a regular plan.")
def plans_set(name: str, **options: Any) -> None:
    """Change the terms of plan NAME (audited). Takes effect on the next request."""
    from core.services import audit
    from core.services.plans import PlanError, plan_view, update_plan

    changes: dict[str, Any] = {}
    for option, value in options.items():
        if value is None:
            continue
        if option == "webhooks":
            changes["webhooks_allowed"] = value
        elif option == "formats":
            changes["formats"] = value.split(",")
        elif option in ("overage_cents_per_1000", "trial_days"):
            try:
                changes[option] = _optional_int(value)
            except ValueError as exc:
                raise click.BadParameter(f"{value!r} is not a number or 'none'", param_hint=option) from exc
        else:
            changes[option] = value
    if not changes:
        raise click.UsageError("nothing to change: give at least one option")
    try:
        with _transaction() as session:
            view = plan_view(update_plan(session, name, changes, audit.Actor.operator()))
    except PlanError as exc:
        raise _fail(exc) from exc
    click.echo(json.dumps(view, indent=2))


@click.command("openapi")
@click.option(
    "--postman", is_flag=True, help="Write a Postman collection (v2.1) instead of the OpenAPI document."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout)."
)
@click.option("--server-url", help="Base URL in the document (default CHARTFLEET_PUBLIC_URL).")
def openapi(postman: bool, output: Path | None, server_url: str | None) -> None:
    """Print the OpenAPI 3.1 document (or, with --postman, a Postman collection made from it)."""
    from api.app import create_app
    from api.openapi import build
    from api.postman import collection

    # Building the app connects to nothing (database, Redis and storage clients are lazy).
    document = build(create_app(), server_url=server_url)
    payload = collection(document) if postman else document
    text = json.dumps(payload, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)
        click.echo(f"wrote {output}", err=True)
