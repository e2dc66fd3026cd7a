"""The app's ``/metrics`` is not reachable from the internet (issue 17, item 5), judged on the plans.

A request reaches a task only through CloudFront, then the ALB. CloudFront must send ``/metrics``
to no behaviour whose origin is the load balancer, and the ALB must forward it to no target
group: its listeners' default actions are a fixed 404 (HTTPS, or HTTP without a certificate) or
a redirect to HTTPS, and every forwarding rule matches only paths ``/metrics`` is not.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from insight.plan import Plan
from stacks.offline.plan import build_plan

ENVS = ("dev", "staging", "prod")
PATH = "/metrics"


def _matches(pattern: str, path: str) -> bool:
    """CloudFront's and ALB's path patterns: ``*`` any run of characters, ``?`` one; case-sensitive."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, path) is not None


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {env: build_plan(env) for env in ENVS}


def _of_type(plan: Plan, suffix: str) -> list[dict[str, Any]]:
    return [r for r in plan.resources if r["type"].endswith(suffix)]


def test_the_pattern_matcher_reads_patterns_as_aws_does() -> None:
    assert _matches("/api/*", "/api/catalog/rows") and not _matches("/api/*", PATH)
    assert _matches("*", PATH) and _matches("/metric?", PATH) and not _matches("/Metrics", PATH)


@pytest.mark.parametrize("env", ENVS)
def test_cloudfront_routes_metrics_to_no_load_balancer_origin(plans: dict[str, Plan], env: str) -> None:
    (distribution,) = _of_type(plans[env], ":Distribution")
    inputs = distribution["inputs"]
    # the load balancer's origins are the custom or VPC (non-S3) ones
    alb_origins = {o["originId"] for o in inputs["origins"] if "customOriginConfig" in o or "vpcOriginConfig" in o}
    assert alb_origins == {"api"}
    # the first behaviour whose pattern matches /metrics decides (CloudFront's order), else the default
    chosen = next(
        (b for b in inputs["orderedCacheBehaviors"] if _matches(b["pathPattern"], PATH)), inputs["defaultCacheBehavior"]
    )
    assert chosen["targetOriginId"] not in alb_origins, f"{env}: CloudFront sends {PATH} to the load balancer"
    assert [b["pathPattern"] for b in inputs["orderedCacheBehaviors"] if b["targetOriginId"] in alb_origins] == [
        "/api/*"
    ]


@pytest.mark.parametrize("env", ENVS)
def test_the_load_balancer_forwards_metrics_to_no_target_group(plans: dict[str, Plan], env: str) -> None:
    listeners = _of_type(plans[env], "aws:lb/listener:Listener")
    assert listeners
    for listener in listeners:
        kinds = {a["type"] for a in listener["inputs"]["defaultActions"]}
        assert kinds <= {"fixed-response", "redirect"}, f"{listener['name']} forwards unmatched paths: {kinds}"
        for action in listener["inputs"]["defaultActions"]:
            if action["type"] == "fixed-response":
                assert action["fixedResponse"]["statusCode"] == "404"
    rules = _of_type(plans[env], "aws:lb/listenerRule:ListenerRule")
    assert rules
    for rule in rules:
        patterns = [v for c in rule["inputs"]["conditions"] if "pathPattern" in c for v in c["pathPattern"]["values"]]
        assert patterns, f"{rule['name']} matches every path"
        assert not any(_matches(p, PATH) for p in patterns), f"{rule['name']} forwards {PATH}: {patterns}"
