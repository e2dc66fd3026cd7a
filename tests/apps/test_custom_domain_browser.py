"""Playback on the custom domain, in headless Chromium (issue 13 item 6).

The environment is planned offline (dev with ``edge.cdnDomainNames: [stream.example.test]``) and
the catalog service's ``CDN_DOMAIN`` and ``ALLOWED_ORIGINS`` and the distribution's
Content-Security-Policy are taken from that plan, so the test judges what the platform would deploy.
CloudFront itself cannot run here; a TLS reverse proxy on 127.0.0.1 plays its part, doing what the
planned distribution does: ``/media/*`` only with a valid CloudFront canned-policy signature (the
trusted key group) served from the media files with Range support, everything else forwarded to the
app, and the response headers policy's CSP put on every response (``override: true``). Chromium
resolves the alias and the ``*.cloudfront.net`` name to that proxy (``--host-resolver-rules``).
"""

from __future__ import annotations

import base64
import http.client
import http.server
import json
import shutil
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from tests.apps.conftest import Server, chromium, start_server

ALIAS = "stream.example.test"
SEED_MEDIA = Path(__file__).resolve().parents[2] / "apps" / "streaming" / "seed" / "media"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


@dataclass(frozen=True)
class Planned:
    """What the offline plan of dev with an alias says the catalog service and the distribution get."""

    cdn_domain: str
    allowed_origins: str
    cloudfront_name: str
    csp: str


@pytest.fixture(scope="module")
def planned() -> Planned:
    from stacks.offline.plan import run_platform

    cert = "arn:aws:acm:us-east-1:123456789012:certificate/3d4e5f6a-7b8c-4d9e-8f1a-2b3c4d5e6f7a"
    run = run_platform(
        "dev", overrides={"streaming-platform:edge": {"cdnDomainNames": [ALIAS], "cdnCertificateArn": cert}}
    )
    task = next(t for t in run.of_type("aws:ecs/taskDefinition:TaskDefinition") if "catalog" in t.name)
    app = next(c for c in json.loads(task.inputs["containerDefinitions"]) if c["name"] != "migrate")
    environment = {e["name"]: e["value"] for e in app["environment"]}
    (policy,) = run.of_type("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    csp = policy.inputs["securityHeadersConfig"]["contentSecurityPolicy"]
    assert csp["override"] is True
    (dist,) = run.of_type("aws:cloudfront/distribution:Distribution")
    return Planned(
        cdn_domain=environment["CDN_DOMAIN"],
        allowed_origins=environment["ALLOWED_ORIGINS"],
        cloudfront_name=str(dist.outputs["domainName"]),
        csp=csp["contentSecurityPolicy"],
    )


@dataclass
class Edge:
    port: int
    seen: list[str]


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ALIAS)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(ALIAS), x509.DNSName("*.cloudfront.net")]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "edge.pem", directory / "edge.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _cloudfront_b64decode(value: str) -> bytes:
    return base64.b64decode(value.replace("-", "+").replace("_", "=").replace("~", "/"))


