"""Issue 14, items 1-3 at plan level: the idle colour is not viewer-reachable, the load balancer is
private (or admits only CloudFront over HTTPS), and every alarm reaches the alarm topic."""

from __future__ import annotations

import re

import pytest

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
    # THEN it has exactly one alarm topic, encrypted with the customer key created beside it
    topics = plan.of_type(TOPIC)
    assert len(topics) == 1
    topic = topics[0]
    keys = [k["urn"] for k in plan.of_type("aws:kms/key:Key") if k["parent"] == topic["parent"]]
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
