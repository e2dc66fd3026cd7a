"""FargateService: one containerised app on ECS Fargate, private, least-privilege, autoscaled and alarmed.

Creates (every child named ``<name>-<role>``, parented to the component, tagged):

- ``<name>-logs``: a CloudWatch log group ``/ecs/<project>/<stack>/<name>`` with a retention;
- ``<name>-execution-role`` + ``<name>-execution-policy``: the role ECS uses to start the task: ECR
  pull from the image's repository, writing to its own log group, reading exactly the given
  Secrets Manager/SSM ARNs (and kms:Decrypt on given keys). Trust: ``ecs-tasks`` for this account;
- ``<name>-task-role`` (+ ``<name>-task-policy`` when there is something to allow): the app's own
  identity, built only from the typed grants asked for (and the ssmmessages actions of ECS Exec);
- ``<name>-task``: the task definition (awsvpc, FARGATE, LINUX/<arch>), one container running as
  user ``10001`` with a read-only root filesystem, a writable ``/tmp`` volume, no privileges, a
  container health check, secrets as ``valueFrom`` and awslogs logging;
- ``<name>-sg`` with ``<name>-ingress-lb`` (container port from the load balancer's SG only),
  ``<name>-egress-https`` (443 to AWS APIs and ECR) and one ``<name>-egress-<role>`` per data tier;
- ``<name>-service``: the ECS service in private subnets without public IPs, on a FARGATE /
  FARGATE_SPOT capacity-provider strategy, with the deployment circuit breaker (rollback),
  registration in the target group and propagated tags; with
  ``deployment_strategy=DeploymentStrategy.BLUE_GREEN``, ECS's native blue/green deployments (bake
  time, lifecycle hooks, the alternate target group and listener rules of ``load_balancer_advanced``;
  `BlueGreen` in ``ECS_NATIVE`` mode builds those), the circuit breaker still on;
- with autoscaling: ``<name>-scaling-target`` and target-tracking policies ``<name>-scale-cpu``,
  ``<name>-scale-memory``, ``<name>-scale-requests``;
- alarms ``<name>-cpu-high``, ``<name>-memory-high`` and, with the ALB suffixes,
  ``<name>-target-5xx``, ``<name>-unhealthy-hosts``, ``<name>-latency-p95``.

Example::

    svc = FargateService("catalog", FargateServiceArgs(
        cluster_arn=cluster.arn, vpc_id=vpc.vpc_id, subnet_ids=vpc.private_subnet_ids,
        image=image.image_uri, cpu=256, memory=512,
        load_balancer_security_group_id=lb.security_group_id, target_group_arn=route.target_group_arn,
        secrets={"DATABASE_PASSWORD": db.secret_arn.apply(lambda a: f"{a}:password::")},
        task_role_grants=[S3Grant(bucket_arn=media.arn, prefix="media/*", access=S3Access.READ_WRITE)],
        autoscaling=Autoscaling(min_count=1, max_count=4),
    ))

Cost (us-east-1, 730 h/month, per always-on task, on-demand): 0.25 vCPU / 0.5 GB is $9.01 on
X86_64 and $7.21 on ARM64; 0.5 vCPU / 1 GB is $18.02 / $14.42; 1 vCPU / 2 GB is $36.04 / $28.84
(`_fargate_sizes.monthly_on_demand_cost`). Fargate Spot (X86_64 only) is up to 70% less. Each
alarm (standard resolution) is $0.10/month, so $0.50 for all five; logs are $0.50/GB ingested
and $0.03/GB-month stored. Tasks get no public IPv4, so no $3.65/month address charge.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NoReturn

import pulumi
import pulumi_aws as aws

from components._fargate_sizes import Architecture, size_problem
from components.aws_formats import LAMBDA_FUNCTION_ARN, LOG_RETENTION_DAYS
from components.base import Component
from components.iam import (
    Grant,
    Statement,
    ecr_repository_arn_from_image,
    grant_problems,
    grant_statements,
    is_secrets_manager_reference,
    is_ssm_parameter_arn,
    policy_document,
    secret_arn_of,
    service_trust_policy,
    statement,
)

__all__ = [
    "AlarmThresholds",
    "Architecture",
    "Autoscaling",
    "Capacity",
    "ContainerHealthCheck",
    "DataTierEgress",
    "DeploymentStrategy",
    "FargateService",
    "FargateServiceArgs",
    "LifecycleHook",
    "LifecycleStage",
    "LoadBalancerAdvanced",
    "ScaleSchedule",
    "container_definition",
    "execution_policy_document",
]

ECS_TASKS = "ecs-tasks.amazonaws.com"
APP_USER = "10001"
TMP_VOLUME = "tmp"
#: Writable paths the ECS Exec (SSM) agent needs when the root filesystem is read-only
#: (aws/containers-roadmap#1359: the agent crashes without them).
EXEC_AGENT_VOLUMES = {"ssm-agent-lib": "/var/lib/amazon", "ssm-agent-log": "/var/log/amazon"}
ECS_EXEC_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
SECRET_LIKE_MARKERS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "PRIVATE_KEY")
SECRET_LIKE_NAMES = ("AWS_ACCESS_KEY_ID", "ECS_ENGINE_AUTH_DATA")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_ROLE = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}$")
_SERVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$")
_Fail = Callable[[str, str], NoReturn]


# -- argument types ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Capacity:
    """How tasks are spread over FARGATE (on-demand) and FARGATE_SPOT (capacity-provider strategy)."""

    on_demand_weight: int = 1
    """Relative share of tasks on FARGATE (0-1000). Default: 1."""
    spot_weight: int = 0
    """Relative share of tasks on FARGATE_SPOT (0-1000; X86_64 only, up to 70% cheaper, interruptible). Default: 0."""
    on_demand_base: int = 0
    """Tasks always placed on FARGATE before the weights apply (0-100000). Default: 0."""

    @classmethod
    def all_spot(cls) -> Capacity:
        """Every task on FARGATE_SPOT (dev)."""
        return cls(on_demand_weight=0, spot_weight=1, on_demand_base=0)


@dataclass(frozen=True, kw_only=True)
class ContainerHealthCheck:
    """The container health check ECS runs inside the task."""

    command: tuple[str, ...] = ()
    """Full ``CMD``/``CMD-SHELL`` array. Default: empty, meaning a python3 urllib GET of ``http://127.0.0.1:<container_port><path>`` (the image has python3 but no curl)."""
    path: str = "/healthz"
    """Path the default command requests. Default: ``/healthz``."""
    interval_seconds: int = 15
    """Seconds between checks (5-300). Default: 15."""
    timeout_seconds: int = 5
    """Seconds before a check fails (2-60). Default: 5."""
    retries: int = 3
    """Consecutive failures before the container is unhealthy (1-10). Default: 3."""
    start_period_seconds: int = 30
    """Grace after start during which failures do not count (0-300). Default: 30."""


#: The cron form `ScaleSchedule` accepts: ``cron(<minute> <hour> ? * <days> *)``, days ``*`` or a
#: comma-separated list of ``MON``-``SUN`` names and ``MON-FRI`` style ranges (Application Auto Scaling's syntax).
SCHEDULE_CRON = re.compile(
    r"^cron\((?P<minute>[0-5]?[0-9]) (?P<hour>1?[0-9]|2[0-3]) \? \* "
    r"(?P<days>\*|(?:MON|TUE|WED|THU|FRI|SAT|SUN)(?:-(?:MON|TUE|WED|THU|FRI|SAT|SUN))?"
    r"(?:,(?:MON|TUE|WED|THU|FRI|SAT|SUN)(?:-(?:MON|TUE|WED|THU|FRI|SAT|SUN))?)*) \*\)$"
)


