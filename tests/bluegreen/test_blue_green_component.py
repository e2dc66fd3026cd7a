"""BlueGreen under the recording mocks: target groups, the weighted rule, test rules, services, tags."""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable

import pulumi_aws as aws
import pytest

from components.blue_green import BlueGreen, BlueGreenArgs, BlueGreenMode, BlueGreenSettings, Color, ColorSettings
from components.fargate_service import FargateServiceArgs
from components.load_balancer import LoadBalancer, LoadBalancerArgs, Route, RuleMode
from components.subnet import SubnetRef
from components.tags import REQUIRED_TAG_KEYS
from stacks.offline.mocks import ProgramRun
from tests.conftest import MockRuntime

RULE = "aws:lb/listenerRule:ListenerRule"
TG = "aws:lb/targetGroup:TargetGroup"
SERVICE = "aws:ecs/service:Service"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SUBNETS = [SubnetRef("us-east-1a", "subnet-aaaaaaaaaaaaaaaaa"), SubnetRef("us-east-1b", "subnet-bbbbbbbbbbbbbbbbb")]
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/catalog@sha256:" + "b" * 64
GREEN_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/catalog@sha256:" + "c" * 64
SETTINGS = BlueGreenSettings(
    active_color=Color.BLUE,
    weights={Color.BLUE: 90, Color.GREEN: 10},
    blue=ColorSettings(image="", desired_count=2),
    green=ColorSettings(image=GREEN_IMAGE, desired_count=1),
)


def taggable(token: str) -> bool:
    if not token.startswith("aws:"):
        return False
    module, cls = token.split(":")[1].split("/")[0], token.split(":")[2]
    return "tags" in inspect.signature(getattr(getattr(aws, module), cls)._internal_init).parameters


def build(settings: BlueGreenSettings = SETTINGS, **overrides: object) -> Callable[[], BlueGreen]:
    def program() -> BlueGreen:
        lb = LoadBalancer(
            "web",
            LoadBalancerArgs(
                vpc_id="vpc-0123456789abcdef0",
                vpc_cidr="10.0.0.0/16",
                subnets=SUBNETS,
                routes=[Route(name="catalog", path_patterns=["/api/catalog/*"], rule=RuleMode.EXTERNAL)],
            ),
        )
        template = FargateServiceArgs(
            cluster_arn="arn:aws:ecs:us-east-1:123456789012:cluster/prod",
            vpc_id="vpc-0123456789abcdef0",
            subnet_ids=["subnet-0123456789abcdef0"],
            image=IMAGE,
            load_balancer_security_group_id=lb.security_group_id,
        )
        base: dict[str, object] = {
            "service": "catalog",
            "settings": settings,
            "load_balancer": lb,
            "route": "catalog",
            "service_template": template,
        }
        return BlueGreen("catalog", BlueGreenArgs(**{**base, **overrides}))  # type: ignore[arg-type]

    return program


@pytest.fixture
def run(pulumi_mocks: MockRuntime) -> ProgramRun:
    return pulumi_mocks.run(build())


def ours(run: ProgramRun, token: str) -> list:  # type: ignore[type-arg]
    return [r for r in run.of_type(token) if r.name.startswith("catalog")]


def test_one_weighted_rule_forwards_to_both_colours_with_the_configured_weights(run: ProgramRun) -> None:
    # GIVEN weights {blue: 90, green: 10} in config THEN the one rule forwards 90/10 to the two target groups
    rule = run.named("catalog-rule")
    blue, green = run.named("catalog-blue-tg"), run.named("catalog-green-tg")
    forward = rule.inputs["actions"][0]["forward"]
    assert forward["targetGroups"] == [
        {"arn": blue.outputs["arn"], "weight": 90},
        {"arn": green.outputs["arn"], "weight": 10},
    ]
    assert forward["stickiness"] == {"enabled": False, "duration": 1}
    assert rule.inputs["priority"] == 100
    assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["/api/catalog/*"]}}]


