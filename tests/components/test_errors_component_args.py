"""Issue 15, component arguments: every value AWS would refuse later is refused first, by name.

One table: each case builds a component with one bad argument under the recording mocks and
asserts the message (the instance, the argument in brackets, the value and the fix) and that the
component registered nothing before refusing. Items: 5 (AZs of the region), 6 (tags), 7 (RDS
instance class), 8 (ISO country codes), 9 (WAF managed rule groups), 10 (path patterns) and 12
(BlueGreen validates up front, refuses two rules at one priority).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from components import (
    Cdn,
    CdnArgs,
    GeoRestrictionType,
    LoadBalancer,
    LoadBalancerArgs,
    Postgres,
    PostgresArgs,
    Route,
    RuleMode,
    Vpc,
    VpcArgs,
    WebAcl,
    WebAclArgs,
)
from components.blue_green import BlueGreen, BlueGreenArgs, BlueGreenSettings, Color, ColorSettings
from components.fargate_service import FargateServiceArgs
from components.subnet import SubnetRef
from tests.conftest import MockRuntime

SUBNETS = [SubnetRef("us-east-1a", "subnet-aaaaaaaaaaaaaaaaa"), SubnetRef("us-east-1b", "subnet-bbbbbbbbbbbbbbbbb")]
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/catalog@sha256:" + "b" * 64


def _lb(rule: RuleMode = RuleMode.EXTERNAL, path: str = "/api/catalog/*") -> LoadBalancer:
    return LoadBalancer(
        "web",
        LoadBalancerArgs(
            vpc_id="vpc-0123456789abcdef0",
            vpc_cidr="10.0.0.0/16",
            subnets=SUBNETS,
            routes=[Route(name="catalog", path_patterns=[path], rule=rule)],
        ),
    )


def _blue_green(*, rule: RuleMode = RuleMode.EXTERNAL, memory: int = 512) -> Callable[[], object]:
    def build() -> object:
        lb = _lb(rule)
        template = FargateServiceArgs(
            cluster_arn="arn:aws:ecs:us-east-1:123456789012:cluster/prod",
            vpc_id="vpc-0123456789abcdef0",
            subnet_ids=["subnet-0123456789abcdef0"],
            image=IMAGE,
            cpu=256,
            memory=memory,
            load_balancer_security_group_id=lb.security_group_id,
        )
        settings = BlueGreenSettings(
            active_color=Color.BLUE,
            weights={Color.BLUE: 100, Color.GREEN: 0},
            blue=ColorSettings(image="", desired_count=1),
            green=ColorSettings(image="", desired_count=0),
        )
        return BlueGreen(
            "catalog",
            BlueGreenArgs(
                service="catalog", settings=settings, load_balancer=lb, route="catalog", service_template=template
            ),
        )

    return build


CASES: list[tuple[str, Callable[[], object], str, str]] = [
    # (item, build, the component's name prefix that must have registered nothing, message pattern)
    (
        "5: an AZ the region does not have",
        lambda: Vpc("net", VpcArgs(availability_zones=("us-east-1a", "us-east-1z"))),
        "net",
        r"Vpc 'net': \[availability_zones\] \['us-east-1z'\] is not available in the Vpc's region, whose zones "
        r"are us-east-1a, .*us-east-1f; list zones of that region",
    ),
    (
        "5: another region's AZs",
        lambda: Vpc("net", VpcArgs(availability_zones=("eu-west-1a", "eu-west-1b"))),
        "net",
        r"\[availability_zones\] \['eu-west-1a', 'eu-west-1b'\] are not available in the Vpc's region",
    ),
    (
        "6: a tag key over 128 characters",
        lambda: Vpc("net", VpcArgs(tags={"k" * 129: "v"})),
        "net",
        r"Vpc 'net': \[tags\] key 'k{40}'… is 129 characters; AWS allows 1 to 128",
    ),
    (
        "6: a tag value over 256 characters",
        lambda: Vpc("net", VpcArgs(tags={"Team": "v" * 257})),
        "net",
        r"\[tags\] the value of 'Team' is 257 characters; AWS allows at most 256",
    ),
    (
        "6: a tag key in AWS's own prefix",
        lambda: Vpc("net", VpcArgs(tags={"aws:team": "media"})),
        "net",
        r"\[tags\] key 'aws:team' starts with 'aws:', which AWS reserves",
    ),
    (
        "7: an RDS size with a typo",
        lambda: Postgres("db", PostgresArgs(vpc_id="vpc-0123", subnets=SUBNETS, instance_class="db.t4g.mirco")),
        "db",
        r"Postgres 'db': \[instance_class\] 'db.t4g.mirco': db.t4g has no size 'mirco'; did you mean 'db.t4g.micro'\?",
    ),
    (
        "7: an RDS family that does not exist",
        lambda: Postgres("db", PostgresArgs(vpc_id="vpc-0123", subnets=SUBNETS, instance_class="db.t4x.micro")),
        "db",
        r"\[instance_class\] 'db.t4x.micro': RDS for PostgreSQL has no instance family 'db.t4x'",
    ),
    (
        "8: UK is not ISO 3166-1",
        lambda: Cdn("web", CdnArgs(geo_restriction=GeoRestrictionType.ALLOW, geo_countries=("US", "UK"))),
        "web",
        r"Cdn 'web': \[geo_countries\] 'UK' is not an ISO 3166-1 alpha-2 code \(the code for that country is 'GB'\)",
    ),
    (
        "8: two capitals that no country has",
        lambda: Cdn("web", CdnArgs(geo_restriction=GeoRestrictionType.DENY, geo_countries=("XX",))),
        "web",
        r"\[geo_countries\] 'XX' is not an ISO 3166-1 alpha-2 code",
    ),
    (
        "9: a WAF group with the wrong case",
        lambda: WebAcl("waf", WebAclArgs(managed_rule_groups=("AWSManagedRulesSQLiRuleset",))),
        "waf",
        r"WebAcl 'waf': \[managed_rule_groups\] 'AWSManagedRulesSQLiRuleset' is not an AWS managed rule group "
        r".*did you mean 'AWSManagedRulesSQLiRuleSet'\?",
    ),
    (
        "10: a path pattern without a leading /",
        lambda: _lb(RuleMode.FORWARD, path="api/catalog/*"),
        "web",
        r"'api/catalog/\*' does not start with '/', so it can never match a request.*write '/api/catalog/\*'",
    ),
    (
        "12: a service template Fargate refuses, before any target group or rule",
        _blue_green(memory=4096),
        "catalog",
        r"BlueGreen 'catalog': \[service_template.memory\] blue: 4096 is not valid for cpu=256; choose 512, 1024 or 2048",
    ),
    (
        "12: a forward route would put two rules at one priority",
        _blue_green(rule=RuleMode.FORWARD),
        "catalog",
        r"\[route\] 'catalog' is a forward route: the load balancer already creates its rule at priority 100, "
        r"and BlueGreen's rule would take the same priority \(AWS answers PriorityInUse\); create the route "
        r"with rule=RuleMode.EXTERNAL",
    ),
]


@pytest.mark.parametrize(("item", "build", "prefix", "pattern"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_component_argument_is_refused_by_name_before_the_component_registers_anything(
    pulumi_mocks: MockRuntime, item: str, build: Callable[[], object], prefix: str, pattern: str
) -> None:
    # GIVEN a component with one argument AWS would refuse; WHEN it is built
    message, run = pulumi_mocks.refusal(build)

    # THEN the refusal names the instance, the argument, the value and the fix
    assert re.search(pattern, message), message
    assert "Traceback" not in message
    # AND the refused component registered nothing (a load balancer built before it may exist)
    assert [r.name for r in run.registrations.values() if r.name == prefix or r.name.startswith(f"{prefix}-")] == []


def test_every_item_of_the_component_group_has_a_case() -> None:
    items = {case[0].split(":")[0] for case in CASES}
    assert items == {"5", "6", "7", "8", "9", "10", "12"}