@dataclass(frozen=True, kw_only=True)
class ScaleSchedule:
    """Put the service to sleep (0 tasks) and wake it again on a weekly schedule, e.g. a dev
    environment outside working hours. Two Application Auto Scaling scheduled actions: ``sleep`` sets
    the scalable target's min and max to 0, ``wake`` restores `Autoscaling`'s min and max. The cost
    estimate prices the service's tasks for the hours it is awake."""

    sleep: str = "cron(0 20 ? * MON-FRI *)"
    """When to scale to zero: ``cron(<minute> <hour> ? * <days> *)``, here 20:00 Monday to Friday.
    Default: ``"cron(0 20 ? * MON-FRI *)"``."""
    wake: str = "cron(0 7 ? * MON-FRI *)"
    """When to scale back to `Autoscaling.min_count`: same form, here 07:00 Monday to Friday (so the
    service sleeps from Friday 20:00 to Monday 07:00). Default: ``"cron(0 7 ? * MON-FRI *)"``."""
    timezone: str = "UTC"
    """The IANA time zone both expressions are read in (e.g. ``Europe/Berlin``). Default: ``"UTC"``."""


@dataclass(frozen=True, kw_only=True)
class Autoscaling:
    """Target-tracking autoscaling of the service's desired count."""

    min_count: int = 1
    """Fewest tasks (0 scales an idle colour to zero). Default: 1."""
    max_count: int = 4
    """Most tasks. Default: 4."""
    cpu_target_percent: float | None = 60.0
    """Average CPU utilisation to hold (1-100); None disables the policy. Default: 60."""
    memory_target_percent: float | None = 75.0
    """Average memory utilisation to hold (1-100); None disables the policy. Default: 75."""
    requests_per_target: int | None = None
    """ALB requests per task per minute to hold (needs both ALB suffixes); None disables the policy. Default: None."""
    scale_in_cooldown_seconds: int = 300
    """Seconds after a scale-in before another. Default: 300."""
    scale_out_cooldown_seconds: int = 60
    """Seconds after a scale-out before another. Default: 60."""
    schedule: ScaleSchedule | None = None
    """Sleep and wake the service on a weekly schedule (scale to zero and back). Default: None (always on)."""


@dataclass(frozen=True, kw_only=True)
class AlarmThresholds:
    """Thresholds of the alarms the service ships (periods of 60 s)."""

    cpu_percent: float = 85.0
    """Average service CPU above this alarms. Default: 85."""
    memory_percent: float = 85.0
    """Average service memory above this alarms. Default: 85."""
    target_5xx_per_minute: int = 10
    """5xx responses from the targets per minute at or above this alarms. Default: 10."""
    unhealthy_hosts: int = 1
    """Unhealthy targets at or above this alarms. Default: 1."""
    latency_p95_seconds: float = 1.0
    """p95 target response time above this alarms. Default: 1.0."""
    evaluation_periods: int = 3
    """Consecutive breaching minutes before ALARM (1-60). Default: 3."""


@dataclass(frozen=True, kw_only=True)
class DataTierEgress:
    """One egress rule from the service to a data tier's security group on one TCP port."""

    role: str
    """Short name used in the rule's logical name ``<name>-egress-<role>`` (e.g. ``postgres``). Default: required."""
    security_group_id: pulumi.Input[str]
    """Destination security group. Default: required."""
    port: int
    """Destination TCP port (e.g. 5432, 6379). Default: required."""


class DeploymentStrategy(StrEnum):
    """How ECS replaces the tasks of a new revision (the service's ``deploymentConfiguration.strategy``)."""

    ROLLING = "ROLLING"
    """Replace tasks in place, bounded by the minimum-healthy and maximum percentages."""
    BLUE_GREEN = "BLUE_GREEN"
    """Start the whole new revision in the alternate target group, shift the listener rules, bake, stop the old one."""


class LifecycleStage(StrEnum):
    """Stages of an ECS blue/green deployment at which a lifecycle hook can run (ECS's exact names)."""

    RECONCILE_SERVICE = "RECONCILE_SERVICE"
    PRE_SCALE_UP = "PRE_SCALE_UP"
    POST_SCALE_UP = "POST_SCALE_UP"
    TEST_TRAFFIC_SHIFT = "TEST_TRAFFIC_SHIFT"
    POST_TEST_TRAFFIC_SHIFT = "POST_TEST_TRAFFIC_SHIFT"
    PRODUCTION_TRAFFIC_SHIFT = "PRODUCTION_TRAFFIC_SHIFT"
    POST_PRODUCTION_TRAFFIC_SHIFT = "POST_PRODUCTION_TRAFFIC_SHIFT"


@dataclass(frozen=True, kw_only=True)
class LifecycleHook:
    """A Lambda function ECS invokes at given stages of a blue/green deployment; a failure rolls it back."""

    function_arn: pulumi.Input[str]
    """ARN of the Lambda function ECS invokes. Default: required."""
    stages: tuple[LifecycleStage, ...]
    """Stages at which it runs: one or more distinct `LifecycleStage` s. Default: required."""
    role_arn: pulumi.Input[str] | None = None
    """Role ECS assumes to invoke the function (``lambda:InvokeFunction`` on it); FargateService requires it. Default: None (`BlueGreen` fills in the role it creates)."""


@dataclass(frozen=True, kw_only=True)
class LoadBalancerAdvanced:
    """What ECS needs for a blue/green deployment behind an ALB (the load balancer's ``advancedConfiguration``)."""

    alternate_target_group_arn: pulumi.Input[str]
    """The second target group, where the new revision starts. Default: required."""
    production_listener_rule_arn: pulumi.Input[str]
    """Listener rule carrying production traffic; ECS rewrites its forward weights. Default: required."""
    role_arn: pulumi.Input[str]
    """Role ECS assumes to modify the listener rules (``AmazonECSInfrastructureRolePolicyForLoadBalancers``). Default: required."""
    test_listener_rule_arn: pulumi.Input[str] | None = None
    """Listener rule carrying test traffic to the new revision before production shifts. Default: None (no test traffic)."""


