"""WebAcl: managed rule groups and a per-IP rate limit, scoped to CloudFront."""

from __future__ import annotations

import re

import pytest

from components.tags import REQUIRED_TAG_KEYS
from components.web_acl import MANAGED_RULE_GROUPS, WebAcl, WebAclArgs
from tests.conftest import MockRuntime


def test_the_acl_is_cloudfront_scoped_with_managed_rules_then_a_rate_limit(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(lambda: WebAcl("edge", WebAclArgs(rate_limit_per_5_minutes=1500)))

    acl = run.named("edge-acl")
    assert acl.inputs["scope"] == "CLOUDFRONT"
    assert "allow" in acl.inputs["defaultAction"]
    names = [r["name"] for r in sorted(acl.inputs["rules"], key=lambda r: r["priority"])]
    assert names == [*MANAGED_RULE_GROUPS, "rate-limit-per-ip"]
    rate = acl.inputs["rules"][-1]
    assert rate["statement"]["rateBasedStatement"] == {"limit": 1500, "aggregateKeyType": "IP"}
    assert "block" in rate["action"]
    assert all(r["visibilityConfig"]["cloudwatchMetricsEnabled"] for r in acl.inputs["rules"])
    assert set(REQUIRED_TAG_KEYS) <= set(acl.inputs["tags"])
    assert acl.parent is not None and acl.parent.endswith("::edge")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            WebAclArgs(rate_limit_per_5_minutes=10),
            r"WebAcl 'edge': \[rate_limit_per_5_minutes\] 10 is outside WAF's 100..2000000000",
        ),
        (
            WebAclArgs(managed_rule_groups=("MyRules",)),
            r"\[managed_rule_groups\] 'MyRules' is not an AWS managed rule group",
        ),
        (
            WebAclArgs(managed_rule_groups=("AWSManagedRulesSQLiRuleset",)),
            r"'AWSManagedRulesSQLiRuleset' is not an AWS managed rule group .*did you mean 'AWSManagedRulesSQLiRuleSet'",
        ),
        (WebAclArgs(managed_rule_groups=(MANAGED_RULE_GROUPS[0],) * 2), r"\[managed_rule_groups\] lists a group twice"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_registered(
    pulumi_mocks: MockRuntime, args: WebAclArgs, message: str
) -> None:
    refused, run = pulumi_mocks.refusal(lambda: WebAcl("edge", args))

    assert re.search(message, refused), refused
    assert run.registrations == {}
