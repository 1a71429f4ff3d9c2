"""Brand kits of the caller's account: ``GET/POST/PUT/DELETE /api/v1/brand-kits``. The six presets
are listed alongside (read-only). Every change writes an audit row in its transaction."""

from __future__ import annotations

import hashlib
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


def _load(session, kit_id: uuid.UUID):
    try:
        return kits.get_kit(session, principal_for_request().account_id, kit_id)
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
    principal = principal_for_request()
    payload = object_body()
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
        view = kits.kit_view(row)
    return dumped(BrandKitSchema, view, 201)


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
    principal = principal_for_request()
    kit_id = _kit_id(kit)
    payload = object_body()
    BrandKitUpdateSchema().load(payload)
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
        view = kits.kit_view(row)
    return jsonify(BrandKitSchema().dump(view))


@bp.delete("/<kit>")
@auth.account("manage")
@doc(summary="Delete a brand kit", tags=TAGS, responses={204: "Deleted.", 404: NOT_FOUND})
def delete_kit(kit: str):
    principal = principal_for_request()
    kit_id = _kit_id(kit)
    with services().sessions() as session, session.begin():
        kits.delete_kit(session, _load(session, kit_id), principal.actor(g.request_id))
    return "", 204


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
    principal = principal_for_request()
    kit_id = _kit_id(kit)
    length = request.content_length
    if length is not None and length > logos.MAX_LOGO_BYTES:
        # Read what was sent (the app's body limit bounds it) so the connection stays usable.
        while request.stream.read(64 * 1024):
            pass
        raise ApiError(413, f"logo: at most {logos.MAX_LOGO_BYTES // 1024} KB", field="logo")
    raw = request.stream.read(logos.MAX_LOGO_BYTES + 1)
    try:
        png = logos.normalize_logo(raw, request.content_type or "", "logo")
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
    source = (request.content_type or "").split(";")[0].strip().lower()
    with svc.sessions() as session, session.begin():
        row = kits.set_logo(session, _load(session, kit_id), key, source, principal.actor(g.request_id))
        view = kits.kit_view(row)
    return jsonify(BrandKitSchema().dump(view))


@bp.delete("/<kit>/logo")
@auth.account("manage")
@doc(summary="Remove the kit's logo", tags=TAGS, responses={200: BrandKitSchema, 404: NOT_FOUND})
def delete_logo(kit: str):
    principal = principal_for_request()
    kit_id = _kit_id(kit)
    with services().sessions() as session, session.begin():
        row = kits.set_logo(session, _load(session, kit_id), None, None, principal.actor(g.request_id))
        view = kits.kit_view(row)
    return jsonify(BrandKitSchema().dump(view))
