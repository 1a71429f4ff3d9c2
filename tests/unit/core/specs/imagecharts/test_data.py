"""chd decoding and chds scaling: every data format, the document's own equivalences, missing
values, truncation, automatic scaling and the last-pair rule."""

from __future__ import annotations

import pytest

from core.specs.errors import SpecError
from core.specs.imagecharts import codes
from core.specs.imagecharts.data import decode_chd, parse_chds, scale


def values(chd: str, chds: str | None = None):
    return scale(decode_chd(chd), parse_chds(chds)).series


def test_simple_encoding_equals_the_documented_text_data():
    assert values("s:BTb19_,Mn5tzb") == values("t:1,19,27,53,61,-1|12,39,57,45,51,27")
    assert values("s:BTb19_,Mn5tzb") == ((1, 19, 27, 53, 61, None), (12, 39, 57, 45, 51, 27))


def test_extended_encoding_equals_the_documented_text_data():
    raw = decode_chd("e:BaPoqM2s,-A__RMD6").series
    text = decode_chd("t:90,1000,2700,3500|3968,-1,1100,250").series
    assert raw == ((90, 1000, 2700, 3500), (3968, None, 1100, 250))
    # text marks values below zero as missing: -1 and __ are the same missing value
    assert raw == tuple(tuple(None if v is not None and v < 0 else v for v in s) for s in text)


@pytest.mark.parametrize(
    "char, value",
    [("A", 0), ("B", 1), ("Z", 25), ("a", 26), ("b", 27), ("z", 51), ("0", 52), ("9", 61), ("_", None)],
)
def test_simple_encoding_table(char, value):
    assert decode_chd(f"s:{char}").series == ((value,),)


@pytest.mark.parametrize(
    "pair, value",
    [
        ("AA", 0), ("AB", 1), ("AZ", 25), ("Aa", 26), ("Ab", 27), ("Az", 51), ("A0", 52), ("A1", 53),
        ("A9", 61), ("A-", 62), ("A.", 63), ("BA", 64), ("BB", 65), ("BZ", 89), ("Ba", 90), ("Bb", 91),
        ("Bz", 115), ("B0", 116), ("B1", 117), ("B9", 125), ("B-", 126), ("B.", 127), ("9A", 3904),
        ("9B", 3905), ("9Z", 3929), ("9a", 3930), ("9b", 3931), ("9z", 3955), ("90", 3956), ("91", 3957),
        ("99", 3965), ("9-", 3966), ("9.", 3967), ("-A", 3968), ("-B", 3969), ("-Z", 3993), ("-a", 3994),
        ("-b", 3995), ("-z", 4019), ("-0", 4020), ("-1", 4021), ("-9", 4029), ("--", 4030), ("-.", 4031),
        (".A", 4032), (".B", 4033), (".Z", 4057), (".a", 4058), (".b", 4059), (".z", 4083), (".0", 4084),
        (".1", 4085), (".9", 4093), (".-", 4094), ("..", 4095), ("__", None),
    ],
)  # fmt: skip
def test_extended_encoding_table(pair, value):
    assert decode_chd(f"e:{pair}").series == ((value,),)


def test_basic_text_nulls_negatives_and_truncates_above_100():
    assert values("t:_,30,-30,50,80,200") == ((None, 30, None, 50, 80, 100),)
    assert scale(decode_chd("t:1,2"), None).ranges == ((0, 100),)


def test_text_accepts_empty_items_decimals_and_exponents():
    assert values("t:1.5,,2e1,+3,.5") == ((1.5, None, 20, 3, 0.5),)


def test_automatic_scaling_keeps_every_value():
    scaled = scale(decode_chd("t:-5,30,-30,50,80,200"), parse_chds("a"))
    assert scaled.series == ((-5, 30, -30, 50, 80, 200),)
    assert scaled.automatic


def test_a_format_is_automatically_scaled():
    scaled = scale(decode_chd("a:-100,200.5,75.55,110"), None)
    assert scaled.series == ((-100, 200.5, 75.55, 110),) and scaled.automatic


def test_custom_scaling_as_documented():
    scaled = scale(decode_chd("t:30,-60,50,140,80,-90"), parse_chds("-80,140"))
    assert scaled.series == ((30, -60, 50, 140, 80, None),)
    assert scaled.ranges == ((-80, 140),)


def test_custom_scaling_truncates_above_max_and_nulls_below_min():
    assert values("t:5,15,25", "10,20") == ((None, 15, 20),)


def test_last_chds_pair_serves_the_remaining_series():
    scaled = scale(decode_chd("t:5,50|5,50|5,500|5,5000"), parse_chds("0,10,0,1000"))
    assert scaled.ranges == ((0, 10), (0, 1000), (0, 1000), (0, 1000))
    assert scaled.series == ((5, 10), (5, 50), (5, 500), (5, 1000))


def test_chds_on_encoded_data_changes_printed_values_only():
    scaled = scale(decode_chd("s:A9"), parse_chds("100,200"))
    assert scaled.series == ((0, 61),) and scaled.ranges == ((0, 61),)
    offset, factor = scaled.display[0]
    assert offset + factor * 61 == pytest.approx(200)


def test_series_count_prefix_is_accepted():
    assert decode_chd("t2:1,2|3,4").series == ((1, 2), (3, 4))


@pytest.mark.parametrize(
    "chd, fragment",
    [
        ("", "must start with a data format"),
        ("x:1,2", "must start with a data format"),
        ("t:1,abc", "series 1, value 2 is not a number"),
        ("t:1|2,0x10", "series 2, value 2 is not a number"),
        ("t:1e999", "too large"),
        ("s:AB!", "character 3"),
        ("e:AAA", "odd number of characters"),
        ("e:A_", "not extended encoding"),
    ],
)
def test_invalid_data_names_chd(chd, fragment):
    with pytest.raises(SpecError) as err:
        decode_chd(chd)
    assert err.value.field == "chd" and fragment in err.value.message
    assert err.value.code == codes.INVALID_DATA


def test_too_much_data_is_refused():
    with pytest.raises(SpecError) as err:
        decode_chd("s:" + "A" * 50_001)
    assert err.value.code == codes.LIMIT_EXCEEDED
    with pytest.raises(SpecError) as err:
        decode_chd("t:" + "|".join("1" for _ in range(51)))
    assert "51 series" in err.value.message


@pytest.mark.parametrize("chds", ["1", "1,2,3", "1,x", "5,5", "10,0"])
def test_invalid_chds(chds):
    with pytest.raises(SpecError) as err:
        parse_chds(chds)
    assert err.value.field == "chds" and err.value.code == codes.INVALID_DATA_SCALING
