"""BlueGreen in ECS_NATIVE mode under the recording mocks: one BLUE_GREEN service, the rules ECS owns, its role."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pulumi
import pytest

from components.blue_green import BlueGreen, BlueGreenArgs, BlueGreenMode, BlueGreenSettings, NativeHook
from components.fargate_service import Autoscaling, DeploymentStrategy, FargateServiceArgs, LifecycleStage
from components.load_balancer import LoadBalancer, LoadBalancerArgs, Route, RuleMode
from components.subnet import SubnetRef
from components.tags import REQUIRED_TAG_KEYS
from stacks.offline.mocks import ProgramRun
from tests.bluegreen.test_blue_green_component import taggable
from tests.conftest import MockRuntime

RULE = "aws:lb/listenerRule:ListenerRule"
TG = "aws:lb/targetGroup:TargetGroup"
SERVICE = "aws:ecs/service:Service"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SUBNETS = [SubnetRef("us-east-1a", "subnet-aaaaaaaaaaaaaaaaa"), SubnetRef("us-east-1b", "subnet-bbbbbbbbbbbbbbbbb")]
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/catalog@sha256:" + "b" * 64
HOOK = "arn:aws:lambda:us-east-1:123456789012:function:catalog-smoke"


def build(opts: pulumi.ResourceOptions | None = None, **overrides: object) -> Callable[[], BlueGreen]:
    template_overrides = overrides.pop("template", {})

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
            **{  # type: ignore[arg-type]
                "cluster_arn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
                "vpc_id": "vpc-0123456789abcdef0",
                "subnet_ids": ["subnet-0123456789abcdef0"],
                "image": IMAGE,
                "desired_count": 2,
                "load_balancer_security_group_id": lb.security_group_id,
                "tags": {"Team": "media"},
                **template_overrides,  # type: ignore[dict-item]
            }
        )
        base: dict[str, object] = {
            "service": "catalog",
            "settings": BlueGreenSettings(),
            "load_balancer": lb,
            "route": "catalog",
            "service_template": template,
            "mode": BlueGreenMode.ECS_NATIVE,
            "bake_time_minutes": 15,
            "lifecycle_hooks": (NativeHook(function_arn=HOOK, stages=(LifecycleStage.POST_TEST_TRAFFIC_SHIFT,)),),
        }
        return BlueGreen("catalog", BlueGreenArgs(**{**base, **overrides}), opts)  # type: ignore[arg-type]

    return program


@pytest.fixture
def run(pulumi_mocks: MockRuntime) -> ProgramRun:
    return pulumi_mocks.run(build())


def ours(run: ProgramRun, token: str) -> list:  # type: ignore[type-arg]
    return [r for r in run.of_type(token) if r.name.startswith("catalog")]


def test_one_service_runs_ecs_blue_green_deployments_with_the_bake_time_and_the_circuit_breaker(
    run: ProgramRun,
) -> None:
    # GIVEN mode ECS_NATIVE with bake_time_minutes=15 THEN exactly one ECS service, strategy BLUE_GREEN, bake "15"
    services = ours(run, SERVICE)
    assert [s.name for s in services] == ["catalog-service"]
    inputs = services[0].inputs
    assert inputs["deploymentConfiguration"]["strategy"] == "BLUE_GREEN"
    assert inputs["deploymentConfiguration"]["bakeTimeInMinutes"] == "15"
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert inputs["desiredCount"] == 2
    assert "deploymentController" not in inputs  # ECS, the default controller native blue/green needs


def test_the_advanced_configuration_names_the_green_group_the_rules_and_the_ecs_role(run: ProgramRun) -> None:
    lb = run.named("catalog-service").inputs["loadBalancers"]
    assert len(lb) == 1
    entry = lb[0]
    assert entry["targetGroupArn"] == run.named("catalog-blue-tg").outputs["arn"]
    assert entry["containerName"] == "app" and entry["containerPort"] == 8000
    assert entry["advancedConfiguration"] == {
        "alternateTargetGroupArn": run.named("catalog-green-tg").outputs["arn"],
        "productionListenerRule": run.named("catalog-rule").outputs["arn"],
        "testListenerRule": run.named("catalog-test").outputs["arn"],
        "roleArn": run.named("catalog-ecs-role").outputs["arn"],
    }


def test_the_lifecycle_hook_invokes_the_function_at_its_stages_with_the_ecs_role(run: ProgramRun) -> None:
    hooks = run.named("catalog-service").inputs["deploymentConfiguration"]["lifecycleHooks"]
    assert hooks == [
        {
            "hookTargetArn": HOOK,
            "roleArn": run.named("catalog-ecs-role").outputs["arn"],
            "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
        }
    ]
    policy = json.loads(run.named("catalog-ecs-hooks-policy").inputs["policy"])
    assert policy["Statement"] == [
        {
            "Sid": "InvokeLifecycleHooks",
            "Effect": "Allow",
            "Action": ["lambda:InvokeFunction"],
            "Resource": [HOOK],
        }
    ]


def test_the_ecs_role_is_trusted_by_ecs_for_this_account_and_carries_the_load_balancer_managed_policy(
    run: ProgramRun,
) -> None:
    role = run.named("catalog-ecs-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Sid": "AssumeByService",
            "Effect": "Allow",
            "Principal": {"Service": "ecs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    ]
    attachments = ours(run, ATTACHMENT)
    assert [(a.name, a.inputs["policyArn"]) for a in attachments] == [
        ("catalog-ecs-lb-policy", "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"),
    ]
    assert attachments[0].inputs["role"] == role.outputs["name"]


def test_the_service_waits_for_the_rules_and_the_role_policies(run: ProgramRun) -> None:
    deps = run.named("catalog-service").dependencies
    for child in ("catalog-rule", "catalog-test", "catalog-ecs-lb-policy", "catalog-ecs-hooks-policy"):
        assert run.named(child).urn in deps, child


def test_the_production_rule_forwards_to_blue_and_the_test_rule_to_green_and_ecs_owns_their_actions(
    run: ProgramRun,
) -> None:
    blue, green = run.named("catalog-blue-tg").outputs["arn"], run.named("catalog-green-tg").outputs["arn"]
    production, test = run.named("catalog-rule"), run.named("catalog-test")
    assert production.inputs["priority"] == 100
    assert production.inputs["conditions"] == [{"pathPattern": {"values": ["/api/catalog/*"]}}]
    assert production.inputs["actions"][0]["forward"]["targetGroups"] == [
        {"arn": blue, "weight": 100},
        {"arn": green, "weight": 0},
    ]
    assert test.inputs["priority"] == 99
    assert test.inputs["conditions"] == [
        {"pathPattern": {"values": ["/api/catalog/*"]}},
        {"httpHeader": {"httpHeaderName": "X-Deployment-Color", "values": ["test"]}},
        {"httpHeader": {"httpHeaderName": "X-Deployment-Key", "values": ["[secret]"]}},
    ]
    assert test.inputs["actions"][0]["forward"]["targetGroups"] == [
        {"arn": blue, "weight": 0},
        {"arn": green, "weight": 100},
    ]
    assert sorted(r.name for r in ours(run, RULE)) == ["catalog-rule", "catalog-test"]


def test_pulumi_up_never_reverts_the_weights_ecs_wrote(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a transformation that sees every child's resource options
    seen: dict[str, list[str]] = {}

    def record(args: pulumi.ResourceTransformationArgs) -> None:
        seen[args.name] = list(args.opts.ignore_changes or [])

    # WHEN the pair is built THEN the two rules ECS rewrites ignore their actions, and nothing else is ignored there
    def program() -> None:
        build(opts=pulumi.ResourceOptions(transformations=[record]))()

    pulumi_mocks.run(program)
    assert seen["catalog-rule"] == ["actions"] and seen["catalog-test"] == ["actions"]
    assert seen["catalog-blue-tg"] == [] and seen["catalog-green-tg"] == []


def test_no_alb_alarms_or_request_scaling_name_one_target_group(run: ProgramRun) -> None:
    alarms = sorted(a.name for a in ours(run, "aws:cloudwatch/metricAlarm:MetricAlarm"))
    assert alarms == ["catalog-cpu-high", "catalog-memory-high"]


def test_the_pair_carries_the_discovery_tags_and_colour_only_on_the_target_groups(run: ProgramRun) -> None:
    for name in ("catalog-rule", "catalog-test", "catalog-service", "catalog-ecs-role"):
        tags = run.named(name).inputs["tags"]
        assert (tags["Environment"], tags["Service"], tags["BlueGreenMode"]) == ("test", "catalog", "ecs-native"), name
        assert "Color" not in tags, name
    for color in ("blue", "green"):
        tags = run.named(f"catalog-{color}-tg").inputs["tags"]
        assert (tags["Service"], tags["Color"], tags["BlueGreenMode"]) == ("catalog", color, "ecs-native")
    assert run.named("catalog-service").inputs["tags"]["Team"] == "media"


def test_every_taggable_child_has_the_required_tags_and_a_prefixed_name(run: ProgramRun) -> None:
    children = [
        r for r in run.registrations.values() if r.name.startswith("catalog") and r.type != "streaming:index:BlueGreen"
    ]
    assert all(r.name.startswith("catalog-") or r.name == "catalog" for r in children)
    for reg in children:
        if taggable(reg.type):
            assert set(REQUIRED_TAG_KEYS) <= set(reg.inputs["tags"]), reg.name


def test_outputs_key_the_one_service_as_service_and_the_groups_by_colour(pulumi_mocks: MockRuntime) -> None:
    built: list[BlueGreen] = []
    pulumi_mocks.run(lambda: built.append(build()()))
    component = built[0]
    assert set(component.target_group_arns) == {"blue", "green"}
    assert set(component.service_names) == set(component.alarm_arns) == set(component.security_group_ids) == {"service"}


def test_no_test_header_means_no_test_rule_and_no_test_listener_rule_in_the_advanced_configuration(
    pulumi_mocks: MockRuntime,
) -> None:
    run = pulumi_mocks.run(build(settings=BlueGreenSettings(test_header=None), lifecycle_hooks=()))
    assert [r.name for r in ours(run, RULE)] == ["catalog-rule"]
    advanced = run.named("catalog-service").inputs["loadBalancers"][0]["advancedConfiguration"]
    assert "testListenerRule" not in advanced
    assert "lifecycleHooks" not in run.named("catalog-service").inputs["deploymentConfiguration"]
    assert not [r for r in run.registrations.values() if r.name == "catalog-ecs-hooks-policy"]


def test_weighted_rule_stays_the_default_mode() -> None:
    assert BlueGreenArgs.__dataclass_fields__["mode"].default is BlueGreenMode.WEIGHTED_RULE


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bake_time_minutes": 1441}, r"BlueGreen 'catalog': \[bake_time_minutes\] 1441 is outside ECS's 0-1440"),
        (
            {"lifecycle_hooks": (NativeHook(function_arn=HOOK, stages=("AFTER_DEPLOY",)),)},  # type: ignore[arg-type]
            r"\[lifecycle_hooks\] hook 1: 'AFTER_DEPLOY' is not a lifecycle stage; choose from RECONCILE_SERVICE, ",
        ),
        (
            {"lifecycle_hooks": (NativeHook(function_arn=HOOK, stages=()),)},
            r"\[lifecycle_hooks\] hook 1: stages=\(\) must be a non-empty tuple",
        ),
        (
            {"lifecycle_hooks": (NativeHook(function_arn=HOOK, stages=(LifecycleStage.PRE_SCALE_UP,) * 2),)},
            r"\[lifecycle_hooks\] hook 1: stages \['PRE_SCALE_UP', 'PRE_SCALE_UP'\] repeat a stage",
        ),
        (
            {"lifecycle_hooks": (NativeHook(function_arn="catalog-smoke", stages=(LifecycleStage.PRE_SCALE_UP,)),)},
            r"\[lifecycle_hooks\] hook 1: 'catalog-smoke' is not a Lambda function ARN",
        ),
        (
            {"template": {"autoscaling": Autoscaling(requests_per_target=100)}},
            r"\[service_template\] autoscaling.requests_per_target names one target group",
        ),
        (
            {"template": {"deployment_strategy": DeploymentStrategy.BLUE_GREEN}},
            r"\[service_template\] sets deployment_strategy, load_balancer_advanced or lifecycle_hooks",
        ),
        ({"test_rule_priorities": (120, 121)}, r"\[test_rule_priorities\] 120 must be from 1 up to 99"),
        ({"mode": "ecs"}, r"\[mode\] 'ecs' is not a BlueGreenMode"),
        ({"mode": BlueGreenMode.WEIGHTED_RULE}, r"\[lifecycle_hooks\] are only run in mode=BlueGreenMode.ECS_NATIVE"),
    ],
)
def test_each_invalid_native_argument_is_refused_before_anything_exists(
    pulumi_mocks: MockRuntime,
    overrides: dict,
    message: str,  # type: ignore[type-arg]
) -> None:
    text, run = pulumi_mocks.refusal(build(**overrides))
    assert re.search(message, text), text
    assert not [r for r in run.registrations.values() if r.name.startswith("catalog")]