@dataclass(frozen=True, kw_only=True)
class FargateServiceArgs:
    """Arguments of `FargateService`."""

    cluster_arn: pulumi.Input[str]
    """ARN of the ECS cluster (``Cluster.arn``). Default: required."""
    vpc_id: pulumi.Input[str]
    """VPC of the service's security group. Default: required."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets for the tasks (no public IP is ever assigned). Default: required."""
    image: pulumi.Input[str]
    """Image reference, by digest (``<repo>@sha256:<64 hex>``, e.g. ``ContainerImage.image_uri``). A plain string with a tag and no digest is rejected unless ``allow_mutable_tag``. Default: required."""
    allow_mutable_tag: bool = False
    """Accept an image referenced by a tag (not reproducible: the tag may move). Default: False."""
    repository_arn: pulumi.Input[str] | None = None
    """ECR repository the image is pulled from. Default: derived from an ECR image URI; none for other registries."""
    cpu: int = 256
    """Task CPU units (1024 = 1 vCPU), one of Fargate's values. Default: 256."""
    memory: int = 512
    """Task memory in MiB, valid for ``cpu`` in Fargate's table. Default: 512."""
    architecture: Architecture = Architecture.ARM64
    """X86_64 or ARM64 (about 20% cheaper; no Fargate Spot). Default: ARM64."""
    container_name: str = "app"
    """Name of the one container (the load balancer registers it). Default: ``app``."""
    container_port: int = 8000
    """Port the app listens on. Default: 8000."""
    command: tuple[str, ...] | None = None
    """Container command overriding the image's CMD. Default: None (the image's CMD)."""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Plain environment variables; names that look secret (PASSWORD, SECRET, TOKEN, PRIVATE_KEY) are rejected. Default: none."""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Variables injected from Secrets Manager ARNs (optionally ``:json-key:stage:version``, e.g. ``…:password::``) or SSM parameter ARNs. Default: none."""
    secrets_kms_key_arns: tuple[pulumi.Input[str], ...] = ()
    """Customer-managed KMS keys encrypting those secrets (adds kms:Decrypt on exactly them). Default: none (AWS-managed keys)."""
    non_secret_environment_names: tuple[str, ...] = ()
    """Environment names that look secret-like but are not (e.g. ``TOKEN_TTL_SECONDS``). Default: none."""
    health_check: ContainerHealthCheck = field(default_factory=ContainerHealthCheck)
    """Container health check. Default: python3 GET of /healthz every 15 s."""
    stop_timeout_seconds: int = 30
    """Seconds between SIGTERM and SIGKILL (2-120 on Fargate). Default: 30."""
    desired_count: int = 1
    """Tasks to run (with autoscaling: the initial count only). Default: 1."""
    capacity: Capacity = field(default_factory=Capacity)
    """FARGATE / FARGATE_SPOT mix. Default: all on-demand FARGATE."""
    load_balancer_security_group_id: pulumi.Input[str] | None = None
    """The load balancer's security group: the only source admitted on the container port. Default: None (no ingress at all)."""
    target_group_arn: pulumi.Input[str] | None = None
    """Target group to register tasks in (from the LoadBalancer route); must already be attached to a listener. Default: None."""
    load_balancer_arn_suffix: pulumi.Input[str] | None = None
    """ALB ``arn_suffix`` (``app/<name>/<id>``) for the ALB alarms and request-count scaling. Default: None."""
    target_group_arn_suffix: pulumi.Input[str] | None = None
    """Target group ``arn_suffix`` (``targetgroup/<name>/<id>``), given with ``load_balancer_arn_suffix``. Default: None."""
    health_check_grace_period_seconds: int = 60
    """Seconds ECS ignores failing load-balancer health checks after a task starts (with a target group). Default: 60."""
    deployment_minimum_healthy_percent: int = 100
    """Lower bound of running tasks during a deployment (0-100). Default: 100."""
    deployment_maximum_percent: int = 200
    """Upper bound of running tasks during a deployment (above the minimum). Default: 200."""
    data_tier_egress: tuple[DataTierEgress, ...] = ()
    """Egress rules to data-tier security groups (Postgres, cache). Default: none (HTTPS 443 egress only)."""
    enable_execute_command: bool = False
    """ECS Exec: adds the four ssmmessages actions to the task role and writable SSM-agent volumes. Default: False."""
    log_retention_days: int = 30
    """Log retention, one of CloudWatch's values (1, 3, 5, 7, 14, 30, 60, 90, … 3653). Default: 30."""
    log_group_name: str | None = None
    """Log group name. Default: ``/ecs/<project>/<stack>/<name>``."""
    log_kms_key_arn: pulumi.Input[str] | None = None
    """KMS key encrypting the log group (its key policy must allow CloudWatch Logs). Default: None (service-owned key)."""
    task_role_grants: tuple[Grant, ...] = ()
    """What the app may do (e.g. ``S3Grant``); nothing else is allowed. Default: none."""
    autoscaling: Autoscaling | None = None
    """Target-tracking autoscaling; when set, Pulumi ignores later changes of the live desired count. Default: None (fixed ``desired_count``)."""
    alarm_thresholds: AlarmThresholds = field(default_factory=AlarmThresholds)
    """Thresholds of the shipped alarms. Default: see `AlarmThresholds`."""
    alarm_actions: tuple[pulumi.Input[str], ...] = ()
    """SNS topic ARNs notified on ALARM and OK. Default: none."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags merged into every child's tags (e.g. ``Service``, ``Color``). Default: none."""
    service_name: str | None = None
    """Physical ECS service name. Default: ``<name>-service-`` plus a random suffix (Pulumi autonaming)."""
    family: str | None = None
    """Task definition family. Default: ``<project>-<stack>-<name>``."""
    deployment_strategy: DeploymentStrategy = DeploymentStrategy.ROLLING
    """ROLLING, or BLUE_GREEN (ECS's native blue/green: needs ``target_group_arn`` and ``load_balancer_advanced``; the circuit breaker stays on). Default: ROLLING."""
    bake_time_minutes: int = 5
    """BLUE_GREEN only: minutes both revisions keep running after production traffic has shifted, before the old one stops (0-1440). Default: 5."""
    lifecycle_hooks: tuple[LifecycleHook, ...] = ()
    """BLUE_GREEN only: Lambda functions ECS invokes at deployment stages. Default: none."""
    load_balancer_advanced: LoadBalancerAdvanced | None = None
    """BLUE_GREEN only, and required there: alternate target group, listener rules and ECS's role. Default: None."""


# -- pure builders (tested directly) ------------------------------------------------------------------


def default_health_command(port: int, check: ContainerHealthCheck) -> list[str]:
    """A python3 urllib GET of the health path: non-2xx or no answer exits non-zero."""
    timeout = max(1, check.timeout_seconds - 1)
    script = f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}{check.path}', timeout={timeout})"
    return ["CMD", "python3", "-c", script]


def container_definition(
    *,
    name: str,
    image: pulumi.Input[str],
    port: int,
    command: Sequence[str] | None,
    environment: Mapping[str, pulumi.Input[str]],
    secrets: Mapping[str, pulumi.Input[str]],
    health_check: ContainerHealthCheck,
    stop_timeout_seconds: int,
    log_group_name: pulumi.Input[str],
    log_region: pulumi.Input[str],
    exec_volumes: bool,
) -> dict[str, Any]:
    """The one container, as a ``containerDefinitions`` entry (serialise with ``Output.json_dumps``)."""
    mounts = [{"sourceVolume": TMP_VOLUME, "containerPath": "/tmp", "readOnly": False}]  # noqa: S108 (the tmp volume)
    if exec_volumes:
        mounts += [{"sourceVolume": v, "containerPath": p, "readOnly": False} for v, p in EXEC_AGENT_VOLUMES.items()]
    check = list(health_check.command) or default_health_command(port, health_check)
    definition: dict[str, Any] = {
        "name": name,
        "image": image,
        "essential": True,
        "user": APP_USER,
        "readonlyRootFilesystem": True,
        "privileged": False,
        "stopTimeout": stop_timeout_seconds,
        "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
        "environment": [{"name": k, "value": environment[k]} for k in sorted(environment)],
        "secrets": [{"name": k, "valueFrom": secrets[k]} for k in sorted(secrets)],
        "mountPoints": mounts,
        "volumesFrom": [],
        "linuxParameters": {"initProcessEnabled": True},
        "healthCheck": {
            "command": check,
            "interval": health_check.interval_seconds,
            "timeout": health_check.timeout_seconds,
            "retries": health_check.retries,
            "startPeriod": health_check.start_period_seconds,
        },
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": log_region,
                "awslogs-stream-prefix": name,
                "mode": "non-blocking",
                "max-buffer-size": "4m",
            },
        },
    }
    if command:
        definition["command"] = list(command)
    return definition