def start_edge(app_port: int, csp: str, signing_key: rsa.RSAPrivateKey, directory: Path) -> tuple[Edge, Any]:
    """The stand-in for the planned distribution (see the module docstring)."""
    public_key = signing_key.public_key()
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP | {"content-length", "content-security-policy"}:
                    self.send_header(name, value)
            self.send_header("Content-Security-Policy", csp)  # the response headers policy, override: true
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _media(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            resource = f"https://{self.headers['Host']}{parts.path}"
            try:
                expires = int(query["Expires"])
                policy = json.dumps(
                    {"Statement": [{"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}]},
                    separators=(",", ":"),
                ).encode()
                public_key.verify(_cloudfront_b64decode(query["Signature"]), policy, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - CloudFront signs with SHA-1
                if expires < time.time():
                    raise InvalidSignature
            except (KeyError, ValueError, InvalidSignature):
                self._send(403, [("Content-Type", "text/plain")], b"signature does not match")
                return
            path = SEED_MEDIA / parts.path.removeprefix("/media/seed/")
            data = path.read_bytes()
            ranged = self.headers.get("Range", "")
            if ranged.startswith("bytes="):
                start_text, _, end_text = ranged.removeprefix("bytes=").partition("-")
                start = int(start_text or 0)
                end = min(int(end_text) if end_text else len(data) - 1, len(data) - 1)
                headers = [("Content-Type", "video/webm"), ("Accept-Ranges", "bytes")]
                headers.append(("Content-Range", f"bytes {start}-{end}/{len(data)}"))
                self._send(206, headers, data[start : end + 1])
            else:
                self._send(200, [("Content-Type", "video/webm"), ("Accept-Ranges", "bytes")], data)

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            upstream = http.client.HTTPConnection("127.0.0.1", app_port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
            upstream.close()
            self._send(response.status, response.getheaders(), payload)

        def _handle(self) -> None:
            seen.append(f"{self.command} {self.headers['Host']}{urlsplit(self.path).path}")
            if self.path.startswith("/media/"):
                self._media()
            else:
                self._forward()

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = _handle  # noqa: N815 - http.server names

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_self_signed(directory))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Edge(port=server.server_address[1], seen=seen), server


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _browser(edge_port: int) -> Any:
    return chromium(
        "--ignore-certificate-errors",  # the stand-in edge's certificate is self-signed
        f"--host-resolver-rules=MAP {ALIAS}:443 127.0.0.1:{edge_port}, MAP *.cloudfront.net:443 127.0.0.1:{edge_port}",
    )


@pytest.fixture
def site(tmp_path: Path, planned: Planned, signing_key: rsa.RSAPrivateKey) -> Iterator[Any]:
    """Start the app with a CDN_DOMAIN, the edge in front of it and Chromium; yield a function that does it."""
    started: list[tuple[Server, Any, Any]] = []

    def start(cdn_domain: str) -> tuple[Any, Edge]:
        pem = signing_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        app = start_server(
            tmp_path / f"data-{len(started)}",
            {
                "CDN_DOMAIN": cdn_domain,
                "ALLOWED_ORIGINS": planned.allowed_origins,
                "CDN_KEY_PAIR_ID": "K2JCJMDEHXQW5F",
                "CDN_PRIVATE_KEY": pem,
            },
        )
        edge, http_server = start_edge(app.port, planned.csp, signing_key, tmp_path)
        browser = _browser(edge.port)
        started.append((app, http_server, browser))
        return browser, edge

    yield start
    for app, http_server, browser in started:
        browser.quit()
        shutil.rmtree(browser.profile_dir, ignore_errors=True)
        http_server.shutdown()
        http_server.server_close()
        app.process.terminate()
        app.process.wait(timeout=15)


def _sign_in_and_play(browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 20)
    browser.get(f"https://{ALIAS}/")
    browser.execute_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI));"
    )
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '[data-row-id="top-rated"] .poster')))
    browser.find_element(By.ID, "login-email").send_keys("alias@example.com")
    browser.find_element(By.ID, "login-password").send_keys("a long enough password")
    browser.find_element(By.ID, "register-button").click()
    wait.until(ec.visibility_of_element_located((By.ID, "account")))
    browser.find_element(By.CSS_SELECTOR, '[data-row-id="top-rated"] .poster[data-title-id="aurora"]').click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "detail-title"), "Aurora"))
    browser.find_element(By.ID, "play-button").click()


def _video(browser: Any) -> dict[str, Any]:
    return dict(
        browser.execute_script(
            "const v = document.getElementById('video');"
            "return {src: v.currentSrc || v.src, time: v.currentTime, ready: v.readyState,"
            " error: v.error && v.error.code, csp: window.__csp};"
        )
    )


def test_the_plan_signs_media_for_the_alias(planned: Planned) -> None:
    assert planned.cdn_domain == ALIAS
    assert planned.allowed_origins.split(",") == [f"https://{ALIAS}", f"https://{planned.cloudfront_name}"]
    assert "media-src 'self' blob:" in planned.csp


def test_on_the_custom_domain_the_video_plays(site: Any, planned: Planned) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    # GIVEN the app configured as the plan says (CDN_DOMAIN = the alias) behind the edge, the page on the alias
    browser, edge = site(planned.cdn_domain)
    _sign_in_and_play(browser)
    # THEN the video plays: its currentTime advances, from a CloudFront-signed URL on the page's own origin
    WebDriverWait(browser, 20).until(lambda d: _video(d)["time"] > 0.5)
    state = _video(browser)
    assert state["src"].startswith(f"https://{ALIAS}/media/seed/forest.webm?Expires=")
    assert "Key-Pair-Id=K2JCJMDEHXQW5F" in state["src"]
    assert state["error"] is None and state["ready"] >= 2 and state["csp"] == []
    assert f"GET {ALIAS}/media/seed/forest.webm" in edge.seen


def test_signed_for_the_cloudfront_name_the_pages_csp_blocks_the_video(site: Any, planned: Planned) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    # GIVEN the old behaviour: the page on the alias, media signed for the *.cloudfront.net name
    # (which the edge serves too: only the CSP stands in the way)
    browser, edge = site(planned.cloudfront_name)
    _sign_in_and_play(browser)
    # THEN the browser refuses the media URL under media-src and the video never plays
    WebDriverWait(browser, 20).until(lambda d: _video(d)["csp"])
    state = _video(browser)
    assert state["csp"][0].startswith(f"media-src https://{planned.cloudfront_name}/media/seed/forest.webm")
    time.sleep(1)
    assert _video(browser)["time"] == 0 and _video(browser)["ready"] == 0
    assert not any("/media/" in line for line in edge.seen)
