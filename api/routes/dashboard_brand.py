"""Dashboard: brand kits (``/app/brand-kits``) and chart templates (``/app/templates``): the presets
and built-ins beside the account's own, create, edit with a live preview, logo upload, delete.

The forms call the same functions as the JSON API (``api/routes/brandkits.py``,
``api/routes/templates.py``): same validation, same audit rows; errors are shown beside the field
they name. Previews are ``<img>`` rendered by Chartfleet itself through ``/app/preview.png``, signed
for the session's account (``api/signed_images.py``, like the usage chart). While a form is edited,
``dashboard.js`` posts it (debounced) to ``.../preview``, which validates it and answers the signed
URL of the unsaved version's image, or the field errors.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
import uuid
from typing import Any

from flask import Blueprint, Response, g, jsonify, redirect, request, url_for
from marshmallow import ValidationError

from api import auth, signed_images
from api.errors import ApiError
from api.extensions import services
from api.routes import brandkits as kit_api
from api.routes import templates as template_api
from api.routes.dashboard import _csrf_failed, _csrf_ok, _hidden, _login_redirect, _page
from core.services import brandkits as kits
from core.specs import brandkits, logos, templates
from core.specs.errors import SpecError

bp = Blueprint("dashboard_brand", __name__)
PREVIEW = "preview"  # the signing purpose of /app/preview.png
COLOR_FIELDS = (
    ("backgroundColor", "Background"),
    ("textColor", "Text"),
    ("axisColor", "Axes"),
    ("gridColor", "Grid"),
    ("mutedColor", "Muted"),
    ("positiveColor", "Positive"),
    ("negativeColor", "Negative"),
)
CHOICE_FIELDS = (
    ("fontFamily", "Font", brandkits.FONT_FAMILIES),
    ("titleWeight", "Title weight", brandkits.TITLE_WEIGHTS),
    ("logoPosition", "Logo corner", brandkits.LOGO_POSITIONS),
)
SETTINGS = ("base", "palette", *(f for f, _ in COLOR_FIELDS), *(f for f, _, _ in CHOICE_FIELDS))
# What a kit's preview draws: bars, a line and a title, so every colour of the kit shows.
SAMPLE = {
    "type": "bar",
    "width": 560,
    "height": 300,
    "data": {
        "labels": ["Jan", "Feb", "Mar", "Apr", "May", "Jun"],
        "datasets": [
            {"label": "Renders", "data": [12, 19, 14, 22, 27, 31]},
            {"label": "Cache hits", "data": [5, 9, 8, 12, 15, 19]},
            {"type": "line", "label": "Target", "data": [15, 17, 19, 21, 23, 25]},
        ],
    },
    "options": {"plugins": {"title": {"display": True, "text": "Brand kit preview"}}},
}


def field_errors(exc: Exception) -> dict[str, str]:
    """An API validation failure as ``{form field: message}`` (the top-level name of the field)."""
    if isinstance(exc, ValidationError):
        messages = exc.messages if isinstance(exc.messages, dict) else {"": exc.messages}
        return {_top(k): _text(v) for k, v in messages.items()}
    if isinstance(exc, ApiError):
        return {_top(exc.detail.get("field") or ""): exc.message}
    if isinstance(exc, SpecError):
        return {_top(exc.field): str(exc)}
    raise exc


def _top(field: str) -> str:
    return re.split(r"[.\[]", str(field), maxsplit=1)[0] or "form"


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value)


def _preview_src(**params: str) -> str:
    query = signed_images.signed_query(PREVIEW, g.principal.account_id, params)
    return url_for("dashboard_brand.preview_image") + "?" + query


def _kit_src(kit_id: str, settings: dict[str, Any] | None = None, version: int = 1) -> str:
    params = {"kit": kit_id, "v": str(version)}
    if settings is not None:
        params["ks"] = signed_images.b64json(settings)
    return _preview_src(**params)


def _template_src(template_id: str, version: int = 1) -> str:
    return _preview_src(t=template_id, v=str(version))


@bp.get("/app/preview.png")
@auth.page
@_hidden("Brand kit or template preview image")
def preview_image():
    """A signed preview: ``kit`` (+ ``ks``, unsaved settings) draws the sample chart in the kit;
    ``t`` a saved or built-in template; ``c`` (+ ``p``, ``kit``) an unsaved template body."""
    started = time.perf_counter()
    params = signed_images.check(PREVIEW)
    if isinstance(params, Response):
        return params
    principal = g.principal
    try:
        if "t" in params:
            req = template_api.template_request(principal, params["t"], {})
        elif "c" in params:
            req = template_api.chart_from(
                principal,
                signed_images.unb64json(params["c"], "c"),
                signed_images.unb64json(params.get("p", "e30"), "p"),
                {},
                kit=params.get("kit") or None,
            )
        else:
            theme = _kit_theme(params.get("kit", ""), params.get("ks"))
            req = template_api.chart_from(principal, SAMPLE, {}, {"scale": "1"})
            req = dataclasses.replace(req, spec=brandkits.apply_theme(req.spec, theme))
    except (SpecError, ApiError) as exc:
        return Response(str(exc), 400, mimetype="text/plain")
    return signed_images.render_internal(req, started)


def _kit_theme(kit: str, unsaved: str | None):
    if brandkits.is_preset(kit) and unsaved is None:
        return brandkits.preset(kit)
    settings = signed_images.unb64json(unsaved, "ks") if unsaved is not None else None
    if kit == "new":
        return brandkits.theme_from_settings("preview", 0, settings or {})
    with services().sessions() as session:
        try:
            row = kits.get_kit(session, g.principal.account_id, uuid.UUID(kit))
        except (kits.NotFound, ValueError):
            raise SpecError("kit", "no such brand kit in this account") from None
        if settings is None:
            return kits.kit_theme(row)
        return brandkits.theme_from_settings(row.id, row.version, settings, row.logo_key)


# ---- brand kits ----


def _kit_payload(form, *, editing: bool) -> dict[str, Any]:
    """The form as the API's body. Editing sends every setting: an empty one resets it (null)."""
    payload: dict[str, Any] = {"name": form.get("name", "").strip()}
    for key in SETTINGS:
        value = form.get(key, "").strip()
        if key == "palette" and value:
            payload[key] = [c for c in re.split(r"[\s,]+", value) if c]
        elif value:
            payload[key] = value
        elif editing:
            payload[key] = None
    return payload


