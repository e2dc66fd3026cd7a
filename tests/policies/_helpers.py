"""Small hand-made resources in wire form, and a way to run one rule over them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from policies.rules import REGISTRY, ResourceView

TAGS = {"Project": "streaming-platform", "Environment": "dev", "Component": "Test", "ManagedBy": "pulumi"}


def res(type_: str, name: str, deps: Sequence[ResourceView] = (), /, **props: Any) -> ResourceView:
    """A resource of ``type_`` named ``name`` depending on ``deps``, with wire ``props``."""
    return ResourceView(
        type_, f"urn:pulumi:dev::streaming-platform::{type_}::{name}", name, props, None, tuple(d.urn for d in deps)
    )


def rule(name: str):  # type: ignore[no-untyped-def]
    return next(r for r in REGISTRY if r.name == name)


def violations(
    name: str, resources: Sequence[ResourceView] | ResourceView, config: Mapping[str, Any] | None = None
) -> list[str]:
    """Messages ``name`` reports over ``resources`` (a resource rule runs on each of them)."""
    r = rule(name)
    items = [resources] if isinstance(resources, ResourceView) else list(resources)
    if r.kind == "resource":
        return [m for x in items for m in r.check_resource(x, dict(config or {}))]
    return [f.message for f in r.check_stack(items, dict(config or {}))]


def doc(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def containers(*defs: Mapping[str, Any]) -> str:
    return json.dumps(list(defs))


GOOD_CONTAINER = {
    "name": "app",
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:abc",
    "user": "1000:1000",
    "readonlyRootFilesystem": True,
    "privileged": False,
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app"}},
    "environment": [
        {"name": "DB_SECRET_ARN", "value": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"},
        {"name": "LOG_LEVEL", "value": "info"},
    ],
    "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}],
}
