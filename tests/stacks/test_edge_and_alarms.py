"""Issue 14, items 1-3 at plan level: the idle colour is not viewer-reachable, the load balancer is
private (or admits only CloudFront over HTTPS), and every alarm reaches the alarm topic."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from insight.plan import Plan
from stacks.offline.plan import build_plan

ENVS = ("dev", "staging", "prod")
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {env: build_plan(env) for env in ENVS}


@pytest.mark.parametrize("env", ENVS)
def test_every_alarm_notifies_the_encrypted_alarm_topic_on_alarm_and_on_ok(plans: dict[str, Plan], env: str) -> None:
    # GIVEN the environment's plan
    plan = plans[env]
    # THEN it has exactly one alarm topic, encrypted with the customer key created beside it (prod:
    # the environment's key, which lets CloudWatch publish)
    topics = plan.of_type(TOPIC)
    assert len(topics) == 1
    topic = topics[0]
    keys = [k["urn"] for k in plan.of_type("aws:kms/key:Key") if k["parent"] == topic["parent"]]
    if env == "prod":
        keys = [k["urn"] for k in plan.of_type("aws:kms/key:Key") if k["name"] == "streaming-key-key"]
    assert len(keys) == 1 and keys[0] in topic["dependencies"]
    assert str(topic["inputs"]["kmsMasterKeyId"]).startswith("arn:aws:kms:")
    # AND every alarm sends both ALARM and OK to that topic (its ARN, by dependency), actions enabled
    alarms = plan.of_type(ALARM)
    assert len(alarms) >= 10
    for alarm in alarms:
        inputs = alarm["inputs"]
        assert topic["urn"] in alarm["dependencies"], alarm["name"]
        assert len(inputs["alarmActions"]) == 1 and inputs["okActions"] == inputs["alarmActions"], alarm["name"]
        assert re.fullmatch(r"arn:aws:sns:[a-z0-9-]+:\d{12}:streaming-alarms-topic-\w+", inputs["alarmActions"][0])
        assert inputs.get("actionsEnabled") is not False


def test_prod_subscribes_its_on_call_address_to_the_topic(plans: dict[str, Plan]) -> None:
    subscriptions = plans["prod"].of_type("aws:sns/topicSubscription:TopicSubscription")
    assert [(s["inputs"]["protocol"], s["inputs"]["endpoint"]) for s in subscriptions] == [
        ("email", "oncall@example.com")
    ]
    assert plans["prod"].of_type(TOPIC)[0]["urn"] in subscriptions[0]["dependencies"]


RULE = "aws:lb/listenerRule:ListenerRule"
SECRET = "[secret]"


@pytest.mark.parametrize("env", ENVS)
def test_no_listener_rule_is_reachable_with_a_viewer_settable_plain_header(plans: dict[str, Plan], env: str) -> None:
    # GIVEN every listener rule the environment plans
    rules = plans[env].of_type(RULE)
    header_rules = [r for r in rules if any("httpHeader" in c for c in r["inputs"]["conditions"])]
    assert header_rules, "the blue-green test rules match headers"
    for rule in header_rules:
        headers = {
            c["httpHeader"]["httpHeaderName"]: c["httpHeader"]["values"]
            for c in rule["inputs"]["conditions"]
            if "httpHeader" in c
        }
        # THEN each also requires a header whose value is a secret (the test key, or the origin secret)
        assert any(values == [SECRET] for values in headers.values()), (rule["name"], headers)
    # AND the idle colour's test rules in particular need the colour AND the key
    for color in ("blue", "green"):
        test = next(r for r in rules if r["name"] == f"streaming-catalog-test-{color}")
        headers = {
            c["httpHeader"]["httpHeaderName"]: c["httpHeader"]["values"]
            for c in test["inputs"]["conditions"]
            if "httpHeader" in c
        }
        assert headers["X-Deployment-Color"] == [color] and headers["X-Deployment-Key"] == [SECRET]


@pytest.mark.parametrize("env", ENVS)
def test_the_edge_strips_viewer_sent_test_headers_on_the_api_behaviour(plans: dict[str, Plan], env: str) -> None:
    # GIVEN the distribution's /api/* behaviour, which forwards every viewer header to the origin
    plan = plans[env]
    distribution = plan.of_type("aws:cloudfront/distribution:Distribution")[0]
    api = next(b for b in distribution["inputs"]["orderedCacheBehaviors"] if b["pathPattern"] == "/api/*")
    # THEN a viewer-request function runs on it, and it removes both test headers unless the key is right
    (association,) = api["functionAssociations"]
    assert association["eventType"] == "viewer-request"
    guard = next(f for f in plan.of_type("aws:cloudfront/function:Function") if f["name"] == "streaming-cdn-api-guard")
    code = guard["inputs"]["code"]
    assert '["x-deployment-color", "x-deployment-key"]' in code
    assert re.search(r"digest\('hex'\) === \"[0-9a-f]{64}\"", code)


LB = "aws:lb/loadBalancer:LoadBalancer"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
#: prod's own edge settings (its certificates), with the public scheme: an override replaces the whole key.
PROD_EDGE = yaml.safe_load((Path(__file__).parents[2] / "Pulumi.prod.yaml").read_text())["config"][
    "streaming-platform:edge"
]
PUBLIC = {"streaming-platform:edge": {**PROD_EDGE, "albScheme": "internet-facing"}}


def _ingress_of_alb(plan: Plan) -> list[dict[str, Any]]:
    """The ingress rules of the load balancer's own security group (the LoadBalancer's children)."""
    lb = next(r for r in plan.resources if r["type"].endswith(":LoadBalancer") and not r["custom"])
    return [r["inputs"] for r in plan.of_type(INGRESS) if r["parent"] == lb["urn"]]


def _api_origin(plan: Plan) -> dict[str, object]:
    distribution = plan.of_type("aws:cloudfront/distribution:Distribution")[0]
    return next(o for o in distribution["inputs"]["origins"] if o["originId"] == "api")


@pytest.mark.parametrize("env", ENVS)
def test_the_load_balancer_is_internal_in_private_subnets_behind_a_vpc_origin(plans: dict[str, Plan], env: str) -> None:
    plan = plans[env]
    # GIVEN the environment's load balancer THEN it is internal, in the private (service) subnets
    (alb,) = plan.of_type(LB)
    assert alb["inputs"]["internal"] is True
    subnets = {r["urn"]: r for r in plan.of_type("aws:ec2/subnet:Subnet")}
    placed = [subnets[u] for u in alb["dependencies"] if u in subnets]
    assert placed and all("private" in s["name"] for s in placed), [s["name"] for s in placed]
    assert all(s["inputs"].get("mapPublicIpOnLaunch") is not True for s in placed)
    # AND it admits only CloudFront's origin-facing prefix list, on the serving port (HTTPS with a certificate)
    port = 443 if env != "dev" else 80
    assert _ingress_of_alb(plan) == [
        {
            "securityGroupId": _ingress_of_alb(plan)[0]["securityGroupId"],
            "ipProtocol": "tcp",
            "fromPort": port,
            "toPort": port,
            "prefixListId": "pl-3b927c52",
            "description": "From an allowed managed prefix list (e.g. CloudFront origin-facing)",
            "tags": _ingress_of_alb(plan)[0]["tags"],
        }
    ]
    # AND CloudFront reaches it through a VPC origin on that ALB (HTTPS with TLS 1.2 when a certificate exists)
    (origin,) = plan.of_type("aws:cloudfront/vpcOrigin:VpcOrigin")
    endpoint = origin["inputs"]["vpcOriginEndpointConfig"]
    assert alb["urn"] in origin["dependencies"]
    assert endpoint["originProtocolPolicy"] == ("https-only" if env != "dev" else "http-only")
    assert endpoint["originSslProtocols"] == {"items": ["TLSv1.2"], "quantity": 1}
    api = _api_origin(plan)
    assert "vpcOriginConfig" in api and "customOriginConfig" not in api
    # AND no origin secret travels (nor is stored): only this account's VPC origin reaches the ALB
    assert "customHeaders" not in api
    assert not [r for r in plan.resources if r["name"] == "streaming-origin-verify"]


def test_the_internet_facing_option_is_https_only_and_admits_only_cloudfront(plans: dict[str, Plan]) -> None:
    # GIVEN prod with edge.albScheme: internet-facing
    plan = build_plan("prod", overrides=PUBLIC)
    (alb,) = plan.of_type(LB)
    assert alb["inputs"]["internal"] is False
    # THEN its only ingress is CloudFront's origin-facing prefix list on 443
    rules = _ingress_of_alb(plan)
    assert [(r["fromPort"], r.get("prefixListId"), r.get("cidrIpv4")) for r in rules] == [(443, "pl-3b927c52", None)]
    # AND CloudFront connects over HTTPS (TLS 1.2) with the origin secret, which the routes require
    api = _api_origin(plan)
    assert api["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert api["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
    assert api["customHeaders"] == [{"name": "X-Origin-Verify", "value": "[secret]"}]
    assert plan.of_type("aws:cloudfront/vpcOrigin:VpcOrigin") == []
    # AND the policy pack agrees (the rule that would refuse a public ALB open to CIDRs or plain HTTP)
    from policies.offline import check_plan

    verdict = check_plan(plan, "prod")
    assert not [f for f in verdict.findings if f.rule == "alb-private-or-cloudfront-only"]
    opened = build_plan(
        "prod",
        overrides={"streaming-platform:edge": {**PUBLIC["streaming-platform:edge"], "albIngressCidrs": ["0.0.0.0/0"]}},
    )
    refused = [f for f in check_plan(opened, "prod").mandatory if f.rule == "alb-private-or-cloudfront-only"]
    assert len(refused) == 1 and "admits 0.0.0.0/0 on 443" in refused[0].message


def test_an_internet_facing_load_balancer_without_a_certificate_is_refused() -> None:
    from stacks.environment.config import ConfigError, load_config

    with pytest.raises(ConfigError) as refused:
        load_config(
            {"streaming-platform:edge": '{"albScheme": "internet-facing"}'}, env="dev", source="Pulumi.dev.yaml"
        )
    message = str(refused.value)
    assert message.startswith(
        'Pulumi.dev.yaml: streaming-platform:edge.albScheme = "internet-facing": needs domain (the platform\'s certificates) or certificateArn'
    )
    assert "use albScheme: internal" in message


def test_the_diagram_draws_the_private_origin_and_the_alarm_topic(plans: dict[str, Plan]) -> None:
    from insight.graph import architecture, architecture_mermaid

    text = architecture_mermaid(architecture(plans["prod"]))
    # the ALB sits with the services in the private subnets, reached through the VPC origin
    private = text[text.index('subgraph private["Private subnets: services"]') :]
    assert "ALB internal" in private[: private.index("end")]
    assert 'Cdn_streaming_cdn -->|"VPC origin"| LoadBalancer_streaming_lb' in text
    assert "CloudFront, 3 origins (1 VPC origin)" in text
    assert "encrypted SNS topic, 1 subscription" in text
