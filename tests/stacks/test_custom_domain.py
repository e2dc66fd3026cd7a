"""Issue 13 item 6: with custom domain names the services sign media for the alias the page is served from."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stacks.offline.mocks import ProgramRun
from stacks.offline.plan import run_platform

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/3d4e5f6a-7b8c-4d9e-8f1a-2b3c4d5e6f7a"
PROD_EDGE = {
    "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
    "albDomainName": "origin.streaming.example.com",
}


def _environments(run: ProgramRun) -> dict[str, dict[str, str]]:
    """{task definition name: its container's environment} for every service."""
    out: dict[str, dict[str, str]] = {}
    for task in run.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        container: dict[str, Any] = json.loads(task.inputs["containerDefinitions"])[0]
        out[task.name] = {e["name"]: e["value"] for e in container["environment"]}
    return out


def _cloudfront_name(run: ProgramRun) -> str:
    (dist,) = run.of_type("aws:cloudfront/distribution:Distribution")
    name = dist.outputs["domainName"]
    assert name.endswith(".cloudfront.net")
    return str(name)


@pytest.mark.parametrize(
    ("env", "edge", "aliases"),
    [
        ("dev", None, []),
        ("dev", {"cdnDomainNames": ["watch.example.com", "www.watch.example.com"], "cdnCertificateArn": CERT}, None),
        ("prod", None, ["streaming.example.com"]),
        ("prod", PROD_EDGE, []),
    ],
    ids=["dev-no-alias", "dev-two-aliases", "prod-alias", "prod-no-alias"],
)
def test_every_service_signs_for_the_first_alias_and_allows_each_alias(
    env: str, edge: dict[str, Any] | None, aliases: list[str] | None
) -> None:
    # GIVEN an environment planned with or without cdnDomainNames
    run = run_platform(env, overrides={"streaming-platform:edge": edge} if edge else None)
    aliases = edge.get("cdnDomainNames", []) if edge else aliases
    assert aliases is not None
    cloudfront = _cloudfront_name(run)
    environments = _environments(run)
    assert environments, "no task definitions planned"
    # THEN each service's CDN_DOMAIN is the first alias (the page's origin), else the CloudFront name,
    # and ALLOWED_ORIGINS lists https://<alias> for each alias and the CloudFront name
    for name, environment in environments.items():
        assert environment["CDN_DOMAIN"] == (aliases[0] if aliases else cloudfront), name
        assert environment["ALLOWED_ORIGINS"].split(",") == [f"https://{a}" for a in aliases] + [
            f"https://{cloudfront}"
        ], name
