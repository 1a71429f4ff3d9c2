"""The chart dialects in one place: for each name, how ``POST /api/v1/jobs`` turns its body into a
render request, and how a custom template stored in it is checked, takes the template route's
overrides and becomes a render request. ``POST /api/v1/jobs`` picks the dialect by its
``dialect`` field (Chart.js when absent); a template keeps the dialect it was created in."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from api.routes import chart, finance, quickchart
from api.routes.common import chartjs_request
from api.theming import decorate
from core.services.jobs import RenderRequest
from core.services.keys import Principal
from core.specs import template_dialects
from core.specs.cards import parse_card
from core.specs.chartjs import parse_chart
from core.specs.imagecharts import parse_imagecharts
from core.specs.model import Theme


@dataclasses.dataclass(frozen=True)
class Dialect:
    name: str
    # POST /api/v1/jobs: the JSON body -> an asynchronous render request (brandKitId applied).
    job_request: Callable[[dict[str, Any]], RenderRequest]
    # A template's spec with its overrides applied, in a brand kit (or None) -> a synchronous
    # render request.
    template_request: Callable[[dict[str, Any], Principal, Theme | None], RenderRequest]
    # How a template's spec is checked when saved and takes the overrides (pure, in core).
    template: template_dialects.TemplateDialect


def _chartjs_job(payload: dict[str, Any]) -> RenderRequest:
    req, body = chartjs_request("async")
    return decorate(req, body)  # brandKitId and card


def _chartjs_template(body: dict[str, Any], principal: Principal, theme: Theme | None) -> RenderRequest:
    card = parse_card(body.get("card"), "card")
    parsed = parse_chart({k: v for k, v in body.items() if k not in template_dialects.REQUEST_KEYS})
    spec = dataclasses.replace(parsed.spec, card=card or parsed.spec.card, theme=theme)
    return RenderRequest(
        spec=spec, dialect="chartjs", principal=principal, mode="sync", warnings=parsed.warnings
    )


def _imagecharts_job(payload: dict[str, Any]) -> RenderRequest:
    req = chart.job_request(payload)
    params = payload.get("params")
    if isinstance(params, str):
        params = chart.parse_form(params.removeprefix("?").encode("utf-8"))
    return decorate(req, params, with_card=False)  # brandKitId


def _imagecharts_template(body: dict[str, Any], principal: Principal, theme: Theme | None) -> RenderRequest:
    req = chart.render_request(parse_imagecharts(body), principal, "sync", signed=False)
    return dataclasses.replace(req, spec=dataclasses.replace(req.spec, theme=theme))


DIALECTS: dict[str, Dialect] = {
    d.name: d
    for d in (
        Dialect("chartjs", _chartjs_job, _chartjs_template, template_dialects.DIALECTS["chartjs"]),
        Dialect(
            "imagecharts", _imagecharts_job, _imagecharts_template, template_dialects.DIALECTS["imagecharts"]
        ),
        Dialect(
            "finance", finance.job_request, finance.template_request, template_dialects.DIALECTS["finance"]
        ),
        Dialect(
            "quickchart",
            quickchart.job_request,
            quickchart.template_request,
            template_dialects.DIALECTS["quickchart"],
        ),
    )
}
NAMES = tuple(DIALECTS)


def of(payload: Any) -> Dialect:
    """The dialect a jobs body names (Chart.js unless it names another one)."""
    name = payload.get("dialect") if isinstance(payload, Mapping) else None
    return DIALECTS.get(name, DIALECTS["chartjs"]) if isinstance(name, str) else DIALECTS["chartjs"]
