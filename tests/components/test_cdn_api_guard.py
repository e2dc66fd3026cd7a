"""The /api/* guard: viewers cannot send the blue-green test headers; the operator's key can.

The function's code is run here by Node.js (the CloudFront Functions runtime is JavaScript; the
``crypto`` hash API it uses is the same), against the viewer-request events CloudFront hands it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from components.cdn import API_STRIPPED_HEADERS, Cdn, CdnArgs, api_guard_code
from tests.conftest import MockRuntime

KEY = "Q9" * 24
NODE = shutil.which("node")
RUNNER = """
const code = require('fs').readFileSync(process.argv[2], 'utf8');
const events = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));
const handler = new Function('require', code + '\\nreturn handler;')(require);
console.log(JSON.stringify(events.map((e) => handler(e).headers)));
"""


def run_guard(tmp_path: Path, code: str, requests: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Headers after the function, per viewer request (CloudFront's event shape: lowercase names)."""
    assert NODE, "node is needed to run the CloudFront Function"
    (tmp_path / "fn.js").write_text(code)
    (tmp_path / "run.js").write_text(RUNNER)
    events = [
        {"request": {"uri": "/api/catalog/titles", "headers": {k.lower(): {"value": v} for k, v in h.items()}}}
        for h in requests
    ]
    (tmp_path / "events.json").write_text(json.dumps(events))
    out = subprocess.run(
        [NODE, str(tmp_path / "run.js"), str(tmp_path / "fn.js"), str(tmp_path / "events.json")],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return [{k: v["value"] for k, v in h.items()} for h in json.loads(out.stdout)]


def test_viewers_lose_the_test_headers_unless_their_key_hashes_right(tmp_path: Path) -> None:
    # GIVEN the guard for a key (only its hash is in the code)
    code = api_guard_code(API_STRIPPED_HEADERS, hashlib.sha256(KEY.encode()).hexdigest())
    assert KEY not in code

    # WHEN viewers send the colour header alone, with a wrong key, or with the right key
    after = run_guard(
        tmp_path,
        code,
        [
            {"X-Deployment-Color": "green", "Accept": "application/json"},
            {"X-Deployment-Color": "green", "X-Deployment-Key": "guess" * 10},
            {"X-Deployment-Color": "green", "X-Deployment-Key": KEY},
        ],
    )

    # THEN only the right key keeps them; other headers always pass
    assert after[0] == {"accept": "application/json"}
    assert after[1] == {}
    assert after[2] == {"x-deployment-color": "green", "x-deployment-key": KEY}


def test_without_a_key_the_headers_are_always_removed(tmp_path: Path) -> None:
    after = run_guard(tmp_path, api_guard_code(API_STRIPPED_HEADERS, None), [{"X-Deployment-Color": "blue"}])
    assert after == [{}]


def test_the_api_behaviour_runs_the_guard_on_viewer_requests(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a Cdn with an API origin and the key's hash
    digest = hashlib.sha256(KEY.encode()).hexdigest()
    run = pulumi_mocks.run(
        lambda: Cdn("web", CdnArgs(api_origin_domain="origin.example.com", api_test_key_sha256=digest))
    )

    # THEN /api/* runs the guard function on viewer requests, and the function holds the hash, not the key
    guard = run.named("web-api-guard")
    assert guard.inputs["runtime"] == "cloudfront-js-2.0" and guard.inputs["publish"] is True
    assert guard.inputs["code"] == api_guard_code(API_STRIPPED_HEADERS, digest)
    behaviours = run.named("web-distribution").inputs["orderedCacheBehaviors"]
    api = next(b for b in behaviours if b["pathPattern"] == "/api/*")
    assert api["functionAssociations"] == [{"eventType": "viewer-request", "functionArn": guard.outputs["arn"]}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (CdnArgs(api_origin_domain="o.example.com", api_test_key_sha256="abc"), r"\[api_test_key_sha256\] 'abc'"),
        (CdnArgs(api_origin_domain="o.example.com", api_stripped_headers=["X Color"]), r"'X Color' is not a header"),
    ],
)
def test_bad_guard_arguments_are_refused(pulumi_mocks: MockRuntime, args: CdnArgs, message: str) -> None:
    refused, run = pulumi_mocks.refusal(lambda: Cdn("web", args))
    assert re.search(message, refused), refused
    assert run.registrations == {}
