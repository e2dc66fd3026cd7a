"""LoadBalancer under the recording mocks: listeners, routes, security group, logs, API, validation."""

from __future__ import annotations

import inspect
import json
import re

import pulumi
import pulumi_aws as aws
import pytest

from components.errors import ComponentArgsError
from components.load_balancer import HealthCheck, LoadBalancer, LoadBalancerArgs, Route, RuleMode
from components.subnet import SubnetRef
from components.tags import REQUIRED_TAG_KEYS
from components.vpc import NatMode, Vpc, VpcArgs
from stacks.offline.mocks import ProgramRun, Registration
from tests.conftest import MockRuntime

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
RULE = "aws:lb/listenerRule:ListenerRule"
TG = "aws:lb/targetGroup:TargetGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SUBNETS = [SubnetRef("us-east-1a", "subnet-aaaaaaaaaaaaaaaaa"), SubnetRef("us-east-1b", "subnet-bbbbbbbbbbbbbbbbb")]
API_ROUTES = [
    Route(name="catalog", path_patterns=["/api/catalog/*"]),
    Route(name="accounts", path_patterns=["/api/accounts/*"], port=8001),
]


def taggable(token: str) -> bool:
    if not token.startswith("aws:"):
        return False
    module, cls = token.split(":")[1].split("/")[0], token.split(":")[2]
    return "tags" in inspect.signature(getattr(getattr(aws, module), cls)._internal_init).parameters


def uses(reg: Registration, *others: Registration) -> bool:
    return all(o.urn in reg.dependencies for o in others)


