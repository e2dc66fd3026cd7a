"""The CrossGuard side: wrap each registered rule in a pulumi_policy policy object.

What the engine hands a Python policy (pulumi_policy 1.21, `_PolicyAnalyzerServicer`): ``args.props``
is the resource's property map deserialised from the gRPC ``Struct`` — the same camelCase wire names
the provider receives, nested objects as dicts, JSON-valued properties as strings, numbers as floats,
secrets unwrapped to their plain value — wrapped in a proxy that raises ``UnknownValueError`` when a
value unknown during preview is read. `normalize_props` unwraps the proxy and rewrites the unknown
sentinels to ``"[unknown]"``, so a rule sees exactly the shape of the offline plan's ``inputs``.
Stack policies get `PolicyResource` objects (parent/dependencies as objects), turned into URNs here.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import _DictProxy, _ListProxy
from pulumi_policy.secret import Secret

from ._core import REGISTRY, SECRET, UNKNOWN, ResourceView, Rule

PACK_NAME = "streaming-platform-guardrails"

# The engine's unknown-value sentinels (pulumi_policy.proxy), one per value kind.
_UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
        "030794c1-ac77-496b-92df-f27374a8bd58",
        "e48ece36-62e2-4504-bad9-02848725956a",
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    }
)


def normalize_props(value: Any) -> Any:
    """Plain dicts/lists with unknowns as ``"[unknown]"``, from the SDK's unknown-checking proxies."""
    if isinstance(value, _DictProxy | _ListProxy):
        value = value["__target"]  # the proxies hand out their raw container under this key
    if isinstance(value, Secret):
        return SECRET
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        return {k: normalize_props(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalize_props(v) for v in value]
    return value


def _severity(rule: Rule) -> Severity:
    if rule.category == "security":
        return Severity.HIGH
    return Severity.MEDIUM if rule.category in ("reliability", "operations") else Severity.LOW


def _framework(rule: Rule) -> PolicyComplianceFramework | None:
    if not rule.control:
        return None
    return PolicyComplianceFramework(
        name="AWS Foundational Security Best Practices", version="1.0.0", reference=rule.control
    )


def _schema(rule: Rule) -> PolicyConfigSchema | None:
    return PolicyConfigSchema(properties={k: dict(v) for k, v in rule.params.items()}) if rule.params else None


def _resource_policy(rule: Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if not rule.applies_to(args.resource_type):
            return
        opts = args.opts
        view = ResourceView(
            args.resource_type,
            args.urn,
            args.name,
            normalize_props(args.props),
            getattr(opts, "parent", None),
            tuple(getattr(opts, "dependencies", None) or ()),
        )
        for message in rule.check_resource(view, {**rule.defaults, **dict(args.get_config() or {})}):
            report_violation(message, None)

    return ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        enforcement_level=EnforcementLevel(rule.level.value),
        config_schema=_schema(rule),
        severity=_severity(rule),
        framework=_framework(rule),
        tags=[rule.category],
    )


def _stack_policy(rule: Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        views = [
            ResourceView(
                r.resource_type,
                r.urn,
                r.name,
                normalize_props(r.props),
                r.parent.urn if r.parent is not None else None,
                tuple(d.urn for d in (r.dependencies or [])),
            )
            for r in args.resources
        ]
        for finding in rule.check_stack(views, {**rule.defaults, **dict(args.get_config() or {})}):
            if finding.cannot_evaluate:  # a note, not a violation: say why the rule could not judge
                print(f"{rule.name}: {finding.message}", file=sys.stderr)
                continue
            report_violation(finding.message, finding.urn)

    return StackValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        enforcement_level=EnforcementLevel(rule.level.value),
        config_schema=_schema(rule),
        severity=_severity(rule),
        framework=_framework(rule),
        tags=[rule.category],
    )


def build_policies() -> list[Policy]:
    """One CrossGuard policy per registered rule, in registry order."""
    return [_resource_policy(r) if r.kind == "resource" else _stack_policy(r) for r in REGISTRY]
