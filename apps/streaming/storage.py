"""Media storage and short-lived URLs.

Playback URL, in order of preference: a CloudFront signed URL (CDN_KEY_PAIR_ID +
CDN_PRIVATE_KEY), an S3 presigned GET (MEDIA_BUCKET), else a local ``/media/…`` URL
carrying an expiry and an HMAC-SHA256 signature that the app checks when serving it.
Objects live in the bucket under ``media/`` + the title's media key, because the CDN's
``/media/*`` behaviour forwards the path unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .config import SEED_DIR, Settings

log = logging.getLogger("streaming.storage")

MEDIA_PREFIX = "media/"
SEED_MEDIA_DIR = SEED_DIR / "media"
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
CONTENT_TYPES = {"video/webm": "webm", "video/mp4": "mp4"}


def valid_media_key(key: str) -> bool:
    return 0 < len(key) <= 300 and bool(_KEY_RE.match(key)) and ".." not in key.split("/")


@dataclass(frozen=True)
class SignedUrl:
    url: str
    expires_at: int


class UrlSigner:
    """HMAC-SHA256 signatures for local media and upload URLs (laptop mode).

    ``bound`` values (an upload's content type and size) travel in the query and are signed with
    the method, path and expiry, so none of them can be changed without breaking the signature."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"media-url:" + secret.encode()).digest()

    def sign(self, method: str, path: str, expires: int, bound: Mapping[str, str] | None = None) -> str:
        extra = "".join(f"\n{name}={value}" for name, value in sorted((bound or {}).items()))
        message = f"{method}\n{path}\n{expires}{extra}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def verify(
        self,
        method: str,
        path: str,
        expires: str | None,
        signature: str | None,
        now: float | None = None,
        bound: Mapping[str, str] | None = None,
    ) -> bool:
        if not expires or not signature or not expires.isdigit():
            return False
        if int(expires) < (now if now is not None else time.time()):
            return False
        return hmac.compare_digest(self.sign(method, path, int(expires), bound), signature)

    def url(self, method: str, path: str, ttl_seconds: int, bound: Mapping[str, str] | None = None) -> SignedUrl:
        expires = int(time.time()) + ttl_seconds
        query = urlencode({**(bound or {}), "expires": expires, "signature": self.sign(method, path, expires, bound)})
        return SignedUrl(f"{path}?{query}", expires)


UPLOAD_BOUND = ("type", "size")
"""The query parameters of a local upload URL that its signature binds."""


def _rsa_signer(private_key_pem: str) -> Any:
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("[CDN_PRIVATE_KEY] must be an RSA private key (CloudFront key groups use RSA 2048).")

    def sign(message: bytes) -> bytes:
        return key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - CloudFront mandates SHA-1

    return sign


class Media:
    """Where media lives and how clients reach it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.local_dir = settings.media_dir
        self.signer = UrlSigner(settings.jwt_secret)
        self.bucket = settings.media_bucket
        self._s3: Any = None
        self._cdn: CloudFrontSigner | None = None
        if settings.cdn_key_pair_id and settings.cdn_private_key:
            self._cdn = CloudFrontSigner(settings.cdn_key_pair_id, _rsa_signer(settings.cdn_private_key))

    @property
    def mode(self) -> str:
        return "cdn" if self._cdn else "s3" if self.bucket else "local"

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = boto3.client(
                "s3",
                region_name=self.settings.aws_region,
                endpoint_url=self.settings.aws_endpoint_url,
                config=BotoConfig(
                    signature_version="s3v4",
                    retries={"max_attempts": 5, "mode": "standard"},
                    connect_timeout=3,
                    read_timeout=10,
                ),
            )
        return self._s3

    # -- playback ---------------------------------------------------------------------------
    def play_url(self, key: str) -> SignedUrl:
        ttl = self.settings.play_url_ttl_seconds
        expires = int(time.time()) + ttl
        if self._cdn is not None:
            url = f"https://{self.settings.cdn_domain}/{MEDIA_PREFIX}{quote(key)}"
            when = dt.datetime.fromtimestamp(expires, tz=dt.UTC)
            return SignedUrl(self._cdn.generate_presigned_url(url, date_less_than=when), expires)
        if self.bucket:
            url = self.s3.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": MEDIA_PREFIX + key}, ExpiresIn=ttl
            )
            return SignedUrl(url, expires)
        return self.signer.url("GET", f"/media/{quote(key)}", ttl)

    # -- uploads ----------------------------------------------------------------------------
    def upload_url(self, key: str, content_type: str, size: int) -> tuple[SignedUrl, dict[str, str]]:
        """A URL for one PUT of exactly ``size`` bytes of ``content_type`` to a fresh key, and the headers
        the client must send with it.

        S3: Content-Type, Content-Length and ``If-None-Match: *`` are signed headers of the presigned
        URL, so S3 refuses another type or size, and a second PUT to the key (412: the object exists).
        Local: type and size are signed query parameters; the app refuses a reused URL."""
        ttl = self.settings.play_url_ttl_seconds
        if self.bucket:
            url = self.s3.generate_presigned_url(
                "put_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": MEDIA_PREFIX + key,
                    "ContentType": content_type,
                    "ContentLength": size,
                    "IfNoneMatch": "*",
                },
                ExpiresIn=ttl,
            )
            return SignedUrl(url, int(time.time()) + ttl), {"Content-Type": content_type, "If-None-Match": "*"}
        bound = {"type": content_type, "size": str(size)}
        return self.signer.url("PUT", f"/api/catalog/uploads/{quote(key)}", ttl, bound), {"Content-Type": content_type}

    # -- local files ------------------------------------------------------------------------
    def local_path(self, key: str) -> Path | None:
        """The file for ``key``: ``seed/…`` from the package's seed media, anything else from the data dir."""
        if not valid_media_key(key):
            return None
        root, relative = (
            (SEED_MEDIA_DIR, key.removeprefix("seed/")) if key.startswith("seed/") else (self.local_dir, key)
        )
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root.resolve()) and candidate.is_file():
            return candidate
        return None

    def upload_path(self, key: str) -> Path:
        path = (self.local_dir / key).resolve()
        if not valid_media_key(key) or not path.is_relative_to(self.local_dir.resolve()):
            raise ValueError("invalid media key")
        return path

    def exists(self, key: str) -> bool:
        if not valid_media_key(key):
            return False
        if self.bucket:
            try:
                self.s3.head_object(Bucket=self.bucket, Key=MEDIA_PREFIX + key)
                return True
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                    return False
                raise
        return self.local_path(key) is not None

    def publish_seed_media(self) -> None:
        """Copy the seed videos into the bucket once (no-op in local mode: they are served from the package)."""
        if not self.bucket:
            return
        for path in sorted(SEED_MEDIA_DIR.glob("*.webm")):
            key = f"seed/{path.name}"
            if not self.exists(key):
                self.s3.upload_file(
                    str(path),
                    self.bucket,
                    MEDIA_PREFIX + key,
                    ExtraArgs={"ContentType": "video/webm", "CacheControl": "public, max-age=86400"},
                )
                log.info("published seed media", extra={"key": MEDIA_PREFIX + key})
