"""Brand kits and templates of an account: CRUD with an audit row in the same transaction, and the
lookups the render routes use (a kit id to the ``Theme`` a spec carries).

Another account's kit or template is reported exactly like a missing one, so ids never leak.
"""

from __future__ import annotations

import uuid
from typing import Any

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
    query = (
        select(BrandKit).where(BrandKit.account_id == account_id).order_by(BrandKit.created_at, BrandKit.id)
    )
    return list(session.scalars(query))


def get_kit(session: Session, account_id: uuid.UUID | None, kit_id: uuid.UUID) -> BrandKit:
    row = session.get(BrandKit, kit_id)
    if row is None or account_id is None or row.account_id != account_id:
        raise NotFound(str(kit_id))
    return row


def resolve_theme(
    session: Session, account_id: uuid.UUID | None, value: Any, field: str = "brandKitId"
) -> Theme:
    """The theme of ``value`` (a preset name or one of the account's kit ids). Raises ``SpecError``
    for a malformed id and ``NotFound`` for an unknown or foreign one."""
    kit = brandkits.parse_kit_id(value, field)
    if isinstance(kit, str):
        return brandkits.preset(kit)
    return kit_theme(get_kit(session, account_id, kit))


def create_kit(
    session: Session, account_id: uuid.UUID, name: str, settings: dict[str, Any], actor: audit.Actor
) -> BrandKit:
    count = len(list_kits(session, account_id))
    if count >= MAX_KITS:
        raise TooMany(f"an account may keep at most {MAX_KITS} brand kits")
    row = BrandKit(account_id=account_id, name=name, settings=settings, version=1)
    session.add(row)
    session.flush()
    session.refresh(row)
    audit.record(
        session,
        action="brand_kit.created",
        actor=actor,
        account_id=account_id,
        target=("brand_kit", row.id),
        after={"name": name, **settings},
    )
    return row


def update_kit(
    session: Session, row: BrandKit, name: str | None, settings: dict[str, Any] | None, actor: audit.Actor
) -> BrandKit:
    before = {"name": row.name, "version": row.version, **row.settings}
    if name is not None:
        row.name = name
    if settings is not None:
        row.settings = settings
    row.version = row.version + 1
    row.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        action="brand_kit.updated",
        actor=actor,
        account_id=row.account_id,
        target=("brand_kit", row.id),
        before=before,
        after={"name": row.name, "version": row.version, **row.settings},
    )
    return row


def set_logo(
    session: Session, row: BrandKit, logo_key: str | None, source_type: str | None, actor: audit.Actor
) -> BrandKit:
    """Replace (or with None remove) the kit's logo; the version goes up like any other edit."""
    before = {"logo": row.logo_source_type, "version": row.version}
    row.logo_key, row.logo_source_type = logo_key, source_type
    row.version = row.version + 1
    row.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        action="brand_kit.logo_set" if logo_key else "brand_kit.logo_removed",
        actor=actor,
        account_id=row.account_id,
        target=("brand_kit", row.id),
        before=before,
        after={"logo": source_type, "version": row.version},
    )
    return row


def delete_kit(session: Session, row: BrandKit, actor: audit.Actor) -> None:
    audit.record(
        session,
        action="brand_kit.deleted",
        actor=actor,
        account_id=row.account_id,
        target=("brand_kit", row.id),
        before={"name": row.name, "version": row.version, **row.settings},
    )
    session.delete(row)
    session.flush()


def template_view(row: ChartTemplate) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "description": row.description,
        "builtIn": False,
        "spec": row.spec,
        "parameters": row.parameters,
        "brandKitId": row.brand_kit,
        "version": row.version,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    }


def list_templates(session: Session, account_id: uuid.UUID) -> list[ChartTemplate]:
    query = (
        select(ChartTemplate)
        .where(ChartTemplate.account_id == account_id)
        .order_by(ChartTemplate.created_at, ChartTemplate.id)
    )
    return list(session.scalars(query))


def get_template(session: Session, account_id: uuid.UUID | None, template_id: uuid.UUID) -> ChartTemplate:
    row = session.get(ChartTemplate, template_id)
    if row is None or account_id is None or row.account_id != account_id:
        raise NotFound(str(template_id))
    return row


def create_template(
    session: Session, account_id: uuid.UUID, fields: dict[str, Any], actor: audit.Actor
) -> ChartTemplate:
    if len(list_templates(session, account_id)) >= MAX_TEMPLATES:
        raise TooMany(f"an account may keep at most {MAX_TEMPLATES} templates")
    row = ChartTemplate(account_id=account_id, version=1, **fields)
    session.add(row)
    session.flush()
    session.refresh(row)
    audit.record(
        session,
        action="template.created",
        actor=actor,
        account_id=account_id,
        target=("template", row.id),
        after={"name": row.name, "parameters": row.parameters, "brandKitId": row.brand_kit},
    )
    return row


def update_template(
    session: Session, row: ChartTemplate, fields: dict[str, Any], actor: audit.Actor
) -> ChartTemplate:
    before = {
        "name": row.name,
        "version": row.version,
        "parameters": row.parameters,
        "brandKitId": row.brand_kit,
    }
    for key, value in fields.items():
        setattr(row, key, value)
    row.version = row.version + 1
    row.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        action="template.updated",
        actor=actor,
        account_id=row.account_id,
        target=("template", row.id),
        before=before,
        after={
            "name": row.name,
            "version": row.version,
            "parameters": row.parameters,
            "brandKitId": row.brand_kit,
        },
    )
    return row


def delete_template(session: Session, row: ChartTemplate, actor: audit.Actor) -> None:
    audit.record(
        session,
        action="template.deleted",
        actor=actor,
        account_id=row.account_id,
        target=("template", row.id),
        before={"name": row.name, "version": row.version},
    )
    session.delete(row)
    session.flush()