def execution_policy_document(
    *,
    repository_arn: str | None,
    log_group_arn: str,
    secret_references: Sequence[str],
    kms_key_arns: Sequence[str],
) -> dict[str, Any]:
    """The execution role's inline policy: ECR pull, its own log group, exactly the given secrets.

    JSON-key suffixes are stripped from Secrets Manager references (IAM matches the secret's ARN);
    SSM parameter ARNs get ``ssm:GetParameters``.
    """
    statements: list[Statement] = []
    if repository_arn:
        # GetAuthorizationToken has no resource-level permissions: "*" is the only valid resource.
        statements.append(statement("EcrAuth", ["ecr:GetAuthorizationToken"], ["*"]))
        statements.append(
            statement(
                "EcrPull",
                ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                [repository_arn],
            )
        )
    statements.append(
        statement(
            "Logs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [log_group_arn, f"{log_group_arn}:log-stream:*"],
        )
    )
    unknown = [r for r in secret_references if not (is_secrets_manager_reference(r) or is_ssm_parameter_arn(r))]
    if unknown:  # only reachable for references that were outputs at validation time
        raise ValueError(f"secrets {unknown} are not Secrets Manager or SSM parameter ARNs; pass full ARNs.")
    sm = sorted({secret_arn_of(r) for r in secret_references if is_secrets_manager_reference(r)})
    ssm = sorted({r for r in secret_references if is_ssm_parameter_arn(r)})
    if sm:
        statements.append(statement("Secrets", ["secretsmanager:GetSecretValue"], sm))
    if ssm:
        statements.append(statement("Parameters", ["ssm:GetParameters"], ssm))
    if kms_key_arns:
        statements.append(statement("SecretsKms", ["kms:Decrypt"], sorted(set(kms_key_arns))))
    return policy_document(statements)


def task_policy_statements(grants: Sequence[Grant], enable_execute_command: bool) -> list[Statement]:
    """The task role's statements: the grants, plus ECS Exec's ssmmessages actions when enabled."""
    statements = grant_statements(grants)
    if enable_execute_command:
        # The ssmmessages channel actions have no resource-level permissions.
        statements.append(statement("EcsExec", list(ECS_EXEC_ACTIONS), ["*"]))
    return statements


def looks_secret(env_name: str) -> bool:
    """Whether an environment variable's name suggests it holds a secret."""
    upper = env_name.upper()
    return upper in SECRET_LIKE_NAMES or any(m in upper for m in SECRET_LIKE_MARKERS)


def deployment_configuration(a: FargateServiceArgs) -> aws.ecs.ServiceDeploymentConfigurationArgs | None:
    """The service's ``deploymentConfiguration``: None for ROLLING (ECS's default, as before the strategy existed)."""
    if a.deployment_strategy is DeploymentStrategy.ROLLING:
        return None
    return aws.ecs.ServiceDeploymentConfigurationArgs(
        strategy=a.deployment_strategy.value,
        bake_time_in_minutes=str(a.bake_time_minutes),
        lifecycle_hooks=[
            aws.ecs.ServiceDeploymentConfigurationLifecycleHookArgs(
                hook_target_arn=h.function_arn,
                role_arn=h.role_arn,
                lifecycle_stages=[stage.value for stage in h.stages],
            )
            for h in a.lifecycle_hooks
        ]
        or None,
    )


def capacity_strategy(capacity: Capacity) -> list[dict[str, Any]]:
    """``[{capacity_provider, weight, base}]`` for the providers that take any tasks."""
    out: list[dict[str, Any]] = []
    if capacity.on_demand_weight > 0 or capacity.on_demand_base > 0:
        out.append(
            {"capacity_provider": "FARGATE", "weight": capacity.on_demand_weight, "base": capacity.on_demand_base}
        )
    if capacity.spot_weight > 0:
        out.append({"capacity_provider": "FARGATE_SPOT", "weight": capacity.spot_weight, "base": 0})
    return out


# -- the component -----------------------------------------------------------------------------------


