"""Dashboard: usage and billing (``/app/usage-billing``), its chart, CSV export and plan changes.

The usage chart is drawn by Chartfleet itself: the page embeds ``<img src="/app/usage-billing/
chart.png?c=<base64url chart>&width=..&height=..&format=png&exp=..&sig=..">``, the base64 form of
``GET /api/v1/render`` (parsed by the same ``parse_query``) signed for the session's account and
rendered uncharged through the normal render path (see ``api/signed_images.py``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import time

from flask import Blueprint, Response, g, redirect, request, url_for

from api import auth, signed_images
from api.extensions import services
from api.routes.dashboard import _csrf_failed, _csrf_ok, _hidden, _login_redirect, _page
from core.db import utcnow
from core.models import Account
from core.services import billing, dashboard, plans, reports
from core.services import brandkits as kits
from core.services.jobs import RenderRequest
from core.services.quotas import month_start
from core.specs import brandkits
from core.specs.chartjs import parse_query
from core.specs.errors import SpecError

bp = Blueprint("dashboard_usage", __name__)
CHART_PURPOSE = "usage-chart"


def usage_chart_spec(days: list[dict], *, branded: bool = False) -> dict:
    """A bar chart of charged renders and cache hits per day (in the brand kit's palette when
    ``branded``: colours in the spec would win over the kit's)."""
    spec = {
        "type": "bar",
        "data": {
            "labels": [d["date"].strftime("%d") for d in days],
            "datasets": [
                {"label": "Renders", "data": [d["renders"] for d in days], "backgroundColor": "#2563eb"},
                {"label": "Cache hits", "data": [d["cacheHits"] for d in days], "backgroundColor": "#93c5fd"},
            ],
        },
        "options": {
            "plugins": {"title": {"display": True, "text": "Usage this period, by day (UTC)"}},
            "scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}},
        },
    }
    if branded:
        for dataset in spec["data"]["datasets"]:
            del dataset["backgroundColor"]
    return spec


def chart_src(account_id, days: list[dict], kit_id=None) -> str:
    """The signed ``<img src>`` of the usage chart, drawn in brand kit ``kit_id`` when given."""
    params = {
        "c": signed_images.b64json(usage_chart_spec(days, branded=kit_id is not None)),
        "width": "800",
        "height": "280",
        "format": "png",
    }
    if kit_id is not None:
        params["kit"] = str(kit_id)
    query = signed_images.signed_query(CHART_PURPOSE, account_id, params)
    return url_for("dashboard_usage.usage_chart") + "?" + query


@bp.get("/app/usage-billing")
@auth.page
@_hidden("Usage and billing")
def usage_billing():
    if g.get("dashboard") is None:
        return _login_redirect()
    account_id = g.principal.account_id
    now = utcnow()
    with services().sessions() as session:
        usage = reports.usage(session, account_id, now)
        plan = plans.get_plan(session, usage["plan"])
        terms = plans.account_terms(session, account_id)
        catalogue = [plans.plan_view(p) for p in plans.list_plans(session)]
        bill = dashboard.invoice(terms, plan.price_cents, usage["used"])
        past = dashboard.past_periods(session, account_id, now)
        split = dashboard.breakdowns(session, account_id, now)
        own_kits = kits.list_kits(session, account_id)
    # the chart wears the account's brand kit: the one edited last, when it has any
    kit = max(own_kits, key=lambda row: row.updated_at, default=None)
    projected = dashboard.projection(usage["used"], now)
    return _page(
        "app/usage_billing.html",
        usage=usage,
        plan=plans.plan_view(plan),
        plans=[p for p in catalogue if p["name"] != "anonymous"],
        invoice=bill,
        projected=projected,
        projected_invoice=dashboard.invoice(terms, plan.price_cents, projected),
        past=past,
        split=split,
        chart_src=chart_src(account_id, usage["days"], kit.id if kit else None),
        changed=request.args.get("changed"),
        error=None,
    )


@bp.get("/app/usage-billing/chart.png")
@auth.page
@_hidden("Usage chart image")
def usage_chart():
    started = time.perf_counter()
    params = signed_images.check(CHART_PURPOSE)
    if isinstance(params, Response):
        return params
    try:
        kit_id = params.pop("kit", None)
        parsed = parse_query(params)
        if kit_id is not None:
            with services().sessions() as session:
                theme = kits.resolve_theme(session, g.principal.account_id, kit_id, "kit")
            parsed = dataclasses.replace(parsed, spec=brandkits.apply_theme(parsed.spec, theme))
    except (SpecError, kits.NotFound) as exc:  # a kit deleted since the page was drawn
        return Response(str(exc), 400, mimetype="text/plain")
    req = RenderRequest(spec=parsed.spec, dialect="chartjs", principal=g.principal)
    return signed_images.render_internal(req, started)


@bp.get("/app/usage-billing/usage.csv")
@auth.page
@_hidden("Usage CSV export")
def usage_csv():
    if g.get("dashboard") is None:
        return _login_redirect()
    account_id = g.principal.account_id
    with services().sessions() as session:
        usage = reports.usage(session, account_id)
        past = dashboard.past_periods(session, account_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "renders", "cache_hits"])
    for day in usage["days"]:
        writer.writerow([day["date"].isoformat(), day["renders"], day["cacheHits"]])
    writer.writerow([])
    writer.writerow(["period", "renders", "overage", "total_usd"])
    for p in past:
        writer.writerow(
            [p["period"].strftime("%Y-%m"), p["renders"], p["overage"], f"{p['totalCents'] / 100:.2f}"]
        )
    name = f"chartfleet-usage-{month_start().strftime('%Y-%m')}.csv"
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/app/usage-billing/plan")
@auth.page
@_hidden("Change plan")
def change_plan():
    if g.get("dashboard") is None:
        return _login_redirect()
    if not _csrf_ok():
        return _csrf_failed()
    principal = g.principal
    name = request.form.get("plan", "").strip()
    with services().sessions() as session, session.begin():
        account = session.get(Account, principal.account_id)
        try:
            target = plans.get_plan(session, name)
        except plans.PlanError:
            target = None
        # Not the anonymous plan, nor back into a trial (that would restart it).
        if target is None or target.name == "anonymous" or target.trial_days is not None:
            return _page(
                "message.html",
                400,
                title="Unknown plan",
                message=f"plan: {name!r} is not a plan you can move to.",
            )
        if target.name == account.plan_name:
            return redirect(url_for("dashboard_usage.usage_billing"), code=303)
        # The one integration point for payment: see core/services/billing.py.
        outcome = billing.authorize_plan_change(account, plans.plan_view(target))
        if not outcome.approved:
            return _page("message.html", 402, title="Payment needed", message=outcome.message)
        plans.set_account_plan(session, account, target.name, principal.actor(g.request_id))
    return redirect(url_for("dashboard_usage.usage_billing", changed=target.name), code=303)