def test_header_test_rules_send_each_colour_its_own_traffic_before_the_weighted_rule(run: ProgramRun) -> None:
    for color, priority in (("blue", 98), ("green", 99)):
        rule = run.named(f"catalog-test-{color}")
        assert rule.inputs["priority"] == priority
        assert rule.inputs["conditions"] == [
            {"pathPattern": {"values": ["/api/catalog/*"]}},
            {"httpHeader": {"httpHeaderName": "X-Deployment-Color", "values": [color]}},
            # the plain colour header alone (which any viewer can send) never matches: the key is secret
            {"httpHeader": {"httpHeaderName": "X-Deployment-Key", "values": ["[secret]"]}},
        ]
        target = run.named(f"catalog-{color}-tg").outputs["arn"]
        assert rule.inputs["actions"][0]["forward"]["targetGroups"] == [{"arn": target, "weight": 1}]


def test_the_test_key_is_generated_and_kept_only_as_a_secret(run: ProgramRun) -> None:
    # GIVEN no test_key THEN 48 random alphanumerics are generated
    value = run.named("catalog-test-key-value")
    assert (value.inputs["length"], value.inputs["special"]) == (48, False)
    # AND kept in a Secrets Manager secret, tagged for the pair, holding it only as a secret
    secret = run.named("catalog-test-key")
    assert secret.inputs["name"] == "test-project/test/catalog/test-key"
    assert (secret.inputs["tags"]["Service"], secret.inputs["recoveryWindowInDays"]) == ("catalog", 7)
    version = run.named("catalog-test-key-version")
    assert version.inputs["secretString"] == "[secret]" and version.inputs["secretId"] == secret.id
    # AND nowhere in the pair's inputs does the key appear in plain text
    assert run.named("catalog-test-key-value").outputs["result"] not in repr(
        [r.inputs for r in run.registrations.values()]
    )