def args(**overrides: object) -> LoadBalancerArgs:
    base: dict[str, object] = {
        "vpc_id": "vpc-0123456789abcdef0",
        "vpc_cidr": "10.0.0.0/16",
        "subnets": SUBNETS,
        "routes": API_ROUTES,
    }
    return LoadBalancerArgs(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.fixture
def https(pulumi_mocks: MockRuntime) -> ProgramRun:
    return pulumi_mocks.run(lambda: LoadBalancer("web", args(certificate_arn=CERT, tags={"Team": "edge"})))


def test_api_paths_become_one_ip_target_group_and_one_ordered_rule_each(https: ProgramRun) -> None:
    # GIVEN routes for /api/catalog/* and /api/accounts/* THEN each has a rule on the HTTPS listener
    catalog, accounts = https.named("web-catalog-rule"), https.named("web-accounts-rule")
    listener = https.named("web-https")
    assert catalog.inputs["conditions"] == [{"pathPattern": {"values": ["/api/catalog/*"]}}]
    assert accounts.inputs["conditions"] == [{"pathPattern": {"values": ["/api/accounts/*"]}}]
    assert (catalog.inputs["priority"], accounts.inputs["priority"]) == (100, 110)
    assert catalog.inputs["listenerArn"] == listener.outputs["arn"]
    tg = https.named("web-catalog-tg")
    assert catalog.inputs["actions"] == [{"type": "forward", "targetGroupArn": tg.outputs["arn"]}]
    # AND each target group takes Fargate tasks by IP with the health check and drain time asked for
    assert (tg.inputs["targetType"], tg.inputs["protocol"], tg.inputs["port"]) == ("ip", "HTTP", 8000)
    assert tg.inputs["deregistrationDelay"] == 30
    assert tg.inputs["healthCheck"]["path"] == "/healthz" and tg.inputs["healthCheck"]["matcher"] == "200"
    assert tg.inputs["healthCheck"]["port"] == "traffic-port"
    assert https.named("web-accounts-tg").inputs["port"] == 8001
    assert all(len(t.inputs["name"]) <= 32 for t in https.of_type(TG))


def test_with_a_certificate_https_uses_the_tls13_policy_and_http_redirects(https: ProgramRun) -> None:
    listener, http = https.named("web-https").inputs, https.named("web-http").inputs

    assert (listener["port"], listener["protocol"], listener["sslPolicy"]) == (
        443,
        "HTTPS",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    )
    assert listener["certificateArn"] == CERT
    default = listener["defaultActions"][0]
    assert default["type"] == "fixed-response" and default["fixedResponse"]["statusCode"] == "404"
    assert default["fixedResponse"]["contentType"] == "application/json"
    assert json.loads(default["fixedResponse"]["messageBody"])["error"]["code"] == "not_found"
    assert http["defaultActions"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ]


def test_the_alb_is_public_in_the_given_subnets_and_drops_invalid_headers(https: ProgramRun) -> None:
    alb = https.named("web-alb").inputs

    assert (alb["internal"], alb["loadBalancerType"]) == (False, "application")
    assert alb["subnets"] == [s.id for s in SUBNETS]
    assert alb["dropInvalidHeaderFields"] is True and alb["desyncMitigationMode"] == "defensive"
    assert (alb["idleTimeout"], alb["enableDeletionProtection"]) == (60, True)
    assert len(alb["name"]) <= 32


def test_the_security_group_admits_80_and_443_from_the_world_and_sends_only_to_the_vpc(https: ProgramRun) -> None:
    ingress = sorted(
        (r.inputs["fromPort"], r.inputs["toPort"], r.inputs.get("cidrIpv4"), r.inputs.get("cidrIpv6"))
        for r in https.of_type(INGRESS)
    )
    egress = sorted((r.inputs["fromPort"], r.inputs["cidrIpv4"]) for r in https.of_type(EGRESS))

    assert ingress == [(80, 80, "0.0.0.0/0", None), (443, 443, "0.0.0.0/0", None)]
    assert egress == [(8000, "10.0.0.0/16"), (8001, "10.0.0.0/16")]


def test_ipv6_and_cloudfront_prefix_lists_are_admitted_only_when_given(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(
        lambda: LoadBalancer(
            "web",
            args(
                certificate_arn=CERT, ingress_cidrs=["203.0.113.0/24", "::/0"], ingress_prefix_list_ids=["pl-3b927c52"]
            ),
        )
    )

    rules = {r.name: r.inputs for r in run.of_type(INGRESS)}
    assert rules["web-ingress-443-1"]["cidrIpv4"] == "203.0.113.0/24"
    assert rules["web-ingress-443-2"]["cidrIpv6"] == "::/0" and "cidrIpv4" not in rules["web-ingress-443-2"]
    # the prefix list (CloudFront origin-facing) only on the serving port: it weighs ~55 rules each
    assert rules["web-ingress-443-pl-1"]["prefixListId"] == "pl-3b927c52"
    assert "web-ingress-80-pl-1" not in rules


def test_without_a_certificate_only_http_is_served_and_routes_attach_to_it(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(lambda: LoadBalancer("web", args()))

    listeners = run.of_type("aws:lb/listener:Listener")
    assert [(ln.name, ln.inputs["protocol"], ln.inputs["port"]) for ln in listeners] == [("web-http", "HTTP", 80)]
    assert listeners[0].inputs["defaultActions"][0]["type"] == "fixed-response"
    assert uses(run.named("web-catalog-rule"), run.named("web-http"))
    assert sorted(r.inputs["fromPort"] for r in run.of_type(INGRESS)) == [80]


def test_access_logs_go_to_a_private_tls_only_bucket_elb_can_write_to(https: ProgramRun) -> None:
    alb = https.named("web-alb")
    bucket = https.named("web-access-logs")
    policy = https.named("web-access-logs-policy")

    assert alb.inputs["accessLogs"] == {"bucket": bucket.outputs["bucket"], "prefix": "alb", "enabled": True}
    assert uses(alb, policy)
    pab = https.named("web-access-logs-public-access-block").inputs
    assert all(
        pab[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    sse = https.named("web-access-logs-encryption").inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert sse == {"sseAlgorithm": "AES256"}
    assert https.named("web-access-logs-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    logs = f"{bucket.outputs['arn']}/alb/AWSLogs/123456789012/*"
    assert statements["AllowElbLogDeliveryService"]["Principal"] == {
        "Service": "logdelivery.elasticloadbalancing.amazonaws.com"
    }
    assert statements["AllowElbLogDeliveryService"]["Resource"] == logs
    assert statements["AllowElbAccountLogDelivery"]["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}
    expiry = https.named("web-access-logs-lifecycle").inputs["rules"]
    assert {"days": 90} in [r.get("expiration") for r in expiry]


def test_every_taggable_child_is_tagged_and_named_after_the_load_balancer(https: ProgramRun) -> None:
    component = https.named("web")
    children = [r for r in https.registrations.values() if r.urn != component.urn]

    assert all(r.name.startswith("web-") and r.parent == component.urn for r in children)
    tagged = [r for r in children if taggable(r.type)]
    assert len(tagged) >= 12
    for r in tagged:
        assert set(REQUIRED_TAG_KEYS) <= set(r.inputs["tags"]) and r.inputs["tags"]["Team"] == "edge", r.name


def test_a_load_balancer_is_built_from_a_vpc_in_one_line(pulumi_mocks: MockRuntime) -> None:
    def program() -> None:
        net = Vpc("net", VpcArgs(nat=NatMode.NONE, flow_logs=False))
        LoadBalancer("web", LoadBalancerArgs.in_vpc(net, routes=API_ROUTES, access_logs=False))

    run = pulumi_mocks.run(program)

    alb = run.named("web-alb")
    assert uses(alb, run.named("net-public-1"), run.named("net-public-2"))
    assert not uses(alb, run.named("net-private-1"))
    assert run.named("web-egress-8000").inputs["cidrIpv4"] == "10.0.0.0/16"


def test_routes_added_later_and_external_rules_share_the_listener_without_priority_clashes(
    pulumi_mocks: MockRuntime,
) -> None:
    seen: dict[str, object] = {}

    def program() -> None:
        lb = LoadBalancer(
            "web",
            args(
                certificate_arn=CERT,
                routes=[
                    API_ROUTES[0],
                    Route(name="accounts", path_patterns=["/api/accounts/*"], rule=RuleMode.EXTERNAL),
                ],
            ),
        )
        seen["search"] = lb.add_route(Route(name="search", path_patterns=["/api/search/*"], port=9000))
        seen["green"] = lb.add_target_group("accounts", "green")
        seen["priority"] = lb.priority_of("accounts")
        seen["reserved"] = lb.reserve_priority()
        seen["explicit"] = lb.reserve_priority(5)
        seen["listener"] = lb.listener
        seen["arns"] = sorted(lb.target_group_arns)
        with pytest.raises(ComponentArgsError, match=r"\[priority\] 5 is outside 1..50000 or already taken"):
            lb.reserve_priority(5)
        with pytest.raises(ComponentArgsError, match=r"\[add_route\('catalog'\).name\] 'catalog' is already a route"):
            lb.add_route(Route(name="catalog", path_patterns=["/x/*"]))
        with pytest.raises(KeyError, match="no route 'nope'"):
            lb.target_group("nope")
        cond = lb.conditions_of("accounts")
        seen["conditions"] = [c.path_pattern.values for c in cond if c.path_pattern is not None]  # type: ignore[union-attr]

    run = pulumi_mocks.run(program)

    assert run.named("web-search-rule").inputs["priority"] == 120
    assert run.named("web-egress-9000").inputs["fromPort"] == 9000
    assert [r.name for r in run.of_type(RULE) if "accounts" in r.name] == []  # EXTERNAL: no rule of ours
    assert run.named("web-accounts-green-tg").inputs["port"] == 8000
    assert (seen["priority"], seen["reserved"], seen["explicit"]) == (110, 40000, 5)
    assert isinstance(seen["listener"], aws.lb.Listener)
    assert seen["arns"] == ["catalog", "search"]  # EXTERNAL: the rule's owner brings its target groups
    assert seen["conditions"] == [["/api/accounts/*"]]


def test_a_required_origin_header_is_added_to_every_rule_as_a_secret(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(
        lambda: LoadBalancer(
            "web",
            args(
                required_header_name="X-Origin-Verify", required_header_value=pulumi.Output.secret("s3cr3t-value-0123")
            ),
        )
    )

    assert run.named("web-catalog-rule").inputs["conditions"] == [
        {"pathPattern": {"values": ["/api/catalog/*"]}},
        {"httpHeader": {"httpHeaderName": "X-Origin-Verify", "values": ["[secret]"]}},
    ]


def test_explicit_priorities_and_health_checks_are_honoured(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(
        lambda: LoadBalancer(
            "web",
            args(
                routes=[
                    Route(
                        name="home",
                        host_headers=["www.example.com"],
                        priority=7,
                        health_check=HealthCheck(
                            path="/ready", matcher="200-299", interval_seconds=30, timeout_seconds=10
                        ),
                        deregistration_delay=0,
                    )
                ]
            ),
        )
    )

    rule, tg = run.named("web-home-rule").inputs, run.named("web-home-tg").inputs
    assert rule["priority"] == 7
    assert rule["conditions"] == [{"hostHeader": {"values": ["www.example.com"]}}]
    assert (tg["healthCheck"]["path"], tg["healthCheck"]["matcher"], tg["healthCheck"]["interval"]) == (
        "/ready",
        "200-299",
        30,
    )
    assert tg["deregistrationDelay"] == 0


# -- validation: one test per rule, each refusing before anything is registered -------------------
LONG = "/" + "a" * 128


@pytest.mark.parametrize(
    ("overrides", "pattern"),
    [
        (
            {"routes": [API_ROUTES[0], Route(name="catalog", path_patterns=["/b/*"])]},
            r"LoadBalancer 'web': \[routes\[1\]\.name\] 'catalog' is already a route; give each route a unique name",
        ),
        (
            {"routes": [API_ROUTES[0], Route(name="other", path_patterns=["/api/catalog/*"])]},
            r"\[routes\[1\]\.path_patterns\] '/api/catalog/\*' is already routed to 'catalog'",
        ),
        (
            {
                "routes": [
                    Route(
                        name="a",
                        path_patterns=["/1", "/2", "/3"],
                        host_headers=["a.example.com", "b.example.com", "c.example.com"],
                    )
                ]
            },
            r"\[routes\[0\]\.path_patterns\] 3 path patterns \+ 3 host headers = 6 condition values; ALB allows 5",
        ),
        (
            {"routes": [Route(name="a", path_patterns=["/1", "/2", "/3", "/4"])]},
            r"\[routes\[0\]\.path_patterns\] .* has 4 values; ALB allows 3 per condition",
        ),
        ({"routes": [Route(name="a", path_patterns=[LONG])]}, r"\[routes\[0\]\.path_patterns\] .* is 129 characters"),
        (
            {"routes": [Route(name="a", path_patterns=["/api/{id}"])]},
            r"\[routes\[0\]\.path_patterns\] '/api/\{id\}' contains '\{\}', which ALB path patterns reject",
        ),
        ({"routes": [Route(name="a", host_headers=["localhost"])]}, r"\[routes\[0\]\.host_headers\] 'localhost'"),
        (
            {
                "routes": [
                    Route(name="a", path_patterns=["/a/*"], priority=110),
                    Route(name="b", path_patterns=["/b/*"]),
                ]
            },
            r"\[routes\[1\]\.priority\] 110 is already used by route 'a'",
        ),
        (
            {
                "routes": [
                    Route(name="a", path_patterns=["/a/*"]),
                    Route(name="b", path_patterns=["/b/*"], priority=100),
                ]
            },
            r"\[routes\[0\]\.priority\] 100 is already used by route 'b'",
        ),
        (
            {
                "routes": [
                    Route(name="a", path_patterns=["/a/*"], priority=9),
                    Route(name="b", path_patterns=["/b/*"], priority=9),
                ]
            },
            r"\[routes\[1\]\.priority\] 9 is already used by route 'a'",
        ),
        (
            {"routes": [Route(name="a", path_patterns=["/a/*"], priority=50001)]},
            r"\[routes\[0\]\.priority\] 50001 is outside",
        ),
        ({"routes": [Route(name="a")]}, r"\[routes\[0\]\.path_patterns\] a route needs at least one path pattern"),
        ({"routes": [Route(name="Catalog!", path_patterns=["/a"])]}, r"\[routes\[0\]\.name\] 'Catalog!' must be"),
        (
            {"routes": [Route(name="a", path_patterns=["/a"], health_check=HealthCheck(matcher="2xx"))]},
            r"\[routes\[0\]\.health_check\.matcher\] '2xx' is not a matcher",
        ),
        (
            {"certificate_arn": "arn:aws:acm:us-east-1:123:certificate/x"},
            r"\[certificate_arn\] 'arn:aws:acm:us-east-1:123:certificate/x' is not an ACM certificate ARN",
        ),
        ({"subnets": [SUBNETS[0]]}, r"\[subnets\] 1 subnet\(s\) in 1 AZ\(s\) .* at least 2 subnets in distinct AZs"),
        ({"subnets": [SUBNETS[0], SubnetRef("us-east-1a", "subnet-c")]}, r"\[subnets\] 2 subnet\(s\) in 1 AZ"),
        ({"ingress_cidrs": ["0.0.0.0/33"]}, r"\[ingress_cidrs\] '0.0.0.0/33' is not a CIDR block"),
        ({"idle_timeout": 0}, r"\[idle_timeout\] 0 is outside 1..4000"),
        ({"required_header_name": "X-Origin-Verify"}, r"\[required_header_name\] .* go together"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_registered(
    pulumi_mocks: MockRuntime, overrides: dict[str, object], pattern: str
) -> None:
    message, run = pulumi_mocks.refusal(lambda: LoadBalancer("web", args(**overrides)))

    assert re.search(pattern, message), message
    assert run.registrations == {}