class FargateService(Component):
    """One app container on ECS Fargate behind a load balancer target group."""

    service_name: pulumi.Output[str]
    """Physical ECS service name (the ``ServiceName`` dimension)."""
    service_arn: pulumi.Output[str]
    """ECS service ARN."""
    security_group_id: pulumi.Output[str]
    """The tasks' security group (admit it on data-tier security groups)."""
    task_role_arn: pulumi.Output[str]
    """The app's IAM role ARN."""
    task_role_name: pulumi.Output[str]
    """The app's IAM role name (to attach more policies from outside)."""
    execution_role_arn: pulumi.Output[str]
    """The execution role ARN (ECS's own role for starting tasks)."""
    log_group_name: pulumi.Output[str]
    """The container log group."""
    task_definition_arn: pulumi.Output[str]
    """The task definition revision the service runs."""
    alarm_arns: pulumi.Output[list[str]]
    """ARNs of the shipped alarms (the blue-green gates read them)."""

    def __init__(self, name: str, args: FargateServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        self._name = name
        self._args = args
        child = self.child_opts()

        account_id = aws.get_caller_identity_output(opts=self.lookup_output_opts()).account_id
        region = aws.get_region_output(opts=self.lookup_output_opts()).region
        cluster_name = pulumi.Output.from_input(args.cluster_arn).apply(lambda arn: arn.rsplit("/", 1)[-1])

        log_group = self._create_log_group(child)
        execution_role, execution_policy = self._create_execution_role(child, account_id, log_group)
        task_role, task_policy = self._create_task_role(child, account_id)
        task_definition = self._create_task_definition(child, log_group, region, execution_role, task_role)
        security_group = self._create_security_group(child)
        service = self._create_service(
            child,
            task_definition,
            security_group,
            depends_on=[r for r in (execution_policy, task_policy) if r is not None],
        )
        self._create_autoscaling(child, cluster_name, service)
        alarms = self._create_alarms(child, cluster_name, service)

        self.service_name = service.name
        self.service_arn = service.arn
        self.security_group_id = security_group.id
        self.task_role_arn = task_role.arn
        self.task_role_name = task_role.name
        self.execution_role_arn = execution_role.arn
        self.log_group_name = log_group.name
        self.task_definition_arn = task_definition.arn
        self.alarm_arns = pulumi.Output.all(*[a.arn for a in alarms]).apply(lambda arns: [str(a) for a in arns])
        self.register_outputs(
            {
                "service_name": self.service_name,
                "service_arn": self.service_arn,
                "security_group_id": self.security_group_id,
                "task_role_arn": self.task_role_arn,
                "task_role_name": self.task_role_name,
                "execution_role_arn": self.execution_role_arn,
                "log_group_name": self.log_group_name,
                "task_definition_arn": self.task_definition_arn,
                "alarm_arns": self.alarm_arns,
            }
        )

    # -- steps ---------------------------------------------------------------------------------------

    def _tags(self, role: str, **more: str) -> dict[str, str]:
        return self.tags(f"{self._name}-{role}", **more)

    def _create_log_group(self, child: pulumi.ResourceOptions) -> aws.cloudwatch.LogGroup:
        a = self._args
        return aws.cloudwatch.LogGroup(
            f"{self._name}-logs",
            name=a.log_group_name or f"/ecs/{pulumi.get_project()}/{pulumi.get_stack()}/{self._name}",
            retention_in_days=a.log_retention_days,
            kms_key_id=a.log_kms_key_arn,
            tags=self._tags("logs"),
            opts=child,
        )

    def _create_execution_role(
        self,
        child: pulumi.ResourceOptions,
        account_id: pulumi.Output[str],
        log_group: aws.cloudwatch.LogGroup,
    ) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
        a = self._args
        role = aws.iam.Role(
            f"{self._name}-execution-role",
            description=f"ECS task execution role of {self._name}: image pull, logs, secrets.",
            assume_role_policy=pulumi.Output.json_dumps(service_trust_policy(ECS_TASKS, account_id)),
            tags=self._tags("execution-role"),
            opts=child,
        )
        repository_arn: pulumi.Output[str | None] = (
            pulumi.Output.from_input(a.repository_arn)
            if a.repository_arn is not None
            else pulumi.Output.from_input(a.image).apply(ecr_repository_arn_from_image)
        )
        secret_refs = pulumi.Output.all(*[a.secrets[k] for k in sorted(a.secrets)])
        kms_arns = pulumi.Output.all(*a.secrets_kms_key_arns)
        document = pulumi.Output.all(repository_arn, log_group.arn, secret_refs, kms_arns).apply(
            lambda v: json.dumps(
                execution_policy_document(
                    repository_arn=v[0],
                    log_group_arn=v[1],
                    secret_references=list(v[2]),
                    kms_key_arns=list(v[3]),
                )
            )
        )
        policy = aws.iam.RolePolicy(f"{self._name}-execution-policy", role=role.id, policy=document, opts=child)
        return role, policy

    def _create_task_role(
        self,
        child: pulumi.ResourceOptions,
        account_id: pulumi.Output[str],
    ) -> tuple[aws.iam.Role, aws.iam.RolePolicy | None]:
        a = self._args
        role = aws.iam.Role(
            f"{self._name}-task-role",
            description=f"Task role of {self._name}: only the grants it was given.",
            assume_role_policy=pulumi.Output.json_dumps(service_trust_policy(ECS_TASKS, account_id)),
            tags=self._tags("task-role"),
            opts=child,
        )
        statements = task_policy_statements(a.task_role_grants, a.enable_execute_command)
        if not statements:
            return role, None
        policy = aws.iam.RolePolicy(
            f"{self._name}-task-policy",
            role=role.id,
            policy=pulumi.Output.json_dumps(policy_document(statements)),
            opts=child,
        )
        return role, policy

    def _create_task_definition(
        self,
        child: pulumi.ResourceOptions,
        log_group: aws.cloudwatch.LogGroup,
        region: pulumi.Output[str],
        execution_role: aws.iam.Role,
        task_role: aws.iam.Role,
    ) -> aws.ecs.TaskDefinition:
        a = self._args
        definition = container_definition(
            name=a.container_name,
            image=a.image,
            port=a.container_port,
            command=a.command,
            environment=a.environment,
            secrets=a.secrets,
            health_check=a.health_check,
            stop_timeout_seconds=a.stop_timeout_seconds,
            log_group_name=log_group.name,
            log_region=region,
            exec_volumes=a.enable_execute_command,
        )
        volumes = [aws.ecs.TaskDefinitionVolumeArgs(name=TMP_VOLUME)]
        if a.enable_execute_command:
            volumes += [aws.ecs.TaskDefinitionVolumeArgs(name=v) for v in EXEC_AGENT_VOLUMES]
        return aws.ecs.TaskDefinition(
            f"{self._name}-task",
            family=a.family or f"{pulumi.get_project()}-{pulumi.get_stack()}-{self._name}",
            cpu=str(a.cpu),
            memory=str(a.memory),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX",
                cpu_architecture=a.architecture.value,
            ),
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            container_definitions=pulumi.Output.json_dumps([definition]),
            volumes=volumes,
            # Keep superseded revisions ACTIVE so a circuit-breaker rollback can always start them.
            skip_destroy=True,
            tags=self._tags("task"),
            opts=child,
        )

    def _create_security_group(self, child: pulumi.ResourceOptions) -> aws.ec2.SecurityGroup:
        a = self._args
        group = aws.ec2.SecurityGroup(
            f"{self._name}-sg",
            vpc_id=a.vpc_id,
            description=f"Tasks of {self._name}: container port from the load balancer only",
            revoke_rules_on_delete=True,
            tags=self._tags("sg"),
            opts=child,
        )
        if a.load_balancer_security_group_id is not None:
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-ingress-lb",
                security_group_id=group.id,
                referenced_security_group_id=a.load_balancer_security_group_id,
                ip_protocol="tcp",
                from_port=a.container_port,
                to_port=a.container_port,
                description=f"Container port {a.container_port} from the load balancer",
                tags=self._tags("ingress-lb"),
                opts=child,
            )
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-egress-https",
            security_group_id=group.id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS to AWS APIs (ECR, S3, Secrets Manager, CloudWatch Logs)",
            tags=self._tags("egress-https"),
            opts=child,
        )
        for egress in a.data_tier_egress:
            aws.vpc.SecurityGroupEgressRule(
                f"{self._name}-egress-{egress.role}",
                security_group_id=group.id,
                referenced_security_group_id=egress.security_group_id,
                ip_protocol="tcp",
                from_port=egress.port,
                to_port=egress.port,
                description=f"{egress.role} on {egress.port}",
                tags=self._tags(f"egress-{egress.role}"),
                opts=child,
            )
        return group

    def _create_service(
        self,
        child: pulumi.ResourceOptions,
        task_definition: aws.ecs.TaskDefinition,
        security_group: aws.ec2.SecurityGroup,
        depends_on: list[pulumi.Resource],
    ) -> aws.ecs.Service:
        a = self._args
        load_balancers = None
        grace = None
        if a.target_group_arn is not None:
            advanced = a.load_balancer_advanced
            load_balancers = [
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=a.target_group_arn,
                    container_name=a.container_name,
                    container_port=a.container_port,
                    advanced_configuration=None
                    if advanced is None
                    else aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
                        alternate_target_group_arn=advanced.alternate_target_group_arn,
                        production_listener_rule=advanced.production_listener_rule_arn,
                        test_listener_rule=advanced.test_listener_rule_arn,
                        role_arn=advanced.role_arn,
                    ),
                )
            ]
            grace = a.health_check_grace_period_seconds
        ignore = ["desiredCount"] if a.autoscaling is not None else []
        return aws.ecs.Service(
            f"{self._name}-service",
            name=a.service_name,
            cluster=a.cluster_arn,
            task_definition=task_definition.arn,
            desired_count=a.desired_count,
            capacity_provider_strategies=[
                aws.ecs.ServiceCapacityProviderStrategyArgs(**s) for s in capacity_strategy(a.capacity)
            ],
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=a.subnet_ids,
                security_groups=[security_group.id],
                assign_public_ip=False,
            ),
            load_balancers=load_balancers,
            health_check_grace_period_seconds=grace,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            deployment_configuration=deployment_configuration(a),
            deployment_minimum_healthy_percent=a.deployment_minimum_healthy_percent,
            deployment_maximum_percent=a.deployment_maximum_percent,
            enable_execute_command=a.enable_execute_command,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            wait_for_steady_state=False,
            # pulumi-aws: updating capacity_provider_strategies requires force_new_deployment = true
            # (so does moving tasks to a new platform version); without it a change of
            # services.capacity is refused. It adds a deployment only to updates that call
            # UpdateService, and those roll the tasks anyway.
            force_new_deployment=True,
            tags=self._tags("service"),
            opts=pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(
                    depends_on=depends_on,
                    ignore_changes=ignore,
                    # The service has a fixed name (when service_name is set) and cluster, launch type
                    # and deployment controller force a replacement: delete the old one first (stateless).
                    delete_before_replace=True,
                ),
            ),
        )

    def _create_autoscaling(
        self,
        child: pulumi.ResourceOptions,
        cluster_name: pulumi.Output[str],
        service: aws.ecs.Service,
    ) -> None:
        a = self._args
        scaling = a.autoscaling
        if scaling is None:
            return
        target = aws.appautoscaling.Target(
            f"{self._name}-scaling-target",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", cluster_name, "/", service.name),
            min_capacity=scaling.min_count,
            max_capacity=scaling.max_count,
            tags=self._tags("scaling-target"),
            opts=child,
        )
        if scaling.schedule is not None:
            self._create_schedule(child, target, scaling)
        metrics: list[tuple[str, str, float, pulumi.Input[str] | None]] = []
        if scaling.cpu_target_percent is not None:
            metrics.append(("cpu", "ECSServiceAverageCPUUtilization", scaling.cpu_target_percent, None))
        if scaling.memory_target_percent is not None:
            metrics.append(("memory", "ECSServiceAverageMemoryUtilization", scaling.memory_target_percent, None))
        if scaling.requests_per_target is not None:
            alb_label = pulumi.Output.concat(a.load_balancer_arn_suffix or "", "/", a.target_group_arn_suffix or "")
            metrics.append(("requests", "ALBRequestCountPerTarget", float(scaling.requests_per_target), alb_label))
        for role, metric, value, label in metrics:
            aws.appautoscaling.Policy(
                f"{self._name}-scale-{role}",
                name=f"{self._name}-{role}-target-tracking",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration=(
                    aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                        target_value=value,
                        predefined_metric_specification=(
                            aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                                predefined_metric_type=metric,
                                resource_label=label,
                            )
                        ),
                        scale_in_cooldown=scaling.scale_in_cooldown_seconds,
                        scale_out_cooldown=scaling.scale_out_cooldown_seconds,
                    )
                ),
                # The name is fixed and resource_id/scalable_dimension force a replacement; a policy of
                # the same name on the same target would be overwritten, then deleted: delete first.
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(delete_before_replace=True)),
            )

    def _create_schedule(
        self, child: pulumi.ResourceOptions, target: aws.appautoscaling.Target, scaling: Autoscaling
    ) -> None:
        schedule = scaling.schedule
        assert schedule is not None
        steps = (("sleep", schedule.sleep, 0, 0), ("wake", schedule.wake, scaling.min_count, scaling.max_count))
        for role, cron, low, high in steps:
            aws.appautoscaling.ScheduledAction(
                f"{self._name}-{role}",
                # Unique per scalable target, and resource_id forces a replacement: delete the old first.
                name=f"{self._name}-{role}",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                schedule=cron,
                timezone=schedule.timezone,
                scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                    min_capacity=low, max_capacity=high
                ),
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(delete_before_replace=True)),
            )

    def _create_alarms(
        self,
        child: pulumi.ResourceOptions,
        cluster_name: pulumi.Output[str],
        service: aws.ecs.Service,
    ) -> list[aws.cloudwatch.MetricAlarm]:
        a = self._args
        t = a.alarm_thresholds
        actions = list(a.alarm_actions)
        ecs_dims = {"ClusterName": cluster_name, "ServiceName": service.name}
        specs: list[dict[str, Any]] = [
            dict(
                role="cpu-high",
                namespace="AWS/ECS",
                metric_name="CPUUtilization",
                statistic="Average",
                comparison_operator="GreaterThanThreshold",
                threshold=t.cpu_percent,
                dimensions=ecs_dims,
                description=f"{self._name}: average CPU above {t.cpu_percent:g}%",
            ),
            dict(
                role="memory-high",
                namespace="AWS/ECS",
                metric_name="MemoryUtilization",
                statistic="Average",
                comparison_operator="GreaterThanThreshold",
                threshold=t.memory_percent,
                dimensions=ecs_dims,
                description=f"{self._name}: average memory above {t.memory_percent:g}%",
            ),
        ]
        if a.load_balancer_arn_suffix is not None and a.target_group_arn_suffix is not None:
            alb_dims = {"LoadBalancer": a.load_balancer_arn_suffix, "TargetGroup": a.target_group_arn_suffix}
            specs += [
                dict(
                    role="target-5xx",
                    namespace="AWS/ApplicationELB",
                    metric_name="HTTPCode_Target_5XX_Count",
                    statistic="Sum",
                    comparison_operator="GreaterThanOrEqualToThreshold",
                    threshold=float(t.target_5xx_per_minute),
                    dimensions=alb_dims,
                    description=f"{self._name}: {t.target_5xx_per_minute}+ target 5xx responses per minute",
                ),
                dict(
                    role="unhealthy-hosts",
                    namespace="AWS/ApplicationELB",
                    metric_name="UnHealthyHostCount",
                    statistic="Maximum",
                    comparison_operator="GreaterThanOrEqualToThreshold",
                    threshold=float(t.unhealthy_hosts),
                    dimensions=alb_dims,
                    description=f"{self._name}: {t.unhealthy_hosts}+ unhealthy targets",
                ),
                dict(
                    role="latency-p95",
                    namespace="AWS/ApplicationELB",
                    metric_name="TargetResponseTime",
                    extended_statistic="p95",
                    comparison_operator="GreaterThanThreshold",
                    threshold=t.latency_p95_seconds,
                    dimensions=alb_dims,
                    description=f"{self._name}: p95 target response time above {t.latency_p95_seconds:g}s",
                ),
            ]
        alarms = []
        for spec in specs:
            role = spec.pop("role")
            description = spec.pop("description")
            alarms.append(
                aws.cloudwatch.MetricAlarm(
                    f"{self._name}-{role}",
                    alarm_description=description,
                    period=60,
                    evaluation_periods=t.evaluation_periods,
                    datapoints_to_alarm=t.evaluation_periods,
                    # No data means no traffic or no tasks (an idle colour scaled to zero): not a failure.
                    treat_missing_data="notBreaching",
                    alarm_actions=actions,
                    ok_actions=actions,
                    tags=self._tags(role),
                    opts=child,
                    **spec,
                )
            )
        return alarms


