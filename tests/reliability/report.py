"""Figures of the reliability suite, gathered in ``var/reliability/report.json`` (one section per
scenario, each stamped with the time it ran) and summarised in docs/fleet.md."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

REPORT = Path(__file__).resolve().parents[2] / "var" / "reliability" / "report.json"


def record(scenario: str, figures: dict[str, Any]) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    try:
        report = json.loads(REPORT.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        report = {}
    report[scenario] = {"ran_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **figures}
    REPORT.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