def test_a_given_test_key_is_used_instead_of_generating_one(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(build(test_key="Ab3" * 8, secret_recovery_window_days=0))
    assert [r for r in run.registrations.values() if r.type == "random:index/randomPassword:RandomPassword"] == []
    assert run.named("catalog-test-key").inputs["recoveryWindowInDays"] == 0
    assert "Ab3" * 8 not in repr([r.inputs for r in run.registrations.values()])


def test_target_groups_are_ip_targets_with_short_physical_names(run: ProgramRun) -> None:
    groups = ours(run, TG)
    assert sorted(g.name for g in groups) == ["catalog-blue-tg", "catalog-green-tg"]
    assert {g.inputs["name"] for g in groups} == {"catalog-blue-8000-test", "catalog-green-8000-test"}
    assert all(g.inputs["targetType"] == "ip" and g.inputs["port"] == 8000 for g in groups)


def test_each_colour_runs_its_own_image_and_desired_count(run: ProgramRun) -> None:
    services = {s.name: s for s in ours(run, SERVICE)}
    assert services["catalog-blue-service"].inputs["desiredCount"] == 2
    assert services["catalog-green-service"].inputs["desiredCount"] == 1
    images = {t.name: t.inputs["containerDefinitions"] for t in ours(run, "aws:ecs/taskDefinition:TaskDefinition")}
    assert IMAGE in images["catalog-blue-task"] and GREEN_IMAGE in images["catalog-green-task"]
    blue_lb = services["catalog-blue-service"].inputs["loadBalancers"][0]
    assert blue_lb["targetGroupArn"] == run.named("catalog-blue-tg").outputs["arn"]


def test_services_wait_for_the_rules_that_attach_their_target_groups(run: ProgramRun) -> None:
    rule = run.named("catalog-rule")
    for color in ("blue", "green"):
        assert rule.urn in run.named(f"catalog-{color}-service").dependencies


def test_every_resource_of_the_pair_carries_the_discovery_tags(run: ProgramRun) -> None:
    # THEN the rule has Environment/Service; target groups, services and alarms also have their Color
    rule = run.named("catalog-rule").inputs["tags"]
    assert (rule["Environment"], rule["Service"]) == ("test", "catalog") and "Color" not in rule
    for token in (TG, SERVICE, ALARM):
        found = ours(run, token)
        assert found, token
        for reg in found:
            color = "blue" if "-blue-" in reg.name else "green"
            assert (reg.inputs["tags"]["Service"], reg.inputs["tags"]["Color"]) == ("catalog", color), reg.name
    assert len(ours(run, ALARM)) >= 2


def test_every_taggable_child_has_the_required_tags_and_a_prefixed_name(run: ProgramRun) -> None:
    children = [
        r for r in run.registrations.values() if r.name.startswith("catalog") and r.type != "streaming:index:BlueGreen"
    ]
    assert all(r.name.startswith("catalog-") for r in children)
    for reg in children:
        if taggable(reg.type):
            assert set(REQUIRED_TAG_KEYS) <= set(reg.inputs["tags"]), reg.name


def test_outputs_are_keyed_by_colour(pulumi_mocks: MockRuntime) -> None:
    built: list[BlueGreen] = []
    pulumi_mocks.run(lambda: built.append(build()()))
    component = built[0]
    assert (
        set(component.target_group_arns)
        == set(component.service_names)
        == set(component.alarm_arns)
        == {"blue", "green"}
    )
    assert component.listener_rule_arn is not None


def test_an_idle_colour_at_zero_tasks_runs_no_task(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(
        build(
            BlueGreenSettings(
                active_color=Color.GREEN,
                weights={Color.BLUE: 0, Color.GREEN: 100},
                blue=ColorSettings(desired_count=0),
                green=ColorSettings(desired_count=2),
            )
        )
    )
    assert run.named("catalog-blue-service").inputs["desiredCount"] == 0
    assert run.named("catalog-rule").inputs["actions"][0]["forward"]["targetGroups"][1]["weight"] == 100


@pytest.mark.parametrize("header", [None, ""])
def test_no_test_header_means_no_test_rules(pulumi_mocks: MockRuntime, header: str | None) -> None:
    run = pulumi_mocks.run(build(dataclasses.replace(SETTINGS, test_header=header)))
    assert [r.name for r in ours(run, RULE)] == ["catalog-rule"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"service": "Catalog"}, r"BlueGreen 'catalog': \[service\] 'Catalog' must be lowercase"),
        ({"route": "search"}, r"BlueGreen 'catalog': \[route\] 'search': .*add it with rule=RuleMode.EXTERNAL"),
        ({"deregistration_delay": 4000}, r"\[deregistration_delay\] 4000 is outside 0..3600"),
        (
            {"test_rule_priorities": (150, 151)},
            r"\[test_rule_priorities\] \(150, 151\) must be two different priorities from 1 up to 99",
        ),
        ({"settings": {"activeColor": "blue"}}, r"\[settings\] dict is not a BlueGreenSettings; build one"),
        ({"test_key": "short"}, r"\[test_key\] is 5 characters; use 16 to 128 letters and digits"),
        ({"test_key": "k" * 20 + "*"}, r"\[test_key\] is 21 characters with characters other than letters and digits"),
        ({"secret_recovery_window_days": 3}, r"\[secret_recovery_window_days\] 3 is not 0 or 7..30 days"),
        (
            {"settings": dataclasses.replace(SETTINGS, test_header="x-deployment-key")},
            r"\[settings.test_header\] 'x-deployment-key' is the header of the test key itself",
        ),
    ],
)
def test_each_invalid_argument_is_refused_before_anything_of_the_pair_exists(
    pulumi_mocks: MockRuntime,
    overrides: dict,
    message: str,  # type: ignore[type-arg]
) -> None:
    text, run = pulumi_mocks.refusal(build(**overrides))
    assert re.search(message, text), text
    assert not [r for r in run.registrations.values() if r.name.startswith("catalog")]


