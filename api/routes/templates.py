"""Chart templates: the built-ins and the account's own (``GET/POST/PUT/DELETE /api/v1/templates``),
and ``GET /api/v1/templates/{id}/render`` with query overrides, answering like the render route
(image bytes, or JSON with the URL when ``returnUrl`` is set). The key may be in the query, so a
template's render URL is a short, stable ``<img src>``."""

from __future__ import annotations

import copy
import dataclasses
import time
import uuid
from typing import Any

from flask import Blueprint, g, jsonify, request

from api import auth
from api.errors import ApiError
from api.extensions import services
from api.openapi import PAYMENT_REQUIRED, doc, image_response
from api.rendering import respond_with_image
from api.routes.common import dumped, flag, object_body, principal_for_request
from api.schemas.brandkits import (
    RenderUrlSchema,
    TemplateCreateSchema,
    TemplateListSchema,
    TemplateRenderQuerySchema,
    TemplateSchema,
    TemplateUpdateSchema,
)
from api.theming import theme_for
from core.services import brandkits as kits
from core.services.jobs import RenderRequest
from core.specs import brandkits, templates
from core.specs.cards import parse_card
from core.specs.chartjs import parse_chart
from core.specs.errors import SpecError
from core.specs.model import ChartSpec

bp = Blueprint("templates", __name__, url_prefix="/api/v1/templates")
TAGS = ["Templates"]
NOT_FOUND = "No such template in this account."
DEFAULT_SCALE = 2  # this route renders for retina screens unless told otherwise
_OUTPUT = ("width", "height", "format")


def _render_url(template_id: str) -> str:
    return f"{services().settings.public_url.rstrip('/')}/api/v1/templates/{template_id}/render"


def _builtin_view(template_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": template_id,
        "name": entry["name"],
        "description": entry["description"],
        "builtIn": True,
        "spec": entry["spec"],
        "parameters": {},
        "brandKitId": None,
        "version": 1,
        "renderUrl": _render_url(template_id),
    }


def _view(row) -> dict[str, Any]:
    return {**kits.template_view(row), "renderUrl": _render_url(str(row.id))}


def _template_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiError(404, NOT_FOUND, templateId=value) from None


def _load(session, template_id: uuid.UUID):
    try:
        return kits.get_template(session, principal_for_request().account_id, template_id)
    except kits.NotFound:
        raise ApiError(404, NOT_FOUND, templateId=str(template_id)) from None


def _check_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """Validate what a create/update sets; returns the model fields."""
    fields: dict[str, Any] = {}
    if "name" in payload:
        fields["name"] = payload["name"].strip()
    if "description" in payload:
        fields["description"] = payload["description"]
    try:
        if "spec" in payload:
            spec = payload["spec"]
            body = {k: v for k, v in spec.items() if k not in ("card", "brandKitId", "returnUrl")}
            parse_chart(body)  # renderable as stored
            parse_card(spec.get("card"), "spec.card")
            fields["spec"] = spec
        if "parameters" in payload:
            fields["parameters"] = templates.validate_parameters(payload["parameters"])
        if payload.get("brandKitId") is not None:
            theme_for(principal_for_request(), payload["brandKitId"])  # exists, and is the caller's
            fields["brand_kit"] = str(brandkits.parse_kit_id(payload["brandKitId"]))
        elif "brandKitId" in payload:
            fields["brand_kit"] = None
    except SpecError as exc:
        field = (
            exc.field if exc.field.startswith(("spec", "parameters", "brandKitId")) else f"spec.{exc.field}"
        )
        raise ApiError(400, f"Invalid template: {exc.message}", field=field) from exc
    return fields


@bp.get("")
@auth.account("read")
@doc(summary="List the account's templates and the built-ins", tags=TAGS, responses={200: TemplateListSchema})
def list_templates():
    principal = principal_for_request()
    with services().sessions() as session:
        data = [_view(row) for row in kits.list_templates(session, principal.account_id)]
    builtin = [_builtin_view(k, v) for k, v in templates.BUILTIN.items()]
    return jsonify(TemplateListSchema().dump({"data": data, "builtIn": builtin}))


@bp.get("/<template>")
@auth.account("read")
@doc(
    summary="One template (a UUID or a built-in's name)",
    tags=TAGS,
    responses={200: TemplateSchema, 404: NOT_FOUND},
)
def get_template(template: str):
    entry = templates.builtin(template)
    if entry is not None:
        return jsonify(TemplateSchema().dump(_builtin_view(template, entry)))
    with services().sessions() as session:
        view = _view(_load(session, _template_id(template)))
    return jsonify(TemplateSchema().dump(view))


@bp.post("")
@auth.account("manage")
@doc(
    summary="Create a template",
    description="`spec` is a POST /api/v1/render body (it may carry a `card`). `parameters` name the "
    'query parameters of its render URL: `{"region": {"path": "options.plugins.title.text"}}`.',
    tags=TAGS,
    body=TemplateCreateSchema,
    responses={201: TemplateSchema, 400: "A field is invalid (`field` names it)."},
)
def create_template():
    return dumped(TemplateSchema, create_from_payload(principal_for_request(), object_body()), 201)


