"""The dashboard's mapping of API validation errors to the form field they belong to."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from api.errors import ApiError
from api.routes.dashboard_brand import _kit_payload, field_errors
from api.signed_images import b64json, unb64json
from core.specs.errors import SpecError


def test_errors_land_on_the_top_level_field():
    assert field_errors(ApiError(400, "bad colour", field="palette[2]")) == {"palette": "bad colour"}
    assert field_errors(SpecError("spec.data.datasets", "must be a list"))["spec"].endswith("must be a list")
    assert field_errors(ValidationError({"name": ["Shorter than minimum length 1."]})) == {
        "name": "Shorter than minimum length 1."
    }
    assert field_errors(ApiError(503, "storage down")) == {"form": "storage down"}
    with pytest.raises(KeyError):
        field_errors(KeyError("not a validation error"))


def test_kit_form_to_api_body():
    form = {"name": " Acme ", "palette": "#112233, #445566  red", "backgroundColor": "", "base": "ember"}
    created = _kit_payload(form, editing=False)
    assert created == {"name": "Acme", "base": "ember", "palette": ["#112233", "#445566", "red"]}
    edited = _kit_payload(form, editing=True)
    assert edited["backgroundColor"] is None and edited["fontFamily"] is None  # emptied: reset to the base


def test_base64_json_round_trip_and_refusal():
    value = {"b": [1, 2], "a": "é"}
    assert unb64json(b64json(value), "c") == value
    with pytest.raises(SpecError) as caught:
        unb64json("%%%", "ks")
    assert caught.value.field == "ks"