# -- validation ---------------------------------------------------------------------------------------


def _validate(name: str, a: FargateServiceArgs) -> None:
    def fail(argument: str, message: str) -> NoReturn:
        FargateService.fail(name, argument, message)

    problem = size_problem(a.cpu, a.memory)
    if problem:
        fail(*problem)
    if not isinstance(a.architecture, Architecture):
        fail(
            "architecture", f"{a.architecture!r} is not an Architecture; use Architecture.ARM64 or Architecture.X86_64."
        )
    _validate_image(a, fail)
    if not 1 <= a.container_port <= 65535:
        fail("container_port", f"{a.container_port} is not a TCP port; use 1-65535.")
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", a.container_name):
        fail("container_name", f"{a.container_name!r} is not a container name; use letters, digits, '-' or '_'.")
    if a.command is not None and (isinstance(a.command, str) or not all(isinstance(c, str) for c in a.command)):
        fail("command", f"{a.command!r} must be a tuple of strings, e.g. ('python', '-m', 'apps.streaming').")
    _validate_environment(a, fail)
    _validate_health_check(a.health_check, fail)
    if not 2 <= a.stop_timeout_seconds <= 120:
        fail("stop_timeout_seconds", f"{a.stop_timeout_seconds} is outside Fargate's 2-120 seconds.")
    if a.desired_count < 0:
        fail("desired_count", f"{a.desired_count} is negative; use 0 or more.")
    _validate_capacity(a, fail)
    _validate_load_balancing(a, fail)
    _validate_deployment_strategy(a, fail)
    if not 0 <= a.deployment_minimum_healthy_percent <= 100:
        fail("deployment_minimum_healthy_percent", f"{a.deployment_minimum_healthy_percent} is outside 0-100.")
    if a.deployment_maximum_percent < 100 or a.deployment_maximum_percent <= a.deployment_minimum_healthy_percent:
        fail(
            "deployment_maximum_percent",
            f"{a.deployment_maximum_percent} must be at least 100 and above deployment_minimum_healthy_percent="
            f"{a.deployment_minimum_healthy_percent}, or a deployment cannot start a new task; use 200.",
        )
    roles = [e.role for e in a.data_tier_egress]
    for egress in a.data_tier_egress:
        if not _ROLE.match(egress.role) or egress.role in ("https", "lb") or roles.count(egress.role) > 1:
            fail(
                "data_tier_egress",
                f"role {egress.role!r} must be unique, lowercase letters, digits or '-', and not 'https' or 'lb'.",
            )
        if not 1 <= egress.port <= 65535:
            fail("data_tier_egress", f"port {egress.port} of {egress.role!r} is not a TCP port; use 1-65535.")
    if a.log_retention_days not in LOG_RETENTION_DAYS:
        fail(
            "log_retention_days",
            f"{a.log_retention_days} is not a CloudWatch retention; choose one of {', '.join(map(str, LOG_RETENTION_DAYS))}.",
        )
    if a.log_group_name is not None and not re.fullmatch(r"[A-Za-z0-9_./#-]{1,512}", a.log_group_name):
        fail("log_group_name", f"{a.log_group_name!r} is not a log group name; use 1-512 of [A-Za-z0-9_./#-].")
    problems = grant_problems(list(a.task_role_grants))
    if a.enable_execute_command and any(s["Sid"] == "EcsExec" for g in a.task_role_grants for s in g.statements()):
        problems.append("statement id 'EcsExec' is reserved for ECS Exec.")
    if problems:
        fail("task_role_grants", " ".join(problems))
    _validate_autoscaling(a, fail)
    _validate_alarms(a.alarm_thresholds, fail)
    if a.service_name is not None and not _SERVICE_NAME.match(a.service_name):
        fail("service_name", f"{a.service_name!r} is not a service name; use 1-255 letters, digits, '-' or '_'.")
    if a.family is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", a.family):
        fail("family", f"{a.family!r} is not a task definition family; use 1-255 letters, digits, '-' or '_'.")


