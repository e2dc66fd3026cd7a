"""IAM: no full admin, no service-wide wildcards, task roles trusted only by ECS tasks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ._core import (
    ResourceView,
    StackFinding,
    as_list,
    of_types,
    parse_json,
    principals,
    resource_rule,
    stack_rule,
    statements,
)

ROLE = "aws:iam/role:Role"
POLICY_TYPES = (
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_TASKS = "Service:ecs-tasks.amazonaws.com"


def _documents(r: ResourceView) -> Iterator[tuple[str, Any]]:
    if r.type in POLICY_TYPES:
        yield "policy", parse_json(r.props.get("policy"))
    elif r.type == ROLE:
        for p in as_list(r.props.get("inlinePolicies")):
            if isinstance(p, Mapping):
                yield f"inline policy {p.get('name', '?')!r}", parse_json(p.get("policy"))


def _allows(document: Any) -> Iterator[tuple[list[str], list[str]]]:
    for s in statements(document):
        if s.get("Effect") == "Allow":
            yield [str(a) for a in as_list(s.get("Action"))], [str(x) for x in as_list(s.get("Resource"))]


@resource_rule(
    "iam-no-full-admin",
    control="IAM.1",
    description='No policy allows Action "*" on Resource "*". Unknown documents pass.',
    types=(*POLICY_TYPES, ROLE),
)
def no_full_admin(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for where, doc in _documents(r):
        for actions, resources in _allows(doc):
            if any(a in ("*", "*:*") for a in actions) and "*" in resources:
                yield (
                    f"{r.label}: {where} allows every action on every resource (full admin). Grant the specific "
                    f"actions the workload calls on the specific resource ARNs."
                )


@resource_rule(
    "iam-no-service-wildcard-actions",
    control="IAM.21",
    description='No policy allows a whole-service wildcard action such as "s3:*" or "logs:*".',
    types=(*POLICY_TYPES, ROLE),
)
def no_service_wildcards(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    for where, doc in _documents(r):
        for actions, _ in _allows(doc):
            wild = [a for a in actions if a.endswith(":*")]
            if wild:
                yield f'{r.label}: {where} allows {", ".join(wild)}. List the needed actions (e.g. "s3:GetObject") instead.'


def _trusted(role: ResourceView) -> list[str] | None:
    doc = parse_json(role.props.get("assumeRolePolicy"))
    if not isinstance(doc, Mapping):
        return None
    return [p for s in statements(doc) if s.get("Effect") == "Allow" for p in principals(s)]


@stack_rule(
    "iam-task-roles-trust-only-ecs-tasks",
    description=(
        "Task and execution roles (referenced by a task definition) and any role trusting ecs-tasks are "
        "assumable only by ecs-tasks.amazonaws.com. Unknown trust policies pass."
    ),
    types=(ROLE,),
)
def task_roles_trust_only_ecs(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    task_defs = of_types(resources, TASK_DEFINITION)
    for role in of_types(resources, ROLE):
        trusted = _trusted(role)
        if trusted is None:
            continue
        used_by_task = any(role.urn in t.dependencies for t in task_defs)
        if not used_by_task and ECS_TASKS not in trusted:
            continue
        others = sorted({p for p in trusted if p != ECS_TASKS})
        if others or ECS_TASKS not in trusted:
            yield StackFinding(
                role.urn,
                f"{role.label}: a task role must be assumable only by ECS tasks, but it trusts "
                f"{', '.join(others) or 'no ecs-tasks principal'}. Set assume_role_policy to allow "
                f'sts:AssumeRole for Principal {{"Service": "ecs-tasks.amazonaws.com"}} only '
                f"(optionally with an aws:SourceAccount condition).",
            )
