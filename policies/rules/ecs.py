"""ECS: private tasks, hardened containers, logging, no plaintext secrets, circuit breaker, insights."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ._core import (
    ResourceView,
    as_list,
    get,
    is_false,
    is_true,
    is_unknown,
    parse_json,
    resource_rule,
)

CLUSTER = "aws:ecs/cluster:Cluster"
SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"

ROOT_USERS = ("root", "0")
SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_DATA|ACCESS_KEY)", re.I)
NOT_SECRET_SUFFIX = re.compile(r"_(ARN|NAME|ID|PATH|FILE|PARAM|PARAMETER|KEY_ID)$", re.I)
URL_CREDENTIALS = re.compile(r"://[^/:@\s]+:[^/@\s]+@")


def _containers(r: ResourceView) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each container definition with its name; unknown or unparsable definitions give nothing."""
    defs = parse_json(r.props.get("containerDefinitions"))
    for i, c in enumerate(defs if isinstance(defs, list) else []):
        if isinstance(c, Mapping):
            yield str(c.get("name") or f"#{i}"), c


@resource_rule(
    "ecs-service-no-public-ip",
    control="ECS.2",
    description="Services do not assign public IPs to tasks (networkConfiguration.assignPublicIp false).",
    types=(SERVICE,),
)
def no_public_ip(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    if is_true(get(r.props, "networkConfiguration", "assignPublicIp")):
        yield (
            f"{r.label}: tasks get public IPs. Set network_configuration.assign_public_ip=False and run tasks in "
            f"private subnets (egress through NAT or VPC endpoints)."
        )


@resource_rule(
    "ecs-container-non-root-user",
    description='Every container runs as a non-root user: `user` is set and is not root/0 (e.g. "1000:1000"). Unknown definitions pass.',
    types=(TASK_DEFINITION,),
)
def non_root_user(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for name, c in _containers(r):
        user = str(c.get("user") or "")
        if not user or user.split(":")[0] in ROOT_USERS:
            yield (
                f"{r.label}: container {name!r} runs as {'root (no user set)' if not user else repr(user)}. Set "
                f'"user": "<uid>:<gid>" (e.g. "1000:1000") in the container definition and make the image work as that user.'
            )


@resource_rule(
    "ecs-container-read-only-root-filesystem",
    control="ECS.5",
    description="Every container has readonlyRootFilesystem true (write to mounted volumes or /tmp volumes only).",
    types=(TASK_DEFINITION,),
)
def read_only_root(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for name, c in _containers(r):
        if not is_true(c.get("readonlyRootFilesystem")):
            yield (
                f'{r.label}: container {name!r} can write its root filesystem. Set "readonlyRootFilesystem": true '
                f"and mount a task volume for paths that must be writable (e.g. /tmp)."
            )


@resource_rule(
    "ecs-container-not-privileged",
    control="ECS.4",
    description="No container is privileged.",
    types=(TASK_DEFINITION,),
)
def not_privileged(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for name, c in _containers(r):
        if is_true(c.get("privileged")):
            yield f'{r.label}: container {name!r} is privileged. Remove "privileged": true.'


@resource_rule(
    "ecs-container-logging",
    control="ECS.9",
    description="Every container has a logConfiguration with a log driver (awslogs or awsfirelens).",
    types=(TASK_DEFINITION,),
    category="operations",
)
def container_logging(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for name, c in _containers(r):
        if not get(c, "logConfiguration", "logDriver"):
            yield (
                f'{r.label}: container {name!r} has no logConfiguration. Add {{"logDriver": "awslogs", "options": '
                f'{{"awslogs-group": <log group>, "awslogs-region": <region>, "awslogs-stream-prefix": {name!r}}}}}.'
            )


@resource_rule(
    "ecs-no-secrets-in-environment",
    control="ECS.8",
    description=(
        "No plain environment variable looks like a secret (AWS keys, *PASSWORD*, *SECRET*, *TOKEN*, *API_KEY*, "
        "credentials in URLs); secrets come from `secrets[].valueFrom` (Secrets Manager / SSM). Names ending "
        "in _ARN, _NAME, _ID are references and pass."
    ),
    types=(TASK_DEFINITION,),
)
def no_secrets_in_environment(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for name, c in _containers(r):
        for env in as_list(c.get("environment")):
            key, value = str(get(env, "name", default="")), get(env, "value", default="")
            secret_name = bool(SECRET_NAME.search(key)) and not NOT_SECRET_SUFFIX.search(key)
            if secret_name or (isinstance(value, str) and URL_CREDENTIALS.search(value)):
                yield (
                    f"{r.label}: container {name!r} sets {key} as a plain environment variable (visible in the task "
                    f'definition and state). Move it to "secrets": [{{"name": {key!r}, "valueFrom": <Secrets Manager ARN>}}].'
                )


@resource_rule(
    "ecs-service-circuit-breaker",
    description=(
        "Services on the ECS deployment controller have the deployment circuit breaker on with rollback. "
        "CODE_DEPLOY/EXTERNAL controllers (which roll back themselves) are not assessed."
    ),
    types=(SERVICE,),
    category="reliability",
)
def circuit_breaker(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    controller = get(r.props, "deploymentController", "type")
    if controller in ("CODE_DEPLOY", "EXTERNAL") or is_unknown(controller):
        return
    cb = r.props.get("deploymentCircuitBreaker")
    if is_unknown(cb):
        return
    if not (is_true(get(cb, "enable")) and is_true(get(cb, "rollback"))):
        yield (
            f"{r.label}: a failing deployment would keep replacing tasks. Set "
            f'deployment_circuit_breaker={{"enable": True, "rollback": True}}.'
        )


@resource_rule(
    "ecs-cluster-container-insights",
    control="ECS.12",
    description="Clusters have Container Insights enabled (settings containerInsights = enabled or enhanced).",
    types=(CLUSTER,),
    category="operations",
)
def container_insights(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    settings = r.props.get("settings")
    if is_unknown(settings):
        return
    values = [get(s, "value") for s in as_list(settings) if get(s, "name") == "containerInsights"]
    if not any(v in ("enabled", "enhanced", "[unknown]") for v in values):
        yield f'{r.label}: Container Insights is off. Set settings=[{{"name": "containerInsights", "value": "enhanced"}}].'


@resource_rule(
    "ecs-task-no-host-namespaces",
    control="ECS.1",
    description="Task definitions share no host namespace: networkMode, pidMode and ipcMode are not host (ECS.1, ECS.3).",
    types=(TASK_DEFINITION,),
)
def no_host_namespaces(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for prop, snake in (
        ("networkMode", 'network_mode="awsvpc"'),
        ("pidMode", 'pid_mode unset or "task"'),
        ("ipcMode", 'ipc_mode unset or "task"'),
    ):
        if r.props.get(prop) == "host":
            yield f'{r.label}: {prop}="host" shares the host\'s namespace with the task. Use {snake}.'


@resource_rule(
    "ecs-fargate-latest-platform",
    control="ECS.10",
    description="Fargate services run the latest platform version (platformVersion unset, LATEST or an allowed version).",
    types=(SERVICE,),
    params={"allowedVersions": {"type": "array", "items": {"type": "string"}, "default": ["LATEST", "1.4.0"]}},
)
def latest_platform(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    version = r.props.get("platformVersion")
    if version is None or is_unknown(version) or is_false(version):
        return
    if version not in config["allowedVersions"]:
        yield f"{r.label}: platform_version={version!r} is pinned to an old Fargate platform. Remove it (LATEST) or use 1.4.0."