def _kit_form(row_settings: dict[str, Any] | None = None, name: str = "") -> dict[str, str]:
    settings = row_settings or {}
    form = {"name": name}
    for key in SETTINGS:
        value = settings.get(key)
        form[key] = " ".join(value) if isinstance(value, list) else (value or "")
    return form


def _kit_page(status: int = 200, **context) -> Response:
    base = context["form"].get("base") or brandkits.DEFAULT_BASE
    inherited = brandkits.theme_view(brandkits.PRESETS.get(base, brandkits.PRESETS[brandkits.DEFAULT_BASE]))
    return _page(
        "app/brand_kit_edit.html",
        status,
        presets=list(brandkits.PRESETS),
        color_fields=COLOR_FIELDS,
        choice_fields=CHOICE_FIELDS,
        inherited=inherited,
        logo_types=logos.CONTENT_TYPES,
        errors=context.pop("errors", {}),
        **context,
    )


@bp.get("/app/brand-kits")
@auth.page
@_hidden("Brand kits")
def brand_kits():
    if g.get("dashboard") is None:
        return _login_redirect()
    with services().sessions() as session:
        own = [kits.kit_view(row) for row in kits.list_kits(session, g.principal.account_id)]
    return _page(
        "app/brand_kits.html",
        kits=own,
        presets=kits.preset_views(),
        notice=request.args.get("notice"),
    )


@bp.route("/app/brand-kits/new", methods=["GET", "POST"])
@auth.page
@_hidden("New brand kit")
def new_kit():
    if g.get("dashboard") is None:
        return _login_redirect()
    if request.method == "GET":
        form = _kit_form({"base": request.args.get("base", "")})
        return _kit_page(form=form, kit=None, preview_src=_kit_src("new", {}))
    if not _csrf_ok():
        return _csrf_failed()
    payload = _kit_payload(request.form, editing=False)
    try:
        view = kit_api.create_from_payload(g.principal, payload)
    except (ValidationError, ApiError) as exc:
        form = {k: request.form.get(k, "") for k in ("name", *SETTINGS)}
        return _kit_page(400, form=form, kit=None, errors=field_errors(exc), preview_src=_kit_src("new", {}))
    return redirect(url_for(".edit_kit", kit_id=view["id"], notice="Brand kit created."), code=303)


def _owned(getter, row_id: uuid.UUID):
    """The account's kit or template ``row_id`` (``getter``: kits.get_kit or get_template), or None."""
    with services().sessions() as session:
        try:
            return getter(session, g.principal.account_id, row_id)
        except kits.NotFound:
            return None


def _not_found(what: str) -> Response:
    return _page("message.html", 404, title="Not found", message=f"No such {what} in this account.")


def _delete(row_id: uuid.UUID, delete, what: str, listing: str) -> Response:
    """Delete the account's kit or template through the API's own ``delete(principal, id)``,
    back to ``listing``."""
    if g.get("dashboard") is None:
        return _login_redirect()
    if not _csrf_ok():
        return _csrf_failed()
    try:
        delete(g.principal, row_id)
    except ApiError as exc:
        if exc.status == 404:
            return _not_found(what)
        raise
    return redirect(url_for(listing, notice=f"{what.capitalize()} deleted."), code=303)


