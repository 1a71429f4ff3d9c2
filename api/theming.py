"""Brand kits and cards on render requests: ``brandKitId`` (a preset or one of the caller's kits)
becomes the spec's ``Theme``; a ``card`` object becomes its ``Card``. Both are part of the spec,
so they are part of the cache key and the ETag (a kit's version included: an edited kit renders
anew). An unknown kit, or another account's, is a 400 naming ``brandKitId``: never ignored."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from api.extensions import services
from core.services import brandkits as kits
from core.services.jobs import RenderRequest
from core.services.keys import Principal
from core.specs.cards import parse_card
from core.specs.errors import SpecError
from core.specs.model import Theme

FIELD = "brandKitId"


def theme_for(principal: Principal, value: Any, field: str = FIELD) -> Theme | None:
    """The theme ``value`` names for this caller (None when absent or empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    with services().sessions() as session:
        try:
            return kits.resolve_theme(session, principal.account_id, value, field)
        except kits.NotFound:
            raise SpecError(
                field,
                f"no brand kit {str(value).strip()[:60]!r} in this account (presets: obsidian, linen, "
                "polar, studio, ember, harbor)",
                code="unknown_brand_kit",
            ) from None


def decorate(req: RenderRequest, source: Any, *, with_card: bool = True) -> RenderRequest:
    """``req`` with the brand kit and card that ``source`` (a JSON body or query args) asks for."""
    if not isinstance(source, Mapping):
        return req
    theme = theme_for(req.principal, source.get(FIELD))
    card = None
    warnings = req.warnings
    if with_card:
        nested = source.get("chart") if isinstance(source.get("chart"), Mapping) else {}
        if source.get("card") is not None:
            card = parse_card(source["card"], "card")
        elif nested.get("card") is not None:
            card = parse_card(nested["card"], "chart.card")
        warnings = tuple(w for w in warnings if w.split(".")[0] != "card" and not w.startswith("chart.card"))
    if theme is None and card is None:
        return dataclasses.replace(req, warnings=warnings) if warnings != req.warnings else req
    spec = dataclasses.replace(req.spec, theme=theme or req.spec.theme, card=card or req.spec.card)
    return dataclasses.replace(req, spec=spec, warnings=warnings)
