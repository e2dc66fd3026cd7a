"""Playback through CloudFront: URLs signed with the configured key pair (botocore + cryptography)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


@pytest.fixture
def backend() -> str:
    return "embedded"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _cloudfront_b64decode(value: str) -> bytes:
    return base64.b64decode(value.replace("-", "+").replace("_", "=").replace("~", "/"))


def test_with_a_cdn_key_play_returns_a_cloudfront_url_signed_by_that_key(
    make_client: Any, key: rsa.RSAPrivateKey
) -> None:
    # GIVEN an app configured with a CloudFront domain and signing key
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    client = make_client(
        CDN_DOMAIN="d111.cloudfront.net", CDN_KEY_PAIR_ID="K2JCJMDEHXQW5F", CDN_PRIVATE_KEY=pem, MEDIA_BUCKET=None
    )
    from tests.apps.conftest import register_and_login

    headers = register_and_login(client, "cdn@example.com")
    # WHEN a viewer asks to play a title
    body = client.get("/api/catalog/titles/city-lights/play", headers=headers).json()
    # THEN the URL is on the CDN under /media/, with a canned-policy signature that the public key verifies
    parts = urlsplit(body["url"])
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "d111.cloudfront.net", "/media/seed/city.webm")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["Key-Pair-Id"] == "K2JCJMDEHXQW5F"
    expires = int(query["Expires"])
    resource = "https://d111.cloudfront.net/media/seed/city.webm"
    policy = json.dumps(
        {"Statement": [{"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}]},
        separators=(",", ":"),
    ).encode()
    key.public_key().verify(_cloudfront_b64decode(query["Signature"]), policy, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - CloudFront signs with SHA-1
    assert body["expiresAt"].endswith("Z")


def test_a_cdn_key_that_is_not_rsa_is_refused_at_start(make_client: Any) -> None:
    # GIVEN an EC key (CloudFront key groups take RSA)
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    # WHEN the app is built
    # THEN it refuses, naming the variable
    with pytest.raises(ValueError, match=r"\[CDN_PRIVATE_KEY\] must be an RSA private key"):
        make_client(CDN_DOMAIN="d.cloudfront.net", CDN_KEY_PAIR_ID="K1", CDN_PRIVATE_KEY=pem)
