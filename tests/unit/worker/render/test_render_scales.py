"""Tick generation and label formatting (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from worker.render.scales import format_number, format_time, linear_ticks, log_ticks, nice_num, time_ticks


def ts(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("x", "nice"), [(0.7, 1), (1, 1), (1.5, 2), (2.1, 5), (4.9, 5), (5.1, 10), (13, 20), (0.031, 0.05)]
)
def test_nice_num(x: float, nice: float) -> None:
    assert nice_num(x) == pytest.approx(nice)


def test_linear_ticks_cover_the_data_in_nice_steps() -> None:
    t = linear_ticks(0, 90, 11)
    assert t.labels == ("0", "10", "20", "30", "40", "50", "60", "70", "80", "90")
    assert (t.lo, t.hi) == (0, 90)
    t = linear_ticks(-3, 17, 11)
    assert t.values[0] <= -3 and t.values[-1] >= 17
    assert len(t.values) <= 11


def test_linear_ticks_respect_max_ticks_and_decimals() -> None:
    t = linear_ticks(0, 1, 11)
    assert t.labels[:3] == ("0.0", "0.1", "0.2")
    assert len(linear_ticks(0, 1000, 4).values) <= 4


def test_linear_ticks_use_given_bounds() -> None:
    t = linear_ticks(0, 90, 11, user_min=5, user_max=87)
    assert (t.lo, t.hi) == (5, 87)
    assert t.values[0] == 5 and t.values[-1] == 87


def test_linear_ticks_for_a_single_value_widen_the_range() -> None:
    t = linear_ticks(3, 3, 11)
    assert t.lo < 3 < t.hi
    t = linear_ticks(0, 0, 11)
    assert t.lo < 0 < t.hi


def test_large_numbers_are_grouped_and_huge_ones_scientific() -> None:
    assert "100,000,000" in linear_ticks(1_234_567, 98_765_432, 6).labels
    assert format_number(1234.5, 1) == "1,234.5"
    assert format_number(-0.0001, 2) == "0.00"
    assert "e+" in linear_ticks(0, 1e17, 5).labels[-1]


def test_log_ticks() -> None:
    t = log_ticks(3, 70)
    assert (t.lo, t.hi) == (1, 100)
    assert len(t.values) == 19  # 1..9, 10..90, 100
    labelled = [label for label in t.labels if label]
    assert labelled[:4] == ["1", "2", "3", "5"]
    t = log_ticks(3, 7000)
    assert [label for label in t.labels if label][-3:] == ["2,000", "5,000", "10,000"]
    wide = log_ticks(1e-3, 1e9)
    assert all(label in ("", "0.001") or "0" in label for label in wide.labels)
    assert len(wide.values) <= 20


def test_log_ticks_tolerate_non_positive_bounds() -> None:
    t = log_ticks(0, 0)
    assert t.lo > 0 and t.hi > t.lo


@pytest.mark.parametrize(
    ("lo", "hi", "first_labels"),
    [
        (ts(2024, 1, 1), ts(2024, 4, 28), ("Jan 1", "Jan 15")),
        (ts(2024, 1, 1), ts(2026, 3, 1), ("Jan 2024", "Apr 2024")),
        (ts(2024, 1, 1), ts(2024, 1, 1, 5), ("12:00 AM", "12:30 AM")),
        (ts(2000, 1, 1), ts(2030, 1, 1), ("2000", "2005")),
        (ts(2024, 3, 1, 13), ts(2024, 3, 2, 13), ("3PM", "6PM")),
    ],
)
def test_time_ticks_pick_a_unit_and_format(lo: float, hi: float, first_labels: tuple[str, ...]) -> None:
    t = time_ticks(lo, hi, 760, lambda unit: 60)
    assert t.labels[: len(first_labels)] == first_labels
    assert all(lo <= v <= hi for v in t.values)
    assert len(t.values) <= 760 // 60 + 1


def test_time_ticks_on_a_single_instant() -> None:
    t = time_ticks(ts(2024, 5, 5), ts(2024, 5, 5), 400, lambda unit: 50)
    assert t.lo < t.hi


def test_format_time_units() -> None:
    t = ts(2024, 7, 4, 15, 5, 9)
    assert format_time(t, "second") == "3:05:09 PM"
    assert format_time(t, "minute") == "3:05 PM"
    assert format_time(t, "hour") == "3PM"
    assert format_time(t, "day") == "Jul 4"
    assert format_time(t, "month") == "Jul 2024"
    assert format_time(t, "year") == "2024"