@bp.route("/app/brand-kits/<uuid:kit_id>", methods=["GET", "POST"])
@auth.page
@_hidden("Edit a brand kit")
def edit_kit(kit_id: uuid.UUID):
    if g.get("dashboard") is None:
        return _login_redirect()
    row = _owned(kits.get_kit, kit_id)
    if row is None:
        return _not_found("brand kit")
    view = kits.kit_view(row)
    src = _kit_src(str(row.id), version=row.version)
    if request.method == "GET":
        form = _kit_form(row.settings, row.name)
        return _kit_page(form=form, kit=view, preview_src=src, notice=request.args.get("notice"))
    if not _csrf_ok():
        return _csrf_failed()
    try:
        kit_api.update_from_payload(g.principal, kit_id, _kit_payload(request.form, editing=True))
    except (ValidationError, ApiError) as exc:
        form = {k: request.form.get(k, "") for k in ("name", *SETTINGS)}
        return _kit_page(400, form=form, kit=view, errors=field_errors(exc), preview_src=src)
    return redirect(url_for(".edit_kit", kit_id=kit_id, notice="Saved."), code=303)


@bp.post("/app/brand-kits/preview")
@auth.page
@_hidden("Preview an unsaved brand kit")
def kit_preview():
    """The signed preview URL of the form as it stands (not saved), or its field errors."""
    if g.get("dashboard") is None:
        return jsonify(errors={"form": "Log in first"}), 401
    if not _csrf_ok():
        return jsonify(errors={"form": "The form expired: reload the page."}), 400
    payload = _kit_payload(request.form, editing=False)
    payload.pop("name")
    try:
        settings = kit_api._settings(payload)
    except ApiError as exc:
        return jsonify(errors=field_errors(exc)), 400
    kit = request.form.get("kit_id", "") or "new"
    return jsonify(src=_kit_src(kit, settings))


@bp.post("/app/brand-kits/<uuid:kit_id>/logo")
@auth.page
@_hidden("Upload a brand kit's logo")
def kit_logo(kit_id: uuid.UUID):
    if g.get("dashboard") is None:
        return _login_redirect()
    if not _csrf_ok():
        return _csrf_failed()
    row = _owned(kits.get_kit, kit_id)
    if row is None:
        return _not_found("brand kit")
    upload = request.files.get("logo")
    try:
        if request.form.get("remove") == "true":
            _remove_logo(row)
        elif upload is None or not upload.filename:
            raise ApiError(400, "Choose a PNG or SVG file.", field="logo")
        else:
            raw = upload.stream.read(logos.MAX_LOGO_BYTES + 1)
            if len(raw) > logos.MAX_LOGO_BYTES:
                raise ApiError(413, f"At most {logos.MAX_LOGO_BYTES // 1024} KB.", field="logo")
            kit_api.store_logo(g.principal, kit_id, raw, upload.mimetype or "")
    except ApiError as exc:
        form = _kit_form(row.settings, row.name)
        return _kit_page(
            exc.status if exc.status < 500 else 400,
            form=form,
            kit=kits.kit_view(row),
            errors=field_errors(exc),
            preview_src=_kit_src(str(row.id), version=row.version),
        )
    return redirect(url_for(".edit_kit", kit_id=kit_id, notice="Logo saved."), code=303)


def _remove_logo(row) -> None:
    kit_api.remove_logo(g.principal, row.id)


@bp.post("/app/brand-kits/<uuid:kit_id>/delete")
@auth.page
@_hidden("Delete a brand kit")
def delete_kit(kit_id: uuid.UUID):
    return _delete(kit_id, kit_api.delete, "brand kit", ".brand_kits")


# ---- templates ----


def _template_payload(form) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as the API's body, and errors for JSON that does not parse."""
    payload: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "description": form.get("description", "").strip(),
        "brandKitId": form.get("brandKitId", "").strip() or None,
    }
    errors: dict[str, str] = {}
    for key, default in (("spec", None), ("parameters", {})):
        text = form.get(key, "").strip()
        if not text:
            if default is None:
                errors[key] = "Enter the chart as JSON (a POST /api/v1/render body)."
            else:
                payload[key] = default
            continue
        try:
            payload[key] = json.loads(text)
        except ValueError as exc:
            errors[key] = f"Not valid JSON: {exc}"
    return payload, errors


def _template_form(view: dict[str, Any] | None = None) -> dict[str, str]:
    if view is None:
        example = templates.BUILTIN["revenue-bar"]["spec"]
        return {
            "name": "",
            "description": "",
            "spec": json.dumps(example, indent=2),
            "parameters": "",
            "brandKitId": "",
        }
    return {
        "name": view["name"],
        "description": view["description"],
        "spec": json.dumps(view["spec"], indent=2),
        "parameters": json.dumps(view["parameters"], indent=2) if view["parameters"] else "",
        "brandKitId": view["brandKitId"] or "",
    }


