"""Brand kits of the caller's account: ``GET/POST/PUT/DELETE /api/v1/brand-kits``. The six presets
are listed alongside (read-only). Every change writes an audit row in its transaction."""

from __future__ import annotations

import hashlib
import logging
import uuid

from flask import Blueprint, g, jsonify, request

from api import auth
from api.errors import ApiError
from api.extensions import services
from api.openapi import doc
from api.rendering import storage_unavailable
from api.routes.common import dumped, object_body, principal_for_request
from api.schemas.brandkits import (
    BrandKitCreateSchema,
    BrandKitListSchema,
    BrandKitSchema,
    BrandKitUpdateSchema,
)
from core.services import brandkits as kits
from core.specs import brandkits, logos
from core.specs.errors import SpecError
from core.storage import StorageError

bp = Blueprint("brandkits", __name__, url_prefix="/api/v1/brand-kits")
TAGS = ["Brand kits"]
NOT_FOUND = "No such brand kit in this account."
log = logging.getLogger(__name__)


def _settings(payload: dict) -> dict:
    settings = {k: v for k, v in payload.items() if k != "name"}
    try:
        return brandkits.validate_settings(settings)
    except SpecError as exc:
        raise ApiError(400, f"Invalid brand kit: {exc}", field=exc.field) from exc


def _kit_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        if brandkits.is_preset(value):
            raise ApiError(
                400, "Presets are read-only; create a kit with base set to it", brandKitId=value
            ) from None
        raise ApiError(404, NOT_FOUND, brandKitId=value) from None


def drop_logo(old_key: str | None, new_key: str | None = None) -> None:
    """Delete a logo object no kit uses any more (after the commit that let go of it). A storage
    failure leaves an orphan behind, logged, rather than failing a change already made."""
    if old_key is None or old_key == new_key:
        return
    try:
        services().store.delete(old_key)
    except StorageError:
        log.warning("brand kit logo %s could not be deleted; it is left orphaned", old_key)


def _load(session, kit_id: uuid.UUID, *, lock: bool = False):
    try:
        return kits.get_kit(session, principal_for_request().account_id, kit_id, lock=lock)
    except kits.NotFound:
        raise ApiError(404, NOT_FOUND, brandKitId=str(kit_id)) from None


@bp.get("")
@auth.account("read")
@doc(summary="List the account's brand kits and the presets", tags=TAGS, responses={200: BrandKitListSchema})
def list_kits():
    principal = principal_for_request()
    with services().sessions() as session:
        data = [kits.kit_view(row) for row in kits.list_kits(session, principal.account_id)]
    return jsonify(BrandKitListSchema().dump({"data": data, "presets": kits.preset_views()}))


@bp.get("/<kit>")
@auth.account("read")
@doc(
    summary="One brand kit (a UUID or a preset name)",
    tags=TAGS,
    responses={200: BrandKitSchema, 404: NOT_FOUND},
)
def get_kit(kit: str):
    if brandkits.is_preset(kit):
        view = next(v for v in kits.preset_views() if v["id"] == kit.strip().lower())
        return jsonify(BrandKitSchema().dump(view))
    with services().sessions() as session:
        view = kits.kit_view(_load(session, _kit_id(kit)))
    return jsonify(BrandKitSchema().dump(view))


@bp.post("")
@auth.account("manage")
@doc(
    summary="Create a brand kit",
    description="Starts from the preset `base` (default polar); every other field overrides it. "
    "Use the kit with `brandKitId` on any render route.",
    tags=TAGS,
    body=BrandKitCreateSchema,
    responses={201: BrandKitSchema, 400: "A field is invalid (`field` names it)."},
)
def create_kit():
    return dumped(BrandKitSchema, create_from_payload(principal_for_request(), object_body()), 201)


def create_from_payload(principal, payload: dict) -> dict:
    """Validate ``payload`` (the API's body) and create the kit (audited); returns its view.
    Raises ``ValidationError`` or ``ApiError`` naming the field (the dashboard's forms share this)."""
    BrandKitCreateSchema().load(payload)
    settings = _settings(payload)
    with services().sessions() as session, session.begin():
        try:
            row = kits.create_kit(
                session,
                principal.account_id,
                payload["name"].strip(),
                settings,
                principal.actor(g.request_id),
            )
        except kits.TooMany as exc:
            raise ApiError(409, str(exc), field="name") from exc
        return kits.kit_view(row)


@bp.put("/<kit>")
@auth.account("manage")
@doc(
    summary="Update a brand kit",
    description="Fields given replace the kit's; omitted ones stay. The version goes up by one, so the "
    "next render with the kit is drawn anew (new ETag).",
    tags=TAGS,
    body=BrandKitUpdateSchema,
    responses={200: BrandKitSchema, 400: "A field is invalid.", 404: NOT_FOUND},
)
def update_kit(kit: str):
    view = update_from_payload(principal_for_request(), _kit_id(kit), object_body())
    return jsonify(BrandKitSchema().dump(view))


