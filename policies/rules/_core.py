"""The rule model shared by the CrossGuard pack and the offline check.

A rule is a pure function over a small neutral view of resources (`ResourceView`): the type token,
URN, logical name and the *wire* properties (camelCase names, nested objects camelCase, JSON-valued
properties such as IAM documents or ECS ``containerDefinitions`` as JSON strings). Values unknown
until deploy are the string ``"[unknown]"`` in both worlds: the offline plan writes them so, and the
CrossGuard adapter (`rules.crossguard`) rewrites the engine's unknown sentinels to it. Secrets are
``"[secret]"`` offline and the plain value live; no rule reads a secret's value, only its presence.

Unknown handling (decided per rule, documented in each rule's description): a rule reports only
what it can prove from known values. A property that is ``"[unknown]"`` passes, except where a
rule says otherwise (a world-open ingress rule with unknown ports is reported, because its ports
are always literals in correct code).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from insight.plan import SECRET as SECRET
from insight.plan import UNKNOWN as UNKNOWN
from insight.plan import as_number as as_number


class Level(StrEnum):
    """CrossGuard enforcement levels (the values `--policy-pack-config` accepts)."""

    MANDATORY = "mandatory"
    ADVISORY = "advisory"
    DISABLED = "disabled"


@dataclass(frozen=True)
class ResourceView:
    """What a rule sees of one resource, identical offline and live."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    parent: str | None = None
    dependencies: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``aws:rds/instance:Instance 'db'``: how messages name a resource."""
        return f"{self.type.rsplit(':', 1)[-1]} '{self.name}'"


@dataclass(frozen=True)
class StackFinding:
    """A violation reported by a stack rule, attached to one resource."""

    urn: str
    message: str
    cannot_evaluate: bool = False
    """The rule could not judge the stack (the message says why and what to do): reported as advisory
    whatever the rule's level, since failing a deploy for what the pack does not know would block it."""


ResourceCheck = Callable[[ResourceView, Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[Sequence[ResourceView], Mapping[str, Any]], Iterable[StackFinding]]


@dataclass(frozen=True)
class Rule:
    """One policy: metadata plus a pure check function."""

    name: str
    description: str
    control: str | None
    level: Level
    category: str
    types: frozenset[str]
    resource_check: ResourceCheck | None = None
    stack_check: StackCheck | None = None
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """JSON-schema properties of the rule's config, each with a ``default``."""

    @property
    def kind(self) -> str:
        return "resource" if self.resource_check is not None else "stack"

    @property
    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.params.items() if "default" in v}

    def applies_to(self, resource_type: str) -> bool:
        return not self.types or resource_type in self.types

    def check_resource(self, resource: ResourceView, config: Mapping[str, Any]) -> list[str]:
        if self.resource_check is None or not self.applies_to(resource.type):
            return []
        return list(self.resource_check(resource, {**self.defaults, **config}))

    def check_stack(self, resources: Sequence[ResourceView], config: Mapping[str, Any]) -> list[StackFinding]:
        if self.stack_check is None:
            return []
        return list(self.stack_check(resources, {**self.defaults, **config}))


REGISTRY: list[Rule] = []


def _register(rule: Rule) -> None:
    if any(r.name == rule.name for r in REGISTRY):
        raise ValueError(f"duplicate policy name {rule.name!r}")
    REGISTRY.append(rule)


def _describe(description: str, control: str | None) -> str:
    return f"[{control}] {description}" if control else description


def resource_rule(
    name: str,
    *,
    description: str,
    types: Iterable[str],
    control: str | None = None,
    level: Level = Level.MANDATORY,
    category: str = "security",
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> Callable[[ResourceCheck], ResourceCheck]:
    """Register ``fn(resource, config) -> messages`` as a resource validation."""

    def wrap(fn: ResourceCheck) -> ResourceCheck:
        _register(
            Rule(
                name,
                _describe(description, control),
                control,
                level,
                category,
                frozenset(types),
                resource_check=fn,
                params=dict(params or {}),
            )
        )
        return fn

    return wrap


def stack_rule(
    name: str,
    *,
    description: str,
    types: Iterable[str] = (),
    control: str | None = None,
    level: Level = Level.MANDATORY,
    category: str = "security",
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> Callable[[StackCheck], StackCheck]:
    """Register ``fn(resources, config) -> findings`` as a stack validation."""

    def wrap(fn: StackCheck) -> StackCheck:
        _register(
            Rule(
                name,
                _describe(description, control),
                control,
                level,
                category,
                frozenset(types),
                stack_check=fn,
                params=dict(params or {}),
            )
        )
        return fn

    return wrap


# -- value helpers ------------------------------------------------------------------------------


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == UNKNOWN


def get(value: Any, *path: str | int, default: Any = None) -> Any:
    """Walk dicts/lists; a missing step gives ``default``, an unknown step gives ``UNKNOWN``."""
    for step in path:
        if is_unknown(value):
            return UNKNOWN
        if isinstance(step, int):
            if not isinstance(value, list | tuple) or step >= len(value):
                return default
            value = value[step]
        else:
            if not isinstance(value, Mapping) or step not in value:
                return default
            value = value[step]
    return default if value is None else value


def is_true(value: Any) -> bool:
    """Known and true (wire booleans may arrive as strings from some providers)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    """Known and false."""
    return value is False or (isinstance(value, str) and value.lower() == "false")


def as_list(value: Any) -> list[Any]:
    if value is None or is_unknown(value):
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def parse_json(value: Any) -> Any:
    """A JSON-valued property as data; ``UNKNOWN`` when unknown, None when absent or not JSON."""
    if value is None:
        return None
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def matches_any(value: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


def of_types(resources: Sequence[ResourceView], *types: str) -> list[ResourceView]:
    return [r for r in resources if r.type in types]


def linked(
    source: ResourceView, target: ResourceView, *, prop: str | None = None, target_keys: Sequence[str] = ("id",)
) -> bool:
    """Whether ``source`` refers to ``target``: by dependency, or by a known id/name value.

    The offline plan carries inputs (not outputs) and every reference shows up as a dependency,
    so dependencies are the primary link; live, known ids also match.
    """
    if target.urn in source.dependencies:
        return True
    if prop is None:
        return False
    values = [v for v in as_list(source.props.get(prop)) if isinstance(v, str) and not is_unknown(v)]
    keys = [target.props.get(k) for k in target_keys]
    return any(isinstance(k, str) and not is_unknown(k) and k in values for k in keys)


# -- IAM policy documents -----------------------------------------------------------------------


def statements(document: Any) -> Iterator[dict[str, Any]]:
    """The statements of a parsed policy document (single statement or list)."""
    if not isinstance(document, Mapping):
        return
    for statement in as_list(document.get("Statement")):
        if isinstance(statement, Mapping):
            yield dict(statement)


def principals(statement: Mapping[str, Any]) -> list[str]:
    """Every principal of a statement as ``"*"`` or ``"<Kind>:<value>"``."""
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    out: list[str] = []
    if isinstance(principal, Mapping):
        for kind, values in principal.items():
            for v in as_list(values):
                out.append("*" if v == "*" and kind == "AWS" else f"{kind}:{v}")
    return out
