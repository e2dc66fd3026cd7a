"""FargateService: a private, least-privilege, autoscaled and alarmed app service."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pulumi
import pytest

from components.errors import ComponentArgsError
from components.fargate_service import (
    AlarmThresholds,
    Architecture,
    Autoscaling,
    Capacity,
    ContainerHealthCheck,
    DataTierEgress,
    DeploymentStrategy,
    FargateService,
    FargateServiceArgs,
    LifecycleHook,
    LifecycleStage,
    LoadBalancerAdvanced,
    ScaleSchedule,
    execution_policy_document,
)
from components.iam import S3Access, S3Grant, StatementGrant, wildcard_problems
from components.tags import REQUIRED_TAG_KEYS
from stacks.offline.mocks import ProgramRun
from tests.conftest import MockRuntime

ACCOUNT = "123456789012"
DIGEST = "sha256:" + "ab" * 32
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/streaming-app@{DIGEST}"
CLUSTER_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/streaming-dev"
DB_SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:rds!db-0f1e2d3c-AbCdEf"
JWT_PARAM = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/streaming/jwt"
TG_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/catalog/0123456789abcdef"
LB_SG = "sg-0aaaaaaaaaaaaaaaa"
DB_SG = "sg-0bbbbbbbbbbbbbbbb"
BUCKET = "arn:aws:s3:::streaming-media"

#: Types the component creates that cannot carry tags.
UNTAGGABLE = {"aws:iam/rolePolicy:RolePolicy", "aws:appautoscaling/policy:Policy"}


def make_args(**overrides: Any) -> FargateServiceArgs:
    """A realistic service behind an ALB; tests override what they examine."""
    base = FargateServiceArgs(
        cluster_arn=CLUSTER_ARN,
        vpc_id="vpc-0123456789abcdef0",
        subnet_ids=["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
        image=IMAGE,
        load_balancer_security_group_id=LB_SG,
        target_group_arn=TG_ARN,
        load_balancer_arn_suffix="app/streaming-dev/0123456789abcdef",
        target_group_arn_suffix="targetgroup/catalog/0123456789abcdef",
        environment={"APP_SERVICE": "catalog", "DATABASE_HOST": "db.internal"},
        secrets={"DATABASE_PASSWORD": f"{DB_SECRET}:password::", "JWT_SECRET": JWT_PARAM},
    )
    return dataclasses.replace(base, **overrides)


def run_service(pulumi_mocks: MockRuntime, name: str = "catalog", **overrides: Any) -> ProgramRun:
    def program() -> None:
        svc = FargateService(name, make_args(**overrides))
        for key in (
            "service_name",
            "service_arn",
            "security_group_id",
            "task_role_arn",
            "task_role_name",
            "execution_role_arn",
            "log_group_name",
            "task_definition_arn",
            "alarm_arns",
        ):
            pulumi.export(key, getattr(svc, key))

    return pulumi_mocks.run(program)


def container(run: ProgramRun, name: str = "catalog") -> dict[str, Any]:
    [definition] = json.loads(run.named(f"{name}-task").inputs["containerDefinitions"])
    return definition


def policy(run: ProgramRun, logical: str) -> dict[str, Any]:
    return json.loads(run.named(logical).inputs["policy"])


# -- network and service ---------------------------------------------------------------------------------


def test_tasks_run_in_the_given_private_subnets_without_a_public_ip(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a service WHEN it is created
    run = run_service(pulumi_mocks)

    # THEN its network configuration keeps tasks private and behind its own security group
    service = run.named("catalog-service")
    network = service.inputs["networkConfiguration"]
    assert network["assignPublicIp"] is False
    assert network["subnets"] == ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
    assert network["securityGroups"] == [run.outputs["security_group_id"]]


def test_the_service_rolls_back_failed_deployments_and_propagates_tags(pulumi_mocks: MockRuntime) -> None:
    service = run_service(pulumi_mocks).named("catalog-service").inputs

    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["deploymentMinimumHealthyPercent"] == 100
    assert service["deploymentMaximumPercent"] == 200
    assert service["propagateTags"] == "SERVICE"
    assert service["enableEcsManagedTags"] is True
    assert service["waitForSteadyState"] is False
    assert service["cluster"] == CLUSTER_ARN
    assert "launchType" not in service


def test_the_service_registers_its_container_in_the_target_group_with_a_grace_period(pulumi_mocks: MockRuntime) -> None:
    service = run_service(pulumi_mocks, health_check_grace_period_seconds=90).named("catalog-service").inputs

    assert service["loadBalancers"] == [{"targetGroupArn": TG_ARN, "containerName": "app", "containerPort": 8000}]
    assert service["healthCheckGracePeriodSeconds"] == 90


def test_without_a_target_group_there_is_no_registration_and_no_grace_period(pulumi_mocks: MockRuntime) -> None:
    service = run_service(pulumi_mocks, target_group_arn=None).named("catalog-service").inputs

    assert "loadBalancers" not in service
    assert "healthCheckGracePeriodSeconds" not in service


def test_tasks_are_on_demand_by_default(pulumi_mocks: MockRuntime) -> None:
    service = run_service(pulumi_mocks).named("catalog-service").inputs
    assert service["capacityProviderStrategies"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]


def test_a_dev_service_can_run_all_on_spot_with_x86_64(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks, capacity=Capacity.all_spot(), architecture=Architecture.X86_64)

    assert run.named("catalog-service").inputs["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
    ]
    assert run.named("catalog-task").inputs["runtimePlatform"] == {
        "operatingSystemFamily": "LINUX",
        "cpuArchitecture": "X86_64",
    }


def test_a_mixed_capacity_keeps_an_on_demand_base(pulumi_mocks: MockRuntime) -> None:
    capacity = Capacity(on_demand_weight=1, spot_weight=3, on_demand_base=1)
    run = run_service(pulumi_mocks, capacity=capacity, architecture=Architecture.X86_64)

    assert run.named("catalog-service").inputs["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
    ]


@pytest.mark.parametrize("capacity", [Capacity(), Capacity.all_spot()], ids=["on-demand", "spot"])
def test_the_capacity_can_change_later_because_the_service_forces_a_new_deployment(
    pulumi_mocks: MockRuntime, capacity: Capacity
) -> None:
    # GIVEN a service with a capacity-provider strategy
    service = run_service(pulumi_mocks, capacity=capacity, architecture=Architecture.X86_64).named("catalog-service")

    # THEN it sets force_new_deployment, which pulumi-aws requires for updating
    # capacity_provider_strategies (without it a later change of services.capacity fails)
    assert service.inputs["capacityProviderStrategies"]
    assert service.inputs["forceNewDeployment"] is True
    # and, having a fixed name, it is deleted before its replacement is created
    assert service.options["deleteBeforeReplace"] is True


def test_the_service_waits_for_its_roles_policies_and_can_be_named(pulumi_mocks: MockRuntime) -> None:
    grants = (S3Grant(bucket_arn=BUCKET),)
    run = run_service(pulumi_mocks, service_name="catalog-blue", task_role_grants=grants)

    service = run.named("catalog-service")
    assert service.inputs["name"] == "catalog-blue"
    assert run.named("catalog-execution-policy").urn in service.dependencies
    assert run.named("catalog-task-policy").urn in service.dependencies
    assert run.outputs["service_name"] == "catalog-blue"
    assert run.outputs["service_arn"] == f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/streaming-dev/catalog-blue"


# -- security group --------------------------------------------------------------------------------------


def test_the_container_port_is_admitted_only_from_the_load_balancer_security_group(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks, container_port=8080)

    [ingress] = run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert ingress.name == "catalog-ingress-lb"
    assert ingress.inputs["referencedSecurityGroupId"] == LB_SG
    assert (ingress.inputs["ipProtocol"], ingress.inputs["fromPort"], ingress.inputs["toPort"]) == ("tcp", 8080, 8080)
    assert "cidrIpv4" not in ingress.inputs and "cidrIpv6" not in ingress.inputs
    assert ingress.inputs["securityGroupId"] == run.outputs["security_group_id"]


def test_egress_is_https_to_aws_plus_exactly_the_given_data_tiers(pulumi_mocks: MockRuntime) -> None:
    egress = (DataTierEgress(role="postgres", security_group_id=DB_SG, port=5432),)
    run = run_service(pulumi_mocks, data_tier_egress=egress)

    rules = {r.name: r.inputs for r in run.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")}
    assert set(rules) == {"catalog-egress-https", "catalog-egress-postgres"}
    https, db = rules["catalog-egress-https"], rules["catalog-egress-postgres"]
    assert (https["cidrIpv4"], https["ipProtocol"], https["fromPort"], https["toPort"]) == (
        "0.0.0.0/0",
        "tcp",
        443,
        443,
    )
    assert (db["referencedSecurityGroupId"], db["fromPort"], db["toPort"]) == (DB_SG, 5432, 5432)
    assert "cidrIpv4" not in db


def test_the_security_group_has_no_inline_rules(pulumi_mocks: MockRuntime) -> None:
    [group] = run_service(pulumi_mocks).of_type("aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["vpcId"] == "vpc-0123456789abcdef0"
    assert "ingress" not in group.inputs and "egress" not in group.inputs
    assert group.inputs["revokeRulesOnDelete"] is True


# -- task definition ------------------------------------------------------------------------------------


def test_the_task_definition_is_fargate_awsvpc_on_the_chosen_architecture_and_size(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks, cpu=512, memory=2048)

    task = run.named("catalog-task").inputs
    assert task["networkMode"] == "awsvpc"
    assert task["requiresCompatibilities"] == ["FARGATE"]
    assert task["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"}
    assert (task["cpu"], task["memory"]) == ("512", "2048")
    assert task["family"] == "test-project-test-catalog"
    assert task["executionRoleArn"] == run.outputs["execution_role_arn"]
    assert task["taskRoleArn"] == run.outputs["task_role_arn"]
    assert task["volumes"] == [{"name": "tmp"}]
    assert task["skipDestroy"] is True


def test_the_container_is_non_root_read_only_unprivileged_with_a_writable_tmp(pulumi_mocks: MockRuntime) -> None:
    c = container(run_service(pulumi_mocks, stop_timeout_seconds=45))

    assert c["user"] == "10001"
    assert c["readonlyRootFilesystem"] is True
    assert c["privileged"] is False
    assert c["essential"] is True
    assert c["stopTimeout"] == 45
    assert c["mountPoints"] == [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]
    assert c["portMappings"] == [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}]
    assert c["image"] == IMAGE
    assert "command" not in c


def test_secrets_are_injected_by_reference_and_environment_is_plain(pulumi_mocks: MockRuntime) -> None:
    c = container(run_service(pulumi_mocks))

    assert c["secrets"] == [
        {"name": "DATABASE_PASSWORD", "valueFrom": f"{DB_SECRET}:password::"},
        {"name": "JWT_SECRET", "valueFrom": JWT_PARAM},
    ]
    assert c["environment"] == [
        {"name": "APP_SERVICE", "value": "catalog"},
        {"name": "DATABASE_HOST", "value": "db.internal"},
    ]


def test_the_container_logs_to_its_own_log_group(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks, log_retention_days=90)

    log_group = run.named("catalog-logs").inputs
    assert log_group["name"] == "/ecs/test-project/test/catalog"
    assert log_group["retentionInDays"] == 90
    assert container(run)["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": "/ecs/test-project/test/catalog",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "app",
            "mode": "non-blocking",
            "max-buffer-size": "4m",
        },
    }
    assert run.outputs["log_group_name"] == "/ecs/test-project/test/catalog"


def test_the_default_health_check_fetches_healthz_with_python(pulumi_mocks: MockRuntime) -> None:
    c = container(run_service(pulumi_mocks, container_port=9000))

    assert c["healthCheck"] == {
        "command": [
            "CMD",
            "python3",
            "-c",
            "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9000/healthz', timeout=4)",
        ],
        "interval": 15,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 30,
    }


def test_a_custom_health_check_and_command_are_used_as_given(pulumi_mocks: MockRuntime) -> None:
    check = ContainerHealthCheck(command=("CMD-SHELL", "test -f /tmp/ready"), interval_seconds=30, retries=5)
    c = container(run_service(pulumi_mocks, health_check=check, command=("python", "-m", "apps.streaming")))

    assert c["healthCheck"]["command"] == ["CMD-SHELL", "test -f /tmp/ready"]
    assert (c["healthCheck"]["interval"], c["healthCheck"]["retries"]) == (30, 5)
    assert c["command"] == ["python", "-m", "apps.streaming"]


def test_an_image_given_as_an_output_is_passed_through(pulumi_mocks: MockRuntime) -> None:
    image = pulumi.Output.from_input(IMAGE)
    assert container(run_service(pulumi_mocks, image=image))["image"] == IMAGE


# -- IAM ---------------------------------------------------------------------------------------------


def test_both_roles_trust_only_ecs_tasks_of_this_account(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks)

    for logical in ("catalog-execution-role", "catalog-task-role"):
        trust = json.loads(run.named(logical).inputs["assumeRolePolicy"])
        assert trust["Statement"] == [
            {
                "Sid": "AssumeByService",
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ]


def test_the_execution_role_may_pull_log_and_read_exactly_the_given_secrets(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks)

    log_arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/test-project/test/catalog"
    assert policy(run, "catalog-execution-policy")["Statement"] == [
        {"Sid": "EcrAuth", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]},
        {
            "Sid": "EcrPull",
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": [f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/streaming-app"],
        },
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [log_arn, f"{log_arn}:log-stream:*"],
        },
        {"Sid": "Secrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": [DB_SECRET]},
        {"Sid": "Parameters", "Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": [JWT_PARAM]},
    ]


def test_a_customer_kms_key_and_an_explicit_repository_are_used_exactly(pulumi_mocks: MockRuntime) -> None:
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f1e2d3c-0000-4000-8000-000000000000"
    repo = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/shared/app"
    run = run_service(pulumi_mocks, secrets_kms_key_arns=(key,), repository_arn=repo)

    statements = {s["Sid"]: s for s in policy(run, "catalog-execution-policy")["Statement"]}
    assert statements["SecretsKms"]["Action"] == ["kms:Decrypt"]
    assert statements["SecretsKms"]["Resource"] == [key]
    assert statements["EcrPull"]["Resource"] == [repo]


def test_an_image_outside_ecr_gets_no_ecr_permissions() -> None:
    doc = execution_policy_document(
        repository_arn=None, log_group_arn="arn:aws:logs:us-east-1:1:log-group:x", secret_references=[], kms_key_arns=[]
    )
    assert [s["Sid"] for s in doc["Statement"]] == ["Logs"]


def test_a_secret_output_that_resolves_to_a_non_arn_is_refused_when_the_policy_is_built() -> None:
    with pytest.raises(ValueError, match=r"secrets \['db-password'\] are not Secrets Manager or SSM parameter ARNs"):
        execution_policy_document(
            repository_arn=None,
            log_group_arn="arn:aws:logs:us-east-1:1:log-group:x",
            secret_references=["db-password"],
            kms_key_arns=[],
        )


def test_the_task_role_gets_only_the_requested_grants(pulumi_mocks: MockRuntime) -> None:
    grants = (S3Grant(bucket_arn=BUCKET, prefix="media/*", access=S3Access.READ_WRITE),)
    run = run_service(pulumi_mocks, task_role_grants=grants)

    assert policy(run, "catalog-task-policy")["Statement"] == [
        {
            "Sid": "S3Objects",
            "Effect": "Allow",
            "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            "Resource": [f"{BUCKET}/media/*"],
        },
    ]
    assert run.named("catalog-task-policy").inputs["role"] == run.outputs["task_role_name"]


def test_a_grant_on_a_bucket_output_resolves_into_the_policy(pulumi_mocks: MockRuntime) -> None:
    grants = (S3Grant(bucket_arn=pulumi.Output.from_input(BUCKET), prefix="posters/*"),)
    run = run_service(pulumi_mocks, task_role_grants=grants)
    assert policy(run, "catalog-task-policy")["Statement"][0]["Resource"] == [f"{BUCKET}/posters/*"]


def test_without_grants_or_exec_the_task_role_has_no_policy(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks)
    assert [r.name for r in run.of_type("aws:iam/rolePolicy:RolePolicy")] == ["catalog-execution-policy"]


def test_ecs_exec_adds_only_the_ssmmessages_actions_and_writable_agent_volumes(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks, enable_execute_command=True)

    assert policy(run, "catalog-task-policy")["Statement"] == [
        {
            "Sid": "EcsExec",
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "Resource": ["*"],
        }
    ]
    assert run.named("catalog-service").inputs["enableExecuteCommand"] is True
    assert run.named("catalog-task").inputs["volumes"] == [
        {"name": "tmp"},
        {"name": "ssm-agent-lib"},
        {"name": "ssm-agent-log"},
    ]
    c = container(run)
    assert c["readonlyRootFilesystem"] is True
    assert [m["containerPath"] for m in c["mountPoints"]] == ["/tmp", "/var/lib/amazon", "/var/log/amazon"]


def test_no_policy_allows_a_wildcard_action_on_every_resource(pulumi_mocks: MockRuntime) -> None:
    run = run_service(
        pulumi_mocks,
        enable_execute_command=True,
        task_role_grants=(
            S3Grant(bucket_arn=BUCKET, list_bucket=True),
            StatementGrant(
                sid="Queue", actions=("sqs:SendMessage",), resources=(f"arn:aws:sqs:us-east-1:{ACCOUNT}:q",)
            ),
        ),
    )
    for r in run.of_type("aws:iam/rolePolicy:RolePolicy"):
        assert wildcard_problems(json.loads(r.inputs["policy"])) == []


# -- autoscaling ------------------------------------------------------------------------------------


def test_autoscaling_tracks_cpu_memory_and_requests_per_target(pulumi_mocks: MockRuntime) -> None:
    scaling = Autoscaling(
        min_count=2,
        max_count=6,
        cpu_target_percent=50,
        memory_target_percent=70,
        requests_per_target=200,
        scale_in_cooldown_seconds=600,
        scale_out_cooldown_seconds=30,
    )
    run = run_service(pulumi_mocks, autoscaling=scaling, desired_count=2, service_name="catalog-green")

    target = run.named("catalog-scaling-target").inputs
    assert target["resourceId"] == "service/streaming-dev/catalog-green"
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 6)
    assert (target["scalableDimension"], target["serviceNamespace"]) == ("ecs:service:DesiredCount", "ecs")
    configs = {
        r.name: r.inputs["targetTrackingScalingPolicyConfiguration"]
        for r in run.of_type("aws:appautoscaling/policy:Policy")
    }
    assert set(configs) == {"catalog-scale-cpu", "catalog-scale-memory", "catalog-scale-requests"}
    assert configs["catalog-scale-cpu"] == {
        "targetValue": 50,
        "scaleInCooldown": 600,
        "scaleOutCooldown": 30,
        "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"},
    }
    assert configs["catalog-scale-memory"]["predefinedMetricSpecification"] == {
        "predefinedMetricType": "ECSServiceAverageMemoryUtilization"
    }
    assert configs["catalog-scale-memory"]["targetValue"] == 70
    assert configs["catalog-scale-requests"]["predefinedMetricSpecification"] == {
        "predefinedMetricType": "ALBRequestCountPerTarget",
        "resourceLabel": "app/streaming-dev/0123456789abcdef/targetgroup/catalog/0123456789abcdef",
    }
    assert configs["catalog-scale-requests"]["targetValue"] == 200
    for r in run.of_type("aws:appautoscaling/policy:Policy"):
        assert r.inputs["policyType"] == "TargetTrackingScaling"
        assert r.inputs["resourceId"] == "service/streaming-dev/catalog-green"


def test_a_schedule_scales_the_service_to_zero_and_back_to_its_own_range(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a service scaled 2..5 that sleeps on weekday evenings in Berlin
    schedule = ScaleSchedule(
        sleep="cron(30 19 ? * MON-FRI *)", wake="cron(0 6 ? * MON-FRI *)", timezone="Europe/Berlin"
    )
    scaling = Autoscaling(min_count=2, max_count=5, schedule=schedule)
    run = run_service(pulumi_mocks, autoscaling=scaling, desired_count=2, service_name="catalog-green")

    # THEN two scheduled actions act on the service's scalable target: 0..0, then 2..5 again
    actions = {r.name: r.inputs for r in run.of_type("aws:appautoscaling/scheduledAction:ScheduledAction")}
    assert {
        n: (a["scalableTargetAction"]["minCapacity"], a["scalableTargetAction"]["maxCapacity"])
        for n, a in actions.items()
    } == {
        "catalog-sleep": (0, 0),
        "catalog-wake": (2, 5),
    }
    assert actions["catalog-sleep"]["schedule"] == "cron(30 19 ? * MON-FRI *)"
    assert {a["timezone"] for a in actions.values()} == {"Europe/Berlin"}
    assert {a["resourceId"] for a in actions.values()} == {"service/streaming-dev/catalog-green"}
    # AND a replacement deletes the old action first (its name is unique per target)
    assert all(run.named(n).options["deleteBeforeReplace"] for n in actions)


@pytest.mark.parametrize(
    ("schedule", "match"),
    [
        (ScaleSchedule(sleep="0 20 * * 1-5"), r"sleep='0 20 \* \* 1-5' is not of the form"),
        (ScaleSchedule(wake="cron(0 25 ? * MON-FRI *)"), r"wake='cron\(0 25"),
        (ScaleSchedule(wake="cron(0 7 ? * MON-FRY *)"), r"wake='cron\(0 7 \? \* MON-FRY"),
        (ScaleSchedule(sleep="cron(0 7 ? * * *)", wake="cron(0 7 ? * * *)"), "the service would never run"),
        (ScaleSchedule(timezone="Mars/Olympus"), "timezone='Mars/Olympus' is not an IANA time zone"),
    ],
)
def test_a_bad_schedule_is_refused_before_anything_is_created(
    pulumi_mocks: MockRuntime, schedule: ScaleSchedule, match: str
) -> None:
    def program() -> None:
        with pytest.raises(ComponentArgsError, match=rf"^FargateService 'catalog': \[autoscaling.schedule\] .*{match}"):
            FargateService("catalog", make_args(autoscaling=Autoscaling(schedule=schedule)))

    run = pulumi_mocks.run(program)
    assert run.registrations == {}


def test_without_autoscaling_there_is_no_scaling_target(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks, desired_count=3)
    assert run.of_type("aws:appautoscaling/target:Target") == []
    assert run.named("catalog-service").inputs["desiredCount"] == 3


@pytest.mark.parametrize(("scaling", "ignored"), [(None, []), (Autoscaling(), ["desiredCount"])])
def test_pulumi_ignores_the_live_desired_count_only_under_autoscaling(
    pulumi_mocks: MockRuntime,
    scaling: Autoscaling | None,
    ignored: list[str],
) -> None:
    seen: dict[str, list[str]] = {}

    def record(args: pulumi.ResourceTransformationArgs) -> None:
        if args.type_ == "aws:ecs/service:Service":
            seen[args.name] = list(args.opts.ignore_changes or [])

    def program() -> None:
        FargateService("catalog", make_args(autoscaling=scaling), opts=pulumi.ResourceOptions(transformations=[record]))

    pulumi_mocks.run(program)
    assert seen == {"catalog-service": ignored}


# -- alarms -----------------------------------------------------------------------------------------


def test_five_alarms_ship_with_a_service_behind_an_alb(pulumi_mocks: MockRuntime) -> None:
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
    run = run_service(pulumi_mocks, service_name="catalog-blue", alarm_actions=(topic,))

    alarms = {r.name: r.inputs for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert set(alarms) == {
        "catalog-cpu-high",
        "catalog-memory-high",
        "catalog-target-5xx",
        "catalog-unhealthy-hosts",
        "catalog-latency-p95",
    }
    ecs_dims = {"ClusterName": "streaming-dev", "ServiceName": "catalog-blue"}
    alb_dims = {
        "LoadBalancer": "app/streaming-dev/0123456789abcdef",
        "TargetGroup": "targetgroup/catalog/0123456789abcdef",
    }
    expected = {
        "catalog-cpu-high": ("AWS/ECS", "CPUUtilization", "GreaterThanThreshold", 85, ecs_dims),
        "catalog-memory-high": ("AWS/ECS", "MemoryUtilization", "GreaterThanThreshold", 85, ecs_dims),
        "catalog-target-5xx": (
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            "GreaterThanOrEqualToThreshold",
            10,
            alb_dims,
        ),
        "catalog-unhealthy-hosts": (
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            "GreaterThanOrEqualToThreshold",
            1,
            alb_dims,
        ),
        "catalog-latency-p95": ("AWS/ApplicationELB", "TargetResponseTime", "GreaterThanThreshold", 1, alb_dims),
    }
    for logical, (namespace, metric, comparison, threshold, dims) in expected.items():
        alarm = alarms[logical]
        assert (alarm["namespace"], alarm["metricName"], alarm["comparisonOperator"]) == (namespace, metric, comparison)
        assert alarm["threshold"] == threshold
        assert alarm["dimensions"] == dims
        assert (alarm["period"], alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (60, 3, 3)
        assert alarm["treatMissingData"] == "notBreaching"
        assert alarm["alarmActions"] == [topic] and alarm["okActions"] == [topic]
    assert alarms["catalog-latency-p95"]["extendedStatistic"] == "p95"
    assert "statistic" not in alarms["catalog-latency-p95"]
    assert alarms["catalog-target-5xx"]["statistic"] == "Sum"
    assert alarms["catalog-unhealthy-hosts"]["statistic"] == "Maximum"
    assert len(run.outputs["alarm_arns"]) == 5
    assert all(
        re.fullmatch(rf"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:catalog-[a-z0-9-]+", a)
        for a in run.outputs["alarm_arns"]
    )


def test_without_alb_suffixes_only_the_ecs_alarms_exist(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks, load_balancer_arn_suffix=None, target_group_arn_suffix=None)
    assert sorted(r.name for r in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")) == [
        "catalog-cpu-high",
        "catalog-memory-high",
    ]
    assert len(run.outputs["alarm_arns"]) == 2


def test_alarm_thresholds_are_configurable(pulumi_mocks: MockRuntime) -> None:
    thresholds = AlarmThresholds(cpu_percent=70, latency_p95_seconds=0.5, evaluation_periods=5)
    run = run_service(pulumi_mocks, alarm_thresholds=thresholds)
    assert run.named("catalog-cpu-high").inputs["threshold"] == 70
    assert run.named("catalog-latency-p95").inputs["threshold"] == 0.5
    assert run.named("catalog-latency-p95").inputs["evaluationPeriods"] == 5


# -- naming, tags, outputs ---------------------------------------------------------------------------


def test_every_child_is_parented_named_after_the_component_and_tagged(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a blue-green colour with every optional part switched on
    run = run_service(
        pulumi_mocks,
        name="catalog-blue",
        tags={"Service": "catalog", "Color": "blue"},
        autoscaling=Autoscaling(requests_per_target=100),
        enable_execute_command=True,
        task_role_grants=(S3Grant(bucket_arn=BUCKET),),
        data_tier_egress=(DataTierEgress(role="postgres", security_group_id=DB_SG, port=5432),),
    )

    # THEN every resource is a child of the component, named after it, and tagged
    component = run.named("catalog-blue")
    children = [r for r in run.registrations.values() if r.urn != component.urn]
    assert len(children) == 20
    for child in children:
        assert child.parent == component.urn
        assert child.name.startswith("catalog-blue-")
        if child.type in UNTAGGABLE:
            continue
        tags = child.inputs["tags"]
        assert set(REQUIRED_TAG_KEYS) <= set(tags), child.name
        assert tags["Component"] == "FargateService"
        assert (tags["Service"], tags["Color"]) == ("catalog", "blue")
        assert tags["Name"] == child.name


def test_the_outputs_are_the_documented_ids_and_arns(pulumi_mocks: MockRuntime) -> None:
    outputs = run_service(pulumi_mocks).outputs

    assert re.fullmatch(r"catalog-service-[0-9a-f]{7}", outputs["service_name"])
    assert re.fullmatch(r"sg-[0-9a-f]{17}", outputs["security_group_id"])
    assert re.fullmatch(
        rf"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/test-project-test-catalog:1", outputs["task_definition_arn"]
    )
    assert outputs["task_role_name"].startswith("catalog-task-role-")
    assert re.fullmatch(
        rf"arn:aws:iam::{ACCOUNT}:+role/catalog-execution-role-[0-9a-f]{{7}}", outputs["execution_role_arn"]
    )
    assert re.fullmatch(rf"arn:aws:iam::{ACCOUNT}:+role/catalog-task-role-[0-9a-f]{{7}}", outputs["task_role_arn"])


# -- validation -------------------------------------------------------------------------------------

REFUSALS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "memory not in the table for the cpu",
        {"cpu": 256, "memory": 3072},
        "memory",
        "3072 is not valid for cpu=256; choose 512, 1024 or 2048.",
    ),
    ("cpu not a Fargate value", {"cpu": 300}, "cpu", "300 is not a Fargate cpu value"),
    (
        "image by mutable tag",
        {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"},
        "image",
        "is referenced by a mutable tag",
    ),
    ("image with a malformed digest", {"image": "app@sha256:abc"}, "image", "has a malformed digest"),
    ("container port out of range", {"container_port": 70000}, "container_port", "70000 is not a TCP port"),
    (
        "secret-like environment name",
        {"environment": {"REDIS_AUTH_TOKEN": "x"}},
        "environment",
        "REDIS_AUTH_TOKEN looks like a secret.*move it to `secrets`",
    ),
    (
        "aws key in environment",
        {"environment": {"AWS_ACCESS_KEY_ID": "AKIA..."}},
        "environment",
        "AWS_ACCESS_KEY_ID looks like a secret",
    ),
    ("invalid environment name", {"environment": {"1BAD": "x"}}, "environment", "'1BAD' is not a variable name"),
    (
        "name both in environment and secrets",
        {"environment": {"DB_URL": "x"}, "secrets": {"DB_URL": JWT_PARAM}},
        "secrets",
        "DB_URL set both as environment and as secrets",
    ),
    (
        "secret that is not an ARN",
        {"secrets": {"DB_PASSWORD": "my-db-password"}},
        "secrets",
        "is not a Secrets Manager secret ARN or an SSM parameter ARN",
    ),
    (
        "secret reference with a partial suffix",
        {"secrets": {"DB_PASSWORD": f"{DB_SECRET}:password"}},
        "secrets",
        "is not a valueFrom reference",
    ),
    (
        "health check interval out of range",
        {"health_check": ContainerHealthCheck(interval_seconds=1)},
        "health_check",
        "interval_seconds=1 is outside ECS's 5-300",
    ),
    (
        "health check not a CMD array",
        {"health_check": ContainerHealthCheck(command=("curl", "-f", "x"))},
        "health_check",
        "must be a tuple starting with 'CMD'",
    ),
    (
        "stop timeout above Fargate's limit",
        {"stop_timeout_seconds": 300},
        "stop_timeout_seconds",
        "300 is outside Fargate's 2-120 seconds",
    ),
    (
        "spot with arm64",
        {"capacity": Capacity.all_spot()},
        "capacity",
        "Fargate Spot runs X86_64 tasks only; use architecture=Architecture.X86_64",
    ),
    (
        "no capacity weight",
        {"capacity": Capacity(on_demand_weight=0, spot_weight=0)},
        "capacity",
        "both 0, so no task could be placed",
    ),
    (
        "target group without the lb security group",
        {"load_balancer_security_group_id": None},
        "load_balancer_security_group_id",
        "is required with target_group_arn",
    ),
    ("only one alb suffix", {"target_group_arn_suffix": None}, "target_group_arn_suffix", "give both"),
    (
        "an arn instead of an arn suffix",
        {"load_balancer_arn_suffix": "arn:aws:elasticloadbalancing:x"},
        "load_balancer_arn_suffix",
        "is not an ARN suffix",
    ),
    (
        "deployment maximum not above the minimum",
        {"deployment_maximum_percent": 100},
        "deployment_maximum_percent",
        "must be at least 100 and above",
    ),
    (
        "duplicate data tier role",
        {
            "data_tier_egress": (
                DataTierEgress(role="db", security_group_id=DB_SG, port=5432),
                DataTierEgress(role="db", security_group_id=DB_SG, port=6379),
            )
        },
        "data_tier_egress",
        "role 'db' must be unique",
    ),
    (
        "log retention not offered by cloudwatch",
        {"log_retention_days": 10},
        "log_retention_days",
        "10 is not a CloudWatch retention",
    ),
    (
        "grant with a leading slash",
        {"task_role_grants": (S3Grant(bucket_arn=BUCKET, prefix="/media/*"),)},
        "task_role_grants",
        "no leading '/'",
    ),
    (
        "grant with a service-wide action",
        {"task_role_grants": (StatementGrant(sid="All", actions=("s3:*",), resources=(BUCKET,)),)},
        "task_role_grants",
        "grants a whole service",
    ),
    (
        "desired count outside autoscaling",
        {"autoscaling": Autoscaling(min_count=2, max_count=4), "desired_count": 1},
        "desired_count",
        "1 is outside autoscaling's 2-4",
    ),
    (
        "autoscaling minimum above maximum",
        {"autoscaling": Autoscaling(min_count=5, max_count=2), "desired_count": 5},
        "autoscaling",
        "need 0 <= min_count <= max_count",
    ),
    (
        "autoscaling without any target",
        {"autoscaling": Autoscaling(cpu_target_percent=None, memory_target_percent=None)},
        "autoscaling",
        "no target is set",
    ),
    (
        "requests per target without alb suffixes",
        {
            "autoscaling": Autoscaling(requests_per_target=100),
            "load_balancer_arn_suffix": None,
            "target_group_arn_suffix": None,
        },
        "autoscaling",
        "requests_per_target needs load_balancer_arn_suffix",
    ),
    (
        "alarm percent above 100",
        {"alarm_thresholds": AlarmThresholds(cpu_percent=150)},
        "alarm_thresholds",
        "must be in 1-100",
    ),
    ("service name with spaces", {"service_name": "catalog blue"}, "service_name", "is not a service name"),
]


@pytest.mark.parametrize(("overrides", "argument", "match"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_invalid_args_are_refused_before_anything_is_registered(
    pulumi_mocks: MockRuntime,
    overrides: dict[str, Any],
    argument: str,
    match: str,
) -> None:
    # GIVEN args that break one rule WHEN the service is constructed
    def program() -> None:
        with pytest.raises(ComponentArgsError, match=rf"^FargateService 'catalog': \[{argument}\] .*{match}"):
            FargateService("catalog", make_args(**overrides))

    run = pulumi_mocks.run(program)

    # THEN the error names the argument and the fix, and nothing was registered
    assert run.registrations == {}


def test_a_mutable_tag_is_accepted_when_explicitly_allowed(pulumi_mocks: MockRuntime) -> None:
    image = "public.ecr.aws/docker/library/python:3.12-slim"
    run = run_service(pulumi_mocks, image=image, allow_mutable_tag=True)
    assert container(run)["image"] == image
    assert [s["Sid"] for s in policy(run, "catalog-execution-policy")["Statement"]] == ["Logs", "Secrets", "Parameters"]


def test_a_secret_looking_name_that_is_not_a_secret_can_be_allowed(pulumi_mocks: MockRuntime) -> None:
    run = run_service(
        pulumi_mocks, environment={"TOKEN_TTL_SECONDS": "3600"}, non_secret_environment_names=("TOKEN_TTL_SECONDS",)
    )
    assert container(run)["environment"] == [{"name": "TOKEN_TTL_SECONDS", "value": "3600"}]


# -- ECS native blue/green (deployment_strategy=BLUE_GREEN) ---------------------------------------

GREEN_TG_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/catalog-green/fedcba9876543210"
PROD_RULE = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener-rule/app/streaming-dev/0123/4567/89ab"
TEST_RULE = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener-rule/app/streaming-dev/0123/4567/cdef"
ECS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/catalog-ecs"
SMOKE = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:catalog-smoke"
ADVANCED = LoadBalancerAdvanced(
    alternate_target_group_arn=GREEN_TG_ARN,
    production_listener_rule_arn=PROD_RULE,
    test_listener_rule_arn=TEST_RULE,
    role_arn=ECS_ROLE,
)
HOOKS = (
    LifecycleHook(
        function_arn=SMOKE,
        role_arn=ECS_ROLE,
        stages=(LifecycleStage.POST_TEST_TRAFFIC_SHIFT, LifecycleStage.POST_SCALE_UP),
    ),
)


def test_rolling_is_the_default_and_sends_no_deployment_configuration(pulumi_mocks: MockRuntime) -> None:
    run = run_service(pulumi_mocks)
    inputs = run.named("catalog-service").inputs
    assert "deploymentConfiguration" not in inputs
    assert "advancedConfiguration" not in inputs["loadBalancers"][0]


def test_blue_green_sends_strategy_bake_time_hooks_and_the_advanced_configuration(pulumi_mocks: MockRuntime) -> None:
    # GIVEN BLUE_GREEN with a 10-minute bake, one hook and the advanced configuration
    run = run_service(
        pulumi_mocks,
        deployment_strategy=DeploymentStrategy.BLUE_GREEN,
        bake_time_minutes=10,
        lifecycle_hooks=HOOKS,
        load_balancer_advanced=ADVANCED,
    )
    inputs = run.named("catalog-service").inputs
    # THEN the deployment configuration and the load balancer entry carry them with pulumi-aws's names
    assert inputs["deploymentConfiguration"] == {
        "strategy": "BLUE_GREEN",
        "bakeTimeInMinutes": "10",
        "lifecycleHooks": [
            {
                "hookTargetArn": SMOKE,
                "roleArn": ECS_ROLE,
                "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT", "POST_SCALE_UP"],
            }
        ],
    }
    assert inputs["loadBalancers"] == [
        {
            "targetGroupArn": TG_ARN,
            "containerName": "app",
            "containerPort": 8000,
            "advancedConfiguration": {
                "alternateTargetGroupArn": GREEN_TG_ARN,
                "productionListenerRule": PROD_RULE,
                "testListenerRule": TEST_RULE,
                "roleArn": ECS_ROLE,
            },
        }
    ]
    # AND the circuit breaker stays on
    assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}


BLUE_GREEN_REFUSALS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "blue-green without a target group",
        {
            "deployment_strategy": DeploymentStrategy.BLUE_GREEN,
            "load_balancer_advanced": ADVANCED,
            "target_group_arn": None,
            "load_balancer_security_group_id": None,
        },
        "target_group_arn",
        "is required with deployment_strategy=BLUE_GREEN",
    ),
    (
        "blue-green without the advanced configuration",
        {"deployment_strategy": DeploymentStrategy.BLUE_GREEN},
        "load_balancer_advanced",
        "is required with deployment_strategy=BLUE_GREEN",
    ),
    (
        "advanced configuration on a rolling service",
        {"load_balancer_advanced": ADVANCED},
        "load_balancer_advanced",
        "is only used by blue/green deployments",
    ),
    ("hooks on a rolling service", {"lifecycle_hooks": HOOKS}, "lifecycle_hooks", "is only used by blue/green"),
    (
        "strategy not a DeploymentStrategy",
        {"deployment_strategy": "CANARY"},
        "deployment_strategy",
        "'CANARY' is not a DeploymentStrategy",
    ),
    (
        "bake time above a day",
        {
            "deployment_strategy": DeploymentStrategy.BLUE_GREEN,
            "load_balancer_advanced": ADVANCED,
            "bake_time_minutes": 2000,
        },
        "bake_time_minutes",
        "2000 is outside ECS's 0-1440",
    ),
    (
        "hook at an unknown stage",
        {
            "deployment_strategy": DeploymentStrategy.BLUE_GREEN,
            "load_balancer_advanced": ADVANCED,
            "lifecycle_hooks": (LifecycleHook(function_arn=SMOKE, role_arn=ECS_ROLE, stages=("BEFORE_INSTALL",)),),
        },  # type: ignore[arg-type]
        "lifecycle_hooks",
        "'BEFORE_INSTALL' is not a lifecycle stage; choose from RECONCILE_SERVICE",
    ),
    (
        "hook without stages",
        {
            "deployment_strategy": DeploymentStrategy.BLUE_GREEN,
            "load_balancer_advanced": ADVANCED,
            "lifecycle_hooks": (LifecycleHook(function_arn=SMOKE, role_arn=ECS_ROLE, stages=()),),
        },
        "lifecycle_hooks",
        "must be a non-empty tuple of LifecycleStage",
    ),
    (
        "hook repeating a stage",
        {
            "deployment_strategy": DeploymentStrategy.BLUE_GREEN,
            "load_balancer_advanced": ADVANCED,
            "lifecycle_hooks": (
                LifecycleHook(
                    function_arn=SMOKE,
                    role_arn=ECS_ROLE,
                    stages=(LifecycleStage.PRE_SCALE_UP, LifecycleStage.PRE_SCALE_UP),
                ),
            ),
        },
        "lifecycle_hooks",
        "repeat a stage",
    ),
    (
        "hook without a role",
        {
            "deployment_strategy": DeploymentStrategy.BLUE_GREEN,
            "load_balancer_advanced": ADVANCED,
            "lifecycle_hooks": (LifecycleHook(function_arn=SMOKE, stages=(LifecycleStage.PRE_SCALE_UP,)),),
        },
        "lifecycle_hooks",
        "role_arn is None",
    ),
    (
        "hook that is not a lambda arn",
        {
            "deployment_strategy": DeploymentStrategy.BLUE_GREEN,
            "load_balancer_advanced": ADVANCED,
            "lifecycle_hooks": (
                LifecycleHook(function_arn="catalog-smoke", role_arn=ECS_ROLE, stages=(LifecycleStage.PRE_SCALE_UP,)),
            ),
        },
        "lifecycle_hooks",
        "'catalog-smoke' is not a Lambda function ARN",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "argument", "match"), [r[1:] for r in BLUE_GREEN_REFUSALS], ids=[r[0] for r in BLUE_GREEN_REFUSALS]
)
def test_invalid_blue_green_args_are_refused_before_anything_is_registered(
    pulumi_mocks: MockRuntime,
    overrides: dict[str, Any],
    argument: str,
    match: str,
) -> None:
    def program() -> None:
        with pytest.raises(ComponentArgsError, match=rf"^FargateService 'catalog': \[{argument}\] .*{match}"):
            FargateService("catalog", make_args(**overrides))

    run = pulumi_mocks.run(program)
    assert run.registrations == {}
