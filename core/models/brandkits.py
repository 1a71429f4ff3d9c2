"""Brand kits and templates an account keeps: both are versioned so that renders made with them
hash (and cache) per version, and an edit changes the next render."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class BrandKit(Base):
    __tablename__ = "brand_kits"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The kit's own settings, in the API's names (core.specs.brandkits.validate_settings).
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # The logo as a normalized PNG in object storage (named by its content hash), and what was sent.
    logo_key: Mapped[str | None] = mapped_column(String(300))
    logo_source_type: Mapped[str | None] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(server_default=text("1"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class ChartTemplate(Base):
    __tablename__ = "chart_templates"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), server_default="")
    # The dialect of the stored spec (core.specs.template_dialects): chartjs, quickchart,
    # imagecharts or finance.
    dialect: Mapped[str] = mapped_column(String(20), server_default=text("'chartjs'"))
    # The stored spec in that dialect (a POST /api/v1/render body for chartjs, QuickChart's request,
    # Image-Charts parameters, a finance snapshot body), request keys aside.
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # Named parameters: {"name": {"path": "data.datasets.0.data", "default": ...}} (see core.specs.templates)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    brand_kit: Mapped[str | None] = mapped_column(String(64))  # a preset name or a kit's UUID
    version: Mapped[int] = mapped_column(server_default=text("1"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