def settings_with(**changes: object) -> BlueGreenSettings:
    return dataclasses.replace(SETTINGS, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            settings_with(active_color="red"),
            r"BlueGreen 'catalog': \[settings\.active_color\] 'red' is not a Color; use Color\.BLUE or Color\.GREEN\.$",
        ),
        (
            settings_with(weights={Color.BLUE: 100}),
            r"\[settings\.weights\] \{blue: 100\} must name exactly Color\.BLUE and Color\.GREEN, "
            r"e\.g\. \{Color\.BLUE: 100, Color\.GREEN: 0\}\.$",
        ),
        (
            settings_with(weights={Color.BLUE: 60, Color.GREEN: 30}),
            r"\[settings\.weights\] \{blue: 60, green: 30\} sums to 90; weights are percentages and must sum to 100, "
            r"e\.g\. \{Color\.BLUE: 60, Color\.GREEN: 40\}\.$",
        ),
        (
            settings_with(weights={Color.BLUE: 100.0, Color.GREEN: 0}),
            r"\[settings\.weights\] blue=100\.0 must be an integer percentage 0\.\.100\.$",
        ),
        (
            settings_with(weights={Color.BLUE: True, Color.GREEN: 0}),
            r"\[settings\.weights\] blue=True must be an integer percentage 0\.\.100\.$",
        ),
        (
            settings_with(weights={Color.BLUE: 120, Color.GREEN: -20}),
            r"\[settings\.weights\] blue=120 must be an integer percentage 0\.\.100\.$",
        ),
        (
            settings_with(blue=ColorSettings(image="nginx:latest", desired_count=2)),
            r"\[settings\.blue\.image\] 'nginx:latest' must be \"\" \(the service template's image\) or an image by "
            r"digest, <repository>@sha256:<64 hex>\.$",
        ),
        (
            settings_with(blue=ColorSettings(desired_count=-1)),
            r"\[settings\.blue\.desired_count\] -1 must be an integer, 0 or more\.$",
        ),
        (
            settings_with(green=ColorSettings(desired_count=0)),
            r"\[settings\.green\.desired_count\] is 0 but green takes 10% of traffic; run at least 1 task or set its "
            r"weight to 0\.$",
        ),
        (
            settings_with(green={"image": "", "desiredCount": 1}),
            r"\[settings\.green\] dict is not a ColorSettings; use ColorSettings\(image=\.\.\., desired_count=\.\.\.\)\.$",
        ),
        (
            settings_with(test_header="X Color"),
            r"\[settings\.test_header\] 'X Color' must be an HTTP header name of at most 40 characters .*"
            r"or None for no test rules\.$",
        ),
        (settings_with(test_header="X-" + "a" * 39), r"\[settings\.test_header\] 'X-a+' must be an HTTP header name"),
    ],
)
def test_each_invalid_setting_is_refused_naming_the_field_before_anything_of_the_pair_exists(
    pulumi_mocks: MockRuntime, settings: BlueGreenSettings, message: str
) -> None:
    # GIVEN settings a library user built by hand WHEN the pair is built THEN it is refused, and nothing registered
    text, run = pulumi_mocks.refusal(build(settings))
    assert re.search(message, text), text
    assert not [r for r in run.registrations.values() if r.name.startswith("catalog")]


def test_the_native_mode_lets_the_idle_colour_have_traffic_weight_without_tasks(pulumi_mocks: MockRuntime) -> None:
    # GIVEN ECS_NATIVE, where of the settings only test_header is used THEN weights and counts are not checked
    # against each other (ECS runs the one service with the template's count)
    settings = settings_with(green=ColorSettings(desired_count=0))
    run = pulumi_mocks.run(build(settings, mode=BlueGreenMode.ECS_NATIVE))
    assert run.named("catalog-rule").type == RULE