def _template_page(status: int = 200, **context) -> Response:
    with services().sessions() as session:
        own_kits = [(str(row.id), row.name) for row in kits.list_kits(session, g.principal.account_id)]
    return _page(
        "app/template_edit.html",
        status,
        presets=list(brandkits.PRESETS),
        own_kits=own_kits,
        errors=context.pop("errors", {}),
        **context,
    )


@bp.get("/app/templates")
@auth.page
@_hidden("Templates")
def templates_page():
    if g.get("dashboard") is None:
        return _login_redirect()
    with services().sessions() as session:
        own = [kits.template_view(row) for row in kits.list_templates(session, g.principal.account_id)]
    for view in own:
        view["previewSrc"] = _template_src(view["id"], view["version"])
    builtin = [
        {
            "id": key,
            "name": entry["name"],
            "description": entry["description"],
            "previewSrc": _template_src(key),
        }
        for key, entry in templates.BUILTIN.items()
    ]
    return _page("app/templates.html", templates=own, builtin=builtin, notice=request.args.get("notice"))


@bp.route("/app/templates/new", methods=["GET", "POST"])
@auth.page
@_hidden("New template")
def new_template():
    if g.get("dashboard") is None:
        return _login_redirect()
    if request.method == "GET":
        return _template_page(form=_template_form(), tpl=None, preview_src=None)
    if not _csrf_ok():
        return _csrf_failed()
    payload, errors = _template_payload(request.form)
    if not errors:
        try:
            view = template_api.create_from_payload(g.principal, payload)
        except (ValidationError, ApiError, SpecError) as exc:
            errors = field_errors(exc)
        else:
            return redirect(
                url_for(".edit_template", template_id=view["id"], notice="Template created."), 303
            )
    form = {k: request.form.get(k, "") for k in ("name", "description", "spec", "parameters", "brandKitId")}
    return _template_page(400, form=form, tpl=None, errors=errors, preview_src=None)


@bp.route("/app/templates/<uuid:template_id>", methods=["GET", "POST"])
@auth.page
@_hidden("Edit a template")
def edit_template(template_id: uuid.UUID):
    if g.get("dashboard") is None:
        return _login_redirect()
    row = _owned(kits.get_template, template_id)
    if row is None:
        return _not_found("template")
    view = kits.template_view(row)
    src = _template_src(view["id"], view["version"])
    render_url = template_api._render_url(view["id"])
    if request.method == "GET":
        return _template_page(
            form=_template_form(view),
            tpl=view,
            preview_src=src,
            render_url=render_url,
            notice=request.args.get("notice"),
        )
    if not _csrf_ok():
        return _csrf_failed()
    payload, errors = _template_payload(request.form)
    if not errors:
        try:
            template_api.update_from_payload(g.principal, template_id, payload)
        except (ValidationError, ApiError, SpecError) as exc:
            errors = field_errors(exc)
        else:
            return redirect(url_for(".edit_template", template_id=template_id, notice="Saved."), code=303)
    form = {k: request.form.get(k, "") for k in ("name", "description", "spec", "parameters", "brandKitId")}
    return _template_page(400, form=form, tpl=view, errors=errors, preview_src=src, render_url=render_url)


@bp.post("/app/templates/preview")
@auth.page
@_hidden("Preview an unsaved template")
def template_preview():
    """The signed preview URL of the template form as it stands (not saved), or its field errors."""
    if g.get("dashboard") is None:
        return jsonify(errors={"form": "Log in first"}), 401
    if not _csrf_ok():
        return jsonify(errors={"form": "The form expired: reload the page."}), 400
    payload, errors = _template_payload(request.form)
    if not errors:
        try:
            fields = template_api._check_fields(payload)
            # the same chart the render URL would draw (unknown brand kits and bad overrides caught)
            template_api.chart_from(
                g.principal, fields["spec"], fields.get("parameters", {}), {}, kit=payload["brandKitId"]
            )
        except (ValidationError, ApiError, SpecError) as exc:
            errors = field_errors(exc)
    if errors:
        return jsonify(errors=errors), 400
    params = {"c": signed_images.b64json(payload["spec"]), "kit": payload["brandKitId"] or ""}
    if payload.get("parameters"):
        params["p"] = signed_images.b64json(payload["parameters"])
    if sum(len(v) for v in params.values()) > signed_images.MAX_QUERY:
        return jsonify(errors={"spec": "Too large to preview before saving: save to see it."}), 400
    return jsonify(src=_preview_src(**params))


@bp.post("/app/templates/<uuid:template_id>/delete")
@auth.page
@_hidden("Delete a template")
def delete_template(template_id: uuid.UUID):
    return _delete(template_id, template_api.delete, "template", ".templates_page")
