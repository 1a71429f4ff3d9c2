"""Signed URLs without a database: splitting a query at its signature, the HMAC, and the
encryption of signing secrets at rest."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from core.services.signing import (
    SigningError,
    decrypt_secret,
    encrypt_secret,
    generate_secret,
    sign,
    split_signed_query,
)


def signed_url(params: dict[str, str], secret: str) -> bytes:
    query = urlencode(params)  # what the documentation's Python example does
    return f"{query}&ichm={sign(query, secret)}".encode()


def test_the_signature_covers_everything_before_ichm():
    raw = signed_url({"cht": "bvs", "chd": "s:93zyvneTTO", "chs": "400x401", "icac": "acme"}, "s3cret")
    signed = split_signed_query(raw)
    assert signed.account == "acme"
    assert signed.message == b"cht=bvs&chd=s%3A93zyvneTTO&chs=400x401&icac=acme"
    assert sign(signed.message.decode(), "s3cret") == signed.signature


def test_documented_python_example_signature():
    # HMAC-SHA256 over the urlencoded query, hex digest (the documentation's algorithm)
    import codecs
    import hashlib
    import hmac

    query = urlencode({"cht": "bvs", "chd": "s:93zyvneTTO", "chs": "400x401", "icac": "MY_ACCOUNT_ID"})
    expected = codecs.getencoder("hex")(hmac.new(b"MY_SECRET_KEY", query.encode(), hashlib.sha256).digest())[
        0
    ]
    assert sign(query, "MY_SECRET_KEY") == expected.decode()


def test_unsigned_queries():
    assert split_signed_query(b"cht=p&chs=10x10&chd=t:1") is None
    assert split_signed_query(b"") is None


def test_chof_may_follow_the_signature_nothing_else():
    raw = signed_url({"cht": "p", "icac": "acme"}, "k")
    assert split_signed_query(raw + b"&chof=.png").account == "acme"
    with pytest.raises(SigningError) as err:
        split_signed_query(raw + b"&chd=t:1")
    assert err.value.code == "IC_INVALID_SIGNATURE"


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"cht=p&icac=acme", "IC_SIGNATURE_MISSING"),
        (b"cht=p&ichm=" + b"0" * 64, "IC_SIGNATURE_MISSING"),
        (b"cht=p&icac=acme&ichm=xyz", "IC_INVALID_SIGNATURE"),
        (b"ichm=" + b"a" * 64 + b"&icac=acme", "IC_SIGNATURE_MISSING"),
    ],
)
def test_malformed_signatures(raw, code):
    with pytest.raises(SigningError) as err:
        split_signed_query(raw)
    assert err.value.code == code


def test_secrets_are_encrypted_with_the_server_key():
    secret = generate_secret()
    token = encrypt_secret(secret, "server-key")
    assert secret not in token
    assert decrypt_secret(token, "server-key") == secret
    assert decrypt_secret(token, "another-key") is None
    assert generate_secret() != secret and len(secret) == 64