def _validate_image(a: FargateServiceArgs, fail: _Fail) -> None:
    if not isinstance(a.image, str):
        return  # an output (e.g. ContainerImage.image_uri) is a digest reference by construction
    image = a.image.strip()
    if not image or any(c.isspace() for c in image):
        fail("image", f"{a.image!r} is not an image reference.")
    if "@" in image:
        digest = image.rsplit("@", 1)[1]
        if not _DIGEST.match(digest):
            fail(
                "image",
                f"{a.image!r} has a malformed digest {digest!r}; expected 'sha256:' and 64 lowercase hex digits.",
            )
    elif not a.allow_mutable_tag:
        fail(
            "image",
            f"{a.image!r} is referenced by a mutable tag, so the running code could change without a deployment; "
            "pass it by digest ('<repository>@sha256:<64 hex>', e.g. ContainerImage.image_uri) "
            "or set allow_mutable_tag=True.",
        )


def _validate_environment(a: FargateServiceArgs, fail: _Fail) -> None:
    for key in list(a.environment) + list(a.secrets):
        if not _ENV_NAME.match(key):
            fail(
                "environment" if key in a.environment else "secrets",
                f"{key!r} is not a variable name; use letters, digits and '_', not starting with a digit.",
            )
    clash = sorted(set(a.environment) & set(a.secrets))
    if clash:
        fail("secrets", f"{', '.join(clash)} set both as environment and as secrets; keep each name in one of them.")
    for key in sorted(a.environment):
        if looks_secret(key) and key not in a.non_secret_environment_names:
            fail(
                "environment",
                f"{key} looks like a secret, and environment values are stored in plain text in the task "
                "definition and state; move it to `secrets` (a Secrets Manager or SSM ARN), or list it in "
                "non_secret_environment_names if it is not one.",
            )
    for key in sorted(a.secrets):
        ref = a.secrets[key]
        if not isinstance(ref, str):
            continue
        if is_secrets_manager_reference(ref):
            if len(ref.split(":")) not in (7, 10):
                fail(
                    "secrets",
                    f"{key}={ref!r} is not a valueFrom reference; use the secret ARN, or the ARN followed by "
                    "':<json-key>:<version-stage>:<version-id>' (empty parts allowed, e.g. ':password::').",
                )
        elif not is_ssm_parameter_arn(ref):
            fail(
                "secrets",
                f"{key}={ref!r} is not a Secrets Manager secret ARN or an SSM parameter ARN; "
                "pass the full ARN (arn:aws:secretsmanager:…:secret:… or arn:aws:ssm:…:parameter/…).",
            )


def _validate_health_check(h: ContainerHealthCheck, fail: _Fail) -> None:
    bounds = {
        "interval_seconds": (5, 300),
        "timeout_seconds": (2, 60),
        "retries": (1, 10),
        "start_period_seconds": (0, 300),
    }
    for attr, (low, high) in bounds.items():
        value = getattr(h, attr)
        if not low <= value <= high:
            fail("health_check", f"{attr}={value} is outside ECS's {low}-{high}.")
    if h.command and (isinstance(h.command, str) or h.command[0] not in ("CMD", "CMD-SHELL")):
        fail("health_check", f"command {h.command!r} must be a tuple starting with 'CMD' or 'CMD-SHELL'.")
    if not h.path.startswith("/") or "'" in h.path:
        fail("health_check", f"path {h.path!r} must start with '/' and contain no quote.")


def _validate_capacity(a: FargateServiceArgs, fail: _Fail) -> None:
    c = a.capacity
    for attr, high in (("on_demand_weight", 1000), ("spot_weight", 1000), ("on_demand_base", 100000)):
        value = getattr(c, attr)
        if not 0 <= value <= high:
            fail("capacity", f"{attr}={value} is outside 0-{high}.")
    if c.on_demand_weight == 0 and c.spot_weight == 0:
        fail("capacity", "on_demand_weight and spot_weight are both 0, so no task could be placed; give one a weight.")
    if c.spot_weight > 0 and not a.architecture.supports_spot:
        fail(
            "capacity",
            f"spot_weight={c.spot_weight} with architecture={a.architecture.value}: Fargate Spot runs X86_64 tasks "
            "only; use architecture=Architecture.X86_64 for Spot, or spot_weight=0.",
        )