def create_from_payload(principal, payload: dict) -> dict:
    """Validate ``payload`` (the API's body) and create the template (audited); returns its view.
    Raises ``ValidationError``, ``ApiError`` or ``SpecError`` naming the field."""
    fields = _check_fields(TemplateCreateSchema().load(payload))
    with services().sessions() as session, session.begin():
        try:
            row = kits.create_template(session, principal.account_id, fields, principal.actor(g.request_id))
        except kits.TooMany as exc:
            raise ApiError(409, str(exc), field="name") from exc
        return _view(row)


@bp.put("/<template>")
@auth.account("manage")
@doc(
    summary="Update a template",
    description="Fields given replace the template's; the version goes up by one.",
    tags=TAGS,
    body=TemplateUpdateSchema,
    responses={200: TemplateSchema, 400: "A field is invalid.", 404: NOT_FOUND},
)
def update_template(template: str):
    view = update_from_payload(principal_for_request(), _template_id(template), object_body())
    return jsonify(TemplateSchema().dump(view))


def update_from_payload(principal, template_id: uuid.UUID, payload: dict) -> dict:
    """Validate ``payload`` and apply it to the template (audited, version + 1); returns its view."""
    fields = _check_fields(TemplateUpdateSchema().load(payload))
    with services().sessions() as session, session.begin():
        row = kits.update_template(
            session, _load(session, template_id), fields, principal.actor(g.request_id)
        )
        return _view(row)


@bp.delete("/<template>")
@auth.account("manage")
@doc(summary="Delete a template", tags=TAGS, responses={204: "Deleted.", 404: NOT_FOUND})
def delete_template(template: str):
    principal = principal_for_request()
    template_id = _template_id(template)
    with services().sessions() as session, session.begin():
        kits.delete_template(session, _load(session, template_id), principal.actor(g.request_id))
    return "", 204


@bp.get("/<template>/render")
@doc(
    summary="Render a built-in or custom template",
    description="Overrides: labels, data, title, width, height, format, brandKitId, scale / "
    "devicePixelRatio (1-4, default 2 here), palette (hex colours, %23 for #), data1..dataN and "
    "label1..labelN per series, plus a custom template's named parameters. Pass the key as `key`.",
    tags=TAGS,
    query=TemplateRenderQuerySchema,
    responses={
        200: image_response("The image, or with returnUrl its URL.", json_schema=RenderUrlSchema),
        304: "Not modified (If-None-Match matched the ETag).",
        400: "An override is invalid (`field` names it).",
        402: PAYMENT_REQUIRED,
        404: NOT_FOUND,
    },
)
def render_template(template: str):
    started = time.perf_counter()
    principal = principal_for_request()
    args = {k: v for k, v in request.args.items()}
    spec, warnings = template_chart(principal, template, args)
    req = RenderRequest(spec=spec, dialect="chartjs", principal=principal, mode="sync", warnings=warnings)
    return respond_with_image(req, started, return_url=flag(args.get("returnUrl", False)))


def template_chart(principal, template: str, args: dict[str, str]) -> tuple[ChartSpec, tuple[str, ...]]:
    """The chart a built-in or the caller's template draws with the query ``args`` applied."""
    entry = templates.builtin(template)
    if entry is not None:
        return chart_from(principal, entry["spec"], {}, args, progress=bool(entry.get("progress")))
    with services().sessions() as session:
        row = _load(session, _template_id(template))
        spec, parameters, kit_value = row.spec, row.parameters, row.brand_kit
    return chart_from(principal, spec, parameters, args, kit=kit_value)


def chart_from(
    principal,
    spec: dict[str, Any],
    parameters: dict[str, Any],
    args: dict[str, str],
    *,
    progress: bool = False,
    kit: Any = None,
) -> tuple[ChartSpec, tuple[str, ...]]:
    """A template body with overrides applied, as a spec with its brand kit and card (the render
    URL's rules; the dashboard previews unsaved templates through this too)."""
    body = templates.apply_overrides(copy.deepcopy(spec), args, parameters, progress=progress)
    card = parse_card(body.pop("card", None), "card")
    body.pop("brandKitId", None)
    body.pop("returnUrl", None)
    for key in _OUTPUT:
        if key in args:
            body[key] = args[key]
    ratio_key = "scale" if "scale" in args else "devicePixelRatio"
    body["devicePixelRatio"] = args.get(ratio_key, body.get("devicePixelRatio", DEFAULT_SCALE))
    theme = theme_for(principal, args.get("brandKitId") or kit)
    if "palette" in args:
        theme = brandkits.with_palette(theme, templates.parse_palette(args["palette"]))
    if progress:
        templates.progress_track(body, (theme.palette[0] if theme else "#36a2ebff")[:7])
    try:
        parsed = parse_chart(body)
    except SpecError as exc:
        if exc.field == "devicePixelRatio":
            raise SpecError(ratio_key, exc.message) from exc
        raise
    return dataclasses.replace(parsed.spec, theme=theme, card=card), parsed.warnings
