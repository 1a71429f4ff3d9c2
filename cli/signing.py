"""``chartfleet accounts signing-secret``: the secret an account signs Image-Charts URLs with."""

from __future__ import annotations

import click

from core.config import Settings


@click.command("signing-secret")
@click.option("--account", "account_name", required=True, help="Account name or id.")
@click.option("--rotate", is_flag=True, help="Replace the current secret (URLs signed with it stop working).")
def signing_secret(account_name: str, rotate: bool) -> None:
    """Create (or, with --rotate, replace) the account's signing secret for /chart URLs (icac/ichm)
    and print it. It is shown this once; it is stored encrypted with CHARTFLEET_SECRET_KEY."""
    from core.db import session_factory, transaction
    from core.services import audit, signing

    settings = Settings.from_env()
    with transaction(session_factory(settings.database_url)) as session:
        account = signing.find_signing_account(session, account_name)
        if account is None:
            raise click.ClickException(f"no account named {account_name!r}")
        if account.signing_secret and not rotate:
            raise click.ClickException(
                f"account {account.name!r} already has a signing secret; use --rotate to replace it"
            )
        secret = signing.set_signing_secret(session, account, settings.secret_key, audit.Actor.operator())
        name = account.name
    click.echo(secret)
    click.echo(f"sign /chart URLs with icac={name} and this secret (shown once)", err=True)