def _validate_load_balancing(a: FargateServiceArgs, fail: _Fail) -> None:
    if a.target_group_arn is not None and a.load_balancer_security_group_id is None:
        fail(
            "load_balancer_security_group_id",
            "is required with target_group_arn: it is the only source admitted on the container port.",
        )
    if (a.load_balancer_arn_suffix is None) != (a.target_group_arn_suffix is None):
        fail(
            "target_group_arn_suffix" if a.target_group_arn_suffix is None else "load_balancer_arn_suffix",
            "give both load_balancer_arn_suffix and target_group_arn_suffix (the ALB alarms need both), or neither.",
        )
    for attr in ("load_balancer_arn_suffix", "target_group_arn_suffix"):
        value = getattr(a, attr)
        prefix = "app/" if attr == "load_balancer_arn_suffix" else "targetgroup/"
        if isinstance(value, str) and (not value.startswith(prefix) or value.startswith("arn:")):
            fail(attr, f"{value!r} is not an ARN suffix; pass the resource's arn_suffix ('{prefix}<name>/<id>').")
    if not 0 <= a.health_check_grace_period_seconds <= 2147483647:
        fail("health_check_grace_period_seconds", f"{a.health_check_grace_period_seconds} is negative.")


def _validate_deployment_strategy(a: FargateServiceArgs, fail: _Fail) -> None:
    if not isinstance(a.deployment_strategy, DeploymentStrategy):
        fail(
            "deployment_strategy",
            f"{a.deployment_strategy!r} is not a DeploymentStrategy; use DeploymentStrategy.ROLLING or .BLUE_GREEN.",
        )
    if a.deployment_strategy is DeploymentStrategy.ROLLING:
        for attr, value in (
            ("load_balancer_advanced", a.load_balancer_advanced is not None),
            ("lifecycle_hooks", bool(a.lifecycle_hooks)),
        ):
            if value:
                fail(
                    attr,
                    "is only used by blue/green deployments; set deployment_strategy=DeploymentStrategy.BLUE_GREEN "
                    "or leave it unset.",
                )
        return
    if a.target_group_arn is None:
        fail(
            "target_group_arn",
            "is required with deployment_strategy=BLUE_GREEN: ECS shifts traffic between it (the primary target "
            "group) and load_balancer_advanced.alternate_target_group_arn.",
        )
    if a.load_balancer_advanced is None:
        fail(
            "load_balancer_advanced",
            "is required with deployment_strategy=BLUE_GREEN: give the alternate target group, the production "
            "listener rule and ECS's role (BlueGreen with mode=BlueGreenMode.ECS_NATIVE builds them).",
        )
    if not 0 <= a.bake_time_minutes <= 1440:
        fail("bake_time_minutes", f"{a.bake_time_minutes} is outside ECS's 0-1440 minutes.")
    allowed = ", ".join(s.value for s in LifecycleStage)
    for i, hook in enumerate(a.lifecycle_hooks):
        stages = list(hook.stages) if not isinstance(hook.stages, str) else [hook.stages]
        if isinstance(hook.stages, str) or not stages:
            fail(
                "lifecycle_hooks", f"hook {i + 1}: stages={hook.stages!r} must be a non-empty tuple of LifecycleStage."
            )
        bad = [s for s in stages if not isinstance(s, LifecycleStage)]
        if bad:
            fail("lifecycle_hooks", f"hook {i + 1}: {bad[0]!r} is not a lifecycle stage; choose from {allowed}.")
        if len(set(stages)) != len(stages):
            fail("lifecycle_hooks", f"hook {i + 1}: stages {[s.value for s in stages]} repeat a stage; list each once.")
        if hook.role_arn is None:
            fail(
                "lifecycle_hooks",
                f"hook {i + 1}: role_arn is None; give the role ECS assumes to invoke the function "
                "(BlueGreen creates one).",
            )
        if isinstance(hook.function_arn, str) and not LAMBDA_FUNCTION_ARN.fullmatch(hook.function_arn):
            fail(
                "lifecycle_hooks",
                f"hook {i + 1}: {hook.function_arn!r} is not a Lambda function ARN "
                "(arn:aws:lambda:<region>:<account>:function:<name>).",
            )


def _validate_autoscaling(a: FargateServiceArgs, fail: _Fail) -> None:
    s = a.autoscaling
    if s is None:
        return
    if not 0 <= s.min_count <= s.max_count:
        fail("autoscaling", f"min_count={s.min_count} and max_count={s.max_count} need 0 <= min_count <= max_count.")
    if not s.min_count <= a.desired_count <= s.max_count:
        fail(
            "desired_count",
            f"{a.desired_count} is outside autoscaling's {s.min_count}-{s.max_count}; the initial count must be in range.",
        )
    if s.cpu_target_percent is None and s.memory_target_percent is None and s.requests_per_target is None:
        fail("autoscaling", "no target is set; set cpu_target_percent, memory_target_percent or requests_per_target.")
    for attr in ("cpu_target_percent", "memory_target_percent"):
        value = getattr(s, attr)
        if value is not None and not 1 <= value <= 100:
            fail("autoscaling", f"{attr}={value} is outside 1-100.")
    if s.requests_per_target is not None:
        if s.requests_per_target < 1:
            fail("autoscaling", f"requests_per_target={s.requests_per_target} must be at least 1.")
        if a.load_balancer_arn_suffix is None or a.target_group_arn_suffix is None:
            fail(
                "autoscaling",
                "requests_per_target needs load_balancer_arn_suffix and target_group_arn_suffix "
                "(the ALB resource label '<lb arn suffix>/<tg arn suffix>').",
            )
    for attr in ("scale_in_cooldown_seconds", "scale_out_cooldown_seconds"):
        if getattr(s, attr) < 0:
            fail("autoscaling", f"{attr}={getattr(s, attr)} is negative.")
    if s.schedule is not None:
        _validate_schedule(s.schedule, fail)


def _validate_schedule(schedule: ScaleSchedule, fail: _Fail) -> None:
    for attr in ("sleep", "wake"):
        value = getattr(schedule, attr)
        if not SCHEDULE_CRON.fullmatch(value):
            fail(
                "autoscaling.schedule",
                f"{attr}={value!r} is not of the form 'cron(<minute> <hour> ? * <days> *)' "
                "(e.g. 'cron(0 20 ? * MON-FRI *)'; days '*' or MON-SUN names, lists and ranges).",
            )
    if schedule.sleep == schedule.wake:
        fail("autoscaling.schedule", f"sleep and wake are both {schedule.sleep!r}; the service would never run.")
    try:
        zoneinfo.ZoneInfo(schedule.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        fail(
            "autoscaling.schedule",
            f"timezone={schedule.timezone!r} is not an IANA time zone (e.g. 'UTC', 'Europe/Berlin', 'America/New_York').",
        )


def _validate_alarms(t: AlarmThresholds, fail: _Fail) -> None:
    if not 1 <= t.cpu_percent <= 100 or not 1 <= t.memory_percent <= 100:
        fail("alarm_thresholds", f"cpu_percent={t.cpu_percent} and memory_percent={t.memory_percent} must be in 1-100.")
    if t.target_5xx_per_minute < 1 or t.unhealthy_hosts < 1:
        fail("alarm_thresholds", "target_5xx_per_minute and unhealthy_hosts must be at least 1.")
    if t.latency_p95_seconds <= 0:
        fail("alarm_thresholds", f"latency_p95_seconds={t.latency_p95_seconds} must be above 0.")
    if not 1 <= t.evaluation_periods <= 60:
        fail("alarm_thresholds", f"evaluation_periods={t.evaluation_periods} is outside 1-60.")
