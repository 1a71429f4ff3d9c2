"""Chart templates: the built-ins and the account's own (``GET/POST/PUT/DELETE /api/v1/templates``),
and ``GET /api/v1/templates/{id}/render`` with query overrides, answering like the render route
(image bytes, or JSON with the URL when ``returnUrl`` is set). The key may be in the query, so a
template's render URL is a short, stable ``<img src>``."""

from __future__ import annotations

import dataclasses
import time
import uuid
from typing import Any

from flask import Blueprint, g, jsonify, request

from api import auth, dialects
from api.errors import ApiError
from api.extensions import services
from api.openapi import PAYMENT_REQUIRED, doc, image_response
from api.rendering import absolute_url, respond_with_image
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
from core.specs import brandkits, template_dialects, templates
from core.specs.errors import SpecError
from core.specs.template_dialects import DEFAULT_DIALECT

bp = Blueprint("templates", __name__, url_prefix="/api/v1/templates")
TAGS = ["Templates"]
NOT_FOUND = "No such template in this account."


def _render_url(template_id: str) -> str:
    """The short, stable ``<img src>`` of a template (on the account's custom domain when set)."""
    return absolute_url(f"/api/v1/templates/{template_id}/render")


def _builtin_view(template_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": template_id,
        "name": entry["name"],
        "description": entry["description"],
        "builtIn": True,
        "dialect": DEFAULT_DIALECT,
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


def _check_fields(payload: dict[str, Any], row=None) -> dict[str, Any]:
    """Validate what a create/update sets (the spec with its dialect's parser, against the stored
    dialect or spec when only the other one changes); returns the model fields."""
    fields: dict[str, Any] = {}
    if "name" in payload:
        fields["name"] = payload["name"].strip()
    if "description" in payload:
        fields["description"] = payload["description"]
    try:
        if "spec" in payload or "dialect" in payload:
            name = payload.get("dialect") or (row.dialect if row is not None else DEFAULT_DIALECT)
            spec = payload["spec"] if "spec" in payload else row.spec
            fields["spec"] = dialects.DIALECTS[name].template.check(spec)
            fields["dialect"] = name
        if "parameters" in payload:
            fields["parameters"] = templates.validate_parameters(payload["parameters"])
        if payload.get("brandKitId") is not None:
            theme_for(principal_for_request(), payload["brandKitId"])  # exists, and is the caller's
            fields["brand_kit"] = str(brandkits.parse_kit_id(payload["brandKitId"]))
        elif "brandKitId" in payload:
            fields["brand_kit"] = None
    except SpecError as exc:
        raise ApiError(400, f"Invalid template: {exc.message}", field=exc.field) from exc
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
    description="`spec` is a chart in `dialect` (default chartjs: a POST /api/v1/render body, which "
    "may carry a `card`), checked by that dialect's parser. `parameters` name the "
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
    loaded = TemplateUpdateSchema().load(payload)
    with services().sessions() as session, session.begin():
        row = _load(session, template_id)
        row = kits.update_template(session, row, _check_fields(loaded, row), principal.actor(g.request_id))
        return _view(row)


@bp.delete("/<template>")
@auth.account("manage")
@doc(summary="Delete a template", tags=TAGS, responses={204: "Deleted.", 404: NOT_FOUND})
def delete_template(template: str):
    delete(principal_for_request(), _template_id(template))
    return "", 204


def delete(principal, template_id: uuid.UUID) -> None:
    """Delete the template (audited): the API's DELETE and the dashboard's."""
    with services().sessions() as session, session.begin():
        kits.delete_template(session, _load(session, template_id), principal.actor(g.request_id))


@bp.get("/<template>/render")
@doc(
    summary="Render a built-in or custom template",
    description="Overrides: labels, data, title, width, height, format, brandKitId, scale / "
    "devicePixelRatio (1-4, default 2 here), palette (hex colours, %23 for #), data1..dataN and "
    "label1..labelN per series, plus a custom template's named parameters. Pass the key as `key`. "
    "Each override maps onto the template's dialect (Image-Charts: chl/chxl, chd, chdl, chtt, chs, "
    "chco); one without a meaning there (palette on a finance chart, say) is a 400 naming it.",
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
    args = {k: v for k, v in request.args.items()}
    req = template_request(principal_for_request(), template, args)
    return_url = flag(args.get("returnUrl", False))
    response = respond_with_image(req, started, return_url=return_url)
    if not return_url:
        # The URL is stable but what it shows changes with the template and its kit: browsers and
        # proxies keep the image and revalidate it with its ETag (a 304 when nothing changed).
        response.headers["Cache-Control"] = "public, no-cache"
    return response


def template_request(principal, template: str, args: dict[str, str]) -> RenderRequest:
    """The render a built-in or the caller's template asks for with the query ``args`` applied."""
    entry = templates.builtin(template)
    if entry is not None:
        return chart_from(principal, entry["spec"], {}, args, progress=bool(entry.get("progress")))
    with services().sessions() as session:
        row = _load(session, _template_id(template))
        spec, parameters, kit, dialect = row.spec, row.parameters, row.brand_kit, row.dialect
    return chart_from(principal, spec, parameters, args, dialect=dialect, kit=kit)


def chart_from(
    principal,
    spec: dict[str, Any],
    parameters: dict[str, Any],
    args: dict[str, str],
    *,
    dialect: str = DEFAULT_DIALECT,
    progress: bool = False,
    kit: Any = None,
) -> RenderRequest:
    """A template body in ``dialect`` with overrides applied, in its brand kit (the render URL's
    rules; the dashboard previews unsaved templates through this too)."""
    entry = dialects.DIALECTS[dialect]
    if progress:
        applied = template_dialects.apply_chartjs(spec, args, parameters, progress=True)
    else:
        applied = entry.template.apply(spec, args, parameters)
    theme = theme_for(principal, args.get("brandKitId") or kit)
    if applied.palette:
        theme = brandkits.with_palette(theme, applied.palette)
    if progress:
        templates.progress_track(applied.body, (theme.palette[0] if theme else "#36a2ebff")[:7])
    try:
        req = entry.template_request(applied.body, principal, theme)
        ratio_spec = template_dialects.with_ratio(req.spec, applied.ratio, applied.ratio_field)
    except SpecError as exc:
        blamed = applied.blame(exc)
        if blamed is exc:
            raise
        raise blamed from exc
    return dataclasses.replace(req, spec=ratio_spec)
