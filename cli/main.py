"""The ``chartfleet`` command line: operator tasks and in-process rendering.

Subcommand groups live in their own modules of this package (accounts, market, signing); the CLI sits
above ``api`` (the OpenAPI export) and ``worker`` (``chartfleet render`` embeds the renderer).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cli import docs
from cli.accounts import accounts, openapi, plans, scope_option
from cli.market import market
from cli.signing import signing_secret
from core.config import PROJECT_ROOT, Settings


@click.group()
def main() -> None:
    """Chartfleet: chart images from Chart.js specs, Image-Charts URLs and market data."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create the database if it is missing and apply migrations (the deploy's release step)."""
    from alembic import command
    from alembic.config import Config

    from core.db import ensure_database

    settings = Settings.from_env()
    if ensure_database(settings.database_url):
        click.echo("created database")
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = settings.database_url
    command.upgrade(cfg, revision)
    click.echo(f"database at {revision}")


@main.group()
def keys() -> None:
    """API keys."""


@keys.command("create")
@click.option("--account", "account_name", required=True, help="Account name (created if missing).")
@click.option("--name", default="", help="A label for the key.")
@click.option("--test", "test_key", is_flag=True, help="Create a pk_test_ key instead of pk_live_.")
@scope_option("Repeat for each scope: render, read, manage.")
@click.option("--expires-days", type=click.IntRange(1, 3650), help="Days until the key stops working.")
@click.option("--plan", default="starter", show_default=True, help="Plan of the account if it is created.")
def keys_create(
    account_name: str, name: str, test_key: bool, scopes: tuple[str, ...], expires_days: int | None, plan: str
) -> None:
    """Create an API key and print it (audited). It is shown this once; only its hash is stored."""
    import datetime as dt

    from sqlalchemy import select

    from core.db import session_factory, transaction, utcnow
    from core.models import Account
    from core.services import audit
    from core.services.accounts import AccountError, create_account
    from core.services.keys import KeyRequestError, issue_key
    from core.services.plans import PlanError

    settings = Settings.from_env()
    actor = audit.Actor.operator()
    expires_at = utcnow() + dt.timedelta(days=expires_days) if expires_days else None
    try:
        with transaction(session_factory(settings.database_url)) as session:
            account = session.scalars(select(Account).where(Account.name == account_name)).first()
            if account is None:
                account = create_account(session, account_name, plan, actor)
            _, key = issue_key(
                session,
                account,
                name=name,
                environment="test" if test_key else "live",
                scopes=scopes,
                expires_at=expires_at,
                actor=actor,
            )
    except (AccountError, PlanError, KeyRequestError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(key)


@main.command("render")
@click.argument("spec", type=click.File("rb"))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the image ('-' for stdout).",
)
@click.option("--format", "fmt", default=None, help="Override the spec's format (png, jpeg, svg, webp, pdf).")
def render(spec, output: Path, fmt: str | None) -> None:
    """Render a Chart.js-style JSON SPEC in-process (no database, queue or storage)."""
    from core.specs.chartjs import parse_chart
    from core.specs.errors import SpecError
    from worker.render import render_chart

    try:
        payload = json.loads(spec.read())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"malformed JSON: {exc}") from exc
    if fmt is not None and isinstance(payload, dict):
        payload["format"] = fmt
    try:
        parsed = parse_chart(payload)
    except SpecError as exc:
        raise click.ClickException(f"invalid chart specification: {exc}") from exc
    for warning in parsed.warnings:
        click.echo(f"warning: ignored {warning}", err=True)
    image = render_chart(parsed.spec)
    if str(output) == "-":
        sys.stdout.buffer.write(image.data)
    else:
        output.write_bytes(image.data)
        click.echo(f"wrote {output} ({image.width}x{image.height}, {len(image.data)} bytes)", err=True)


@main.command("config")
@click.option(
    "--update",
    "update",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Rewrite the generated configuration section of this Markdown file instead of printing.",
)
def config_table(update: Path | None) -> None:
    """Print every CHARTFLEET_* setting with its default (Markdown table)."""
    table = docs.config_table()
    if update is None:
        click.echo(table)
        return
    try:
        changed = docs.update_file(update, docs.CONFIG_SECTION, table)
    except ValueError as exc:
        raise click.ClickException(f"{update}: {exc}") from exc
    click.echo(f"{update}: {'updated' if changed else 'already current'}", err=True)


main.add_command(market)
main.add_command(accounts)
accounts.add_command(signing_secret)
main.add_command(plans)
main.add_command(openapi)


if __name__ == "__main__":
    main()