def update_from_payload(principal, kit_id: uuid.UUID, payload: dict) -> dict:
    """Validate ``payload`` and apply it to the kit (audited, version + 1); returns its view."""
    BrandKitUpdateSchema().load({k: v for k, v in payload.items() if v is not None})  # null: a reset
    changes = _settings(payload)
    name = payload.get("name")
    with services().sessions() as session, session.begin():
        row = _load(session, kit_id)
        merged = {**row.settings, **changes}
        for key, value in payload.items():  # an explicit null resets a setting to the base's
            if value is None and key != "name":
                merged.pop(key, None)
        row = kits.update_kit(
            session,
            row,
            name.strip() if isinstance(name, str) else None,
            merged,
            principal.actor(g.request_id),
        )
        return kits.kit_view(row)


@bp.delete("/<kit>")
@auth.account("manage")
@doc(summary="Delete a brand kit", tags=TAGS, responses={204: "Deleted.", 404: NOT_FOUND})
def delete_kit(kit: str):
    delete(principal_for_request(), _kit_id(kit))
    return "", 204


def delete(principal, kit_id: uuid.UUID) -> None:
    """Delete the kit (audited), then its logo object (the API's DELETE and the dashboard's)."""
    with services().sessions() as session, session.begin():
        row = _load(session, kit_id, lock=True)
        old_logo = row.logo_key
        kits.delete_kit(session, row, principal.actor(g.request_id))
    drop_logo(old_logo)


@bp.put("/<kit>/logo")
@auth.account("manage")
@doc(
    summary="Set the kit's logo",
    description="The raw image as the body: image/png (at most 4000 px a side) or image/svg+xml (no "
    "scripts or external references), at most 256 KB. Drawn in the kit's `logoPosition` corner.",
    tags=TAGS,
    body={media: {"schema": {"type": "string", "format": "binary"}} for media in logos.CONTENT_TYPES},
    responses={
        200: BrandKitSchema,
        400: "Not a valid PNG or SVG image (`field` is logo).",
        404: NOT_FOUND,
        413: "Larger than 256 KB.",
        415: "Neither image/png nor image/svg+xml.",
    },
)
def put_logo(kit: str):
    kit_id = _kit_id(kit)
    length = request.content_length
    if length is not None and length > logos.MAX_LOGO_BYTES:
        # Read what was sent (the app's body limit bounds it) so the connection stays usable.
        while request.stream.read(64 * 1024):
            pass
        raise ApiError(413, f"logo: at most {logos.MAX_LOGO_BYTES // 1024} KB", field="logo")
    raw = request.stream.read(logos.MAX_LOGO_BYTES + 1)
    view = store_logo(principal_for_request(), kit_id, raw, request.content_type or "")
    return jsonify(BrandKitSchema().dump(view))


def store_logo(principal, kit_id: uuid.UUID, raw: bytes, content_type: str) -> dict:
    """Validate a PNG or SVG logo, store it normalized and set it on the kit (audited)."""
    try:
        png = logos.normalize_logo(raw, content_type, "logo")
    except SpecError as exc:
        raise ApiError(exc.status, f"Invalid logo: {exc.message}", field="logo") from exc
    svc = services()
    with svc.sessions() as session:
        _load(session, kit_id)  # 404 before anything is stored
    key = f"brand-kits/{kit_id}/logo-{hashlib.sha256(png).hexdigest()[:24]}.png"
    try:
        svc.store.put(key, png, "image/png")
    except StorageError as exc:
        raise storage_unavailable() from exc
    source = content_type.split(";")[0].strip().lower()
    with svc.sessions() as session, session.begin():
        row = _load(session, kit_id, lock=True)
        old_logo = row.logo_key
        row = kits.set_logo(session, row, key, source, principal.actor(g.request_id))
        view = kits.kit_view(row)
    drop_logo(old_logo, key)
    return view


@bp.delete("/<kit>/logo")
@auth.account("manage")
@doc(summary="Remove the kit's logo", tags=TAGS, responses={200: BrandKitSchema, 404: NOT_FOUND})
def delete_logo(kit: str):
    return jsonify(BrandKitSchema().dump(remove_logo(principal_for_request(), _kit_id(kit))))


def remove_logo(principal, kit_id: uuid.UUID) -> dict:
    """Take the logo off the kit (audited) and delete its object; returns the kit's view."""
    with services().sessions() as session, session.begin():
        row = _load(session, kit_id, lock=True)
        old_logo = row.logo_key
        row = kits.set_logo(session, row, None, None, principal.actor(g.request_id))
        view = kits.kit_view(row)
    drop_logo(old_logo)
    return view
