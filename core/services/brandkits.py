"""Brand kits and templates of an account: CRUD with an audit row in the same transaction, and the
lookups the render routes use (a kit id to the ``Theme`` a spec carries).

Another account's kit or template is reported exactly like a missing one, so ids never leak.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import BrandKit, ChartTemplate
from core.services import audit
from core.specs import brandkits
from core.specs.model import Theme

MAX_KITS = 100
MAX_TEMPLATES = 500


class NotFound(LookupError):
    """No such kit or template in this account."""


class TooMany(Exception):
    """The account already has the most kits or templates allowed."""


Owned = TypeVar("Owned", BrandKit, ChartTemplate)


def _list(session: Session, model: type[Owned], account_id: uuid.UUID) -> list[Owned]:
    query = select(model).where(model.account_id == account_id).order_by(model.created_at, model.id)
    return list(session.scalars(query))


def _get(
    session: Session, model: type[Owned], account_id: uuid.UUID | None, row_id: uuid.UUID, lock: bool = False
) -> Owned:
    row = session.get(model, row_id, with_for_update=lock)
    if row is None or account_id is None or row.account_id != account_id:
        raise NotFound(str(row_id))
    return row


def _kind(row: Owned) -> str:
    """What the audit log calls the row."""
    return "brand_kit" if isinstance(row, BrandKit) else "template"


def _create(
    session: Session, row: Owned, limit: int, plural: str, actor: audit.Actor, after: Callable
) -> Owned:
    """Add ``row`` unless its account already keeps ``limit`` of them; audited with ``after(row)``."""
    if len(_list(session, type(row), row.account_id)) >= limit:
        raise TooMany(f"an account may keep at most {limit} {plural}")
    session.add(row)
    session.flush()
    session.refresh(row)
    audit.record(
        session, f"{_kind(row)}.created", actor, row.account_id, (_kind(row), row.id), after=after(row)
    )
    return row


@contextlib.contextmanager
def _edit(session: Session, row: Owned, action: str, actor: audit.Actor, view: Callable) -> Iterator[None]:
    """The block edits ``row``: its version goes up, and the change is audited through ``view``."""
    with audit.change(session, action, actor, row.account_id, (_kind(row), row.id), lambda: view(row)):
        yield
        row.version = row.version + 1
        row.updated_at = utcnow()


def _delete(session: Session, row: Owned, actor: audit.Actor, before: dict[str, Any]) -> None:
    audit.record(session, f"{_kind(row)}.deleted", actor, row.account_id, (_kind(row), row.id), before=before)
    session.delete(row)
    session.flush()


def kit_view(row: BrandKit) -> dict[str, Any]:
    theme = kit_theme(row)
    return {
        "id": str(row.id),
        "name": row.name,
        "preset": False,
        "base": row.settings.get("base") or brandkits.DEFAULT_BASE,
        "version": row.version,
        "hasLogo": row.logo_key is not None,
        **brandkits.theme_view(theme),
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    }


def preset_views() -> list[dict[str, Any]]:
    return [
        {
            "id": name,
            "name": name,
            "preset": True,
            "base": name,
            "version": 1,
            "hasLogo": False,
            **brandkits.theme_view(theme),
        }
        for name, theme in brandkits.PRESETS.items()
    ]


def kit_theme(row: BrandKit) -> Theme:
    return brandkits.theme_from_settings(row.id, row.version, row.settings, row.logo_key)


def list_kits(session: Session, account_id: uuid.UUID) -> list[BrandKit]:
    return _list(session, BrandKit, account_id)


def get_kit(
    session: Session, account_id: uuid.UUID | None, kit_id: uuid.UUID, *, lock: bool = False
) -> BrandKit:
    """The account's kit; ``lock`` holds its row until the transaction ends (a logo change reads the
    key it replaces, whose object is deleted after the commit)."""
    return _get(session, BrandKit, account_id, kit_id, lock)


def resolve_theme(
    session: Session, account_id: uuid.UUID | None, value: Any, field: str = "brandKitId"
) -> Theme:
    """The theme of ``value`` (a preset name or one of the account's kit ids). Raises ``SpecError``
    for a malformed id and ``NotFound`` for an unknown or foreign one."""
    kit = brandkits.parse_kit_id(value, field)
    if isinstance(kit, str):
        return brandkits.preset(kit)
    return kit_theme(get_kit(session, account_id, kit))


def _audit_name(row: Owned) -> dict[str, Any]:
    """Which kit or template, at which version: the start of every audit view of one."""
    return {"name": row.name, "version": row.version}


def _kit_audit_view(row: BrandKit) -> dict[str, Any]:
    return {**_audit_name(row), **row.settings}


def create_kit(
    session: Session, account_id: uuid.UUID, name: str, settings: dict[str, Any], actor: audit.Actor
) -> BrandKit:
    row = BrandKit(account_id=account_id, name=name, settings=settings, version=1)
    return _create(session, row, MAX_KITS, "brand kits", actor, lambda row: {"name": name, **settings})


def update_kit(
    session: Session, row: BrandKit, name: str | None, settings: dict[str, Any] | None, actor: audit.Actor
) -> BrandKit:
    with _edit(session, row, "brand_kit.updated", actor, _kit_audit_view):
        if name is not None:
            row.name = name
        if settings is not None:
            row.settings = settings
    return row


def set_logo(
    session: Session, row: BrandKit, logo_key: str | None, source_type: str | None, actor: audit.Actor
) -> BrandKit:
    """Replace (or with None remove) the kit's logo; the version goes up like any other edit."""
    action = "brand_kit.logo_set" if logo_key else "brand_kit.logo_removed"
    with _edit(
        session, row, action, actor, lambda row: {"logo": row.logo_source_type, "version": row.version}
    ):
        row.logo_key, row.logo_source_type = logo_key, source_type
    return row


def delete_kit(session: Session, row: BrandKit, actor: audit.Actor) -> None:
    _delete(session, row, actor, _kit_audit_view(row))


def template_view(row: ChartTemplate) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "description": row.description,
        "builtIn": False,
        "dialect": row.dialect,
        "spec": row.spec,
        "parameters": row.parameters,
        "brandKitId": row.brand_kit,
        "version": row.version,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    }


def list_templates(session: Session, account_id: uuid.UUID) -> list[ChartTemplate]:
    return _list(session, ChartTemplate, account_id)


def get_template(session: Session, account_id: uuid.UUID | None, template_id: uuid.UUID) -> ChartTemplate:
    return _get(session, ChartTemplate, account_id, template_id)


def _template_audit_view(row: ChartTemplate) -> dict[str, Any]:
    return {
        **_audit_name(row),
        "dialect": row.dialect,
        "parameters": row.parameters,
        "brandKitId": row.brand_kit,
    }


def create_template(
    session: Session, account_id: uuid.UUID, fields: dict[str, Any], actor: audit.Actor
) -> ChartTemplate:
    row = ChartTemplate(account_id=account_id, version=1, **fields)
    return _create(
        session,
        row,
        MAX_TEMPLATES,
        "templates",
        actor,
        lambda row: {
            "name": row.name,
            "dialect": row.dialect,
            "parameters": row.parameters,
            "brandKitId": row.brand_kit,
        },
    )


def update_template(
    session: Session, row: ChartTemplate, fields: dict[str, Any], actor: audit.Actor
) -> ChartTemplate:
    with _edit(session, row, "template.updated", actor, _template_audit_view):
        for key, value in fields.items():
            setattr(row, key, value)
    return row


def delete_template(session: Session, row: ChartTemplate, actor: audit.Actor) -> None:
    _delete(session, row, actor, _audit_name(row))
