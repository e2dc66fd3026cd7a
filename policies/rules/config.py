"""Policy-pack config (the `--policy-pack-config` JSON) and rule evaluation over a list of resources.

The config file is CrossGuard's own format, so one file serves `pulumi preview --policy-pack
policies --policy-pack-config policies/config/<env>.json` and the offline check::

    {"all": "mandatory",                      # optional: every policy's level
     "rds-multi-az": "advisory",              # a level
     "rds-backup-retention": {"enforcementLevel": "mandatory", "minDays": 14}}   # level + params

Resolution follows the Pulumi CLI: each rule's own level and schema defaults, then ``all``, then the
per-policy entries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._core import REGISTRY, Level, ResourceView, Rule
from .stack_keys import relaxed_note, relaxed_rules, stack_name, with_stack_key

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


class PolicyConfigError(ValueError):
    """A policy config file that does not fit the pack; the message says what to change."""


@dataclass(frozen=True)
class RuleSetting:
    level: Level
    params: Mapping[str, Any]


PolicyConfig = Mapping[str, RuleSetting]


@dataclass(frozen=True)
class Finding:
    """One violation: which rule, at what level, on which resource, and the message (what and how to fix)."""

    rule: str
    level: Level
    urn: str
    message: str


def load_config(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise PolicyConfigError(f"{path}: no such policy config") from exc
    except ValueError as exc:
        raise PolicyConfigError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyConfigError(f"{path}: must be a JSON object of policy name -> level or settings")
    return data


def _level(value: Any, where: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        choices = ", ".join(level.value for level in Level)
        raise PolicyConfigError(f"{where}: enforcement level {value!r} is not one of {choices}") from None


def resolve_config(
    raw: Mapping[str, Any] | None, rules: Sequence[Rule] = REGISTRY, *, source: str = "config"
) -> dict[str, RuleSetting]:
    """Each rule's effective level and params, validated against the rules' schemas."""
    raw = dict(raw or {})
    by_name = {r.name: r for r in rules}
    all_level = _level(raw.pop("all"), f"{source}: 'all'") if "all" in raw else None
    unknown = sorted(set(raw) - set(by_name))
    if unknown:
        raise PolicyConfigError(
            f"{source}: unknown policy name(s) {', '.join(unknown)}; the pack's policies are listed in docs/policies.md"
        )
    out: dict[str, RuleSetting] = {}
    for rule in rules:
        level = all_level or rule.level
        params = dict(rule.defaults)
        entry = raw.get(rule.name)
        if isinstance(entry, str):
            level = _level(entry, f"{source}: {rule.name}")
        elif isinstance(entry, Mapping):
            entry = dict(entry)
            if "enforcementLevel" in entry:
                level = _level(entry.pop("enforcementLevel"), f"{source}: {rule.name}")
            for key, value in entry.items():
                schema = rule.params.get(key)
                if schema is None:
                    allowed = ", ".join(rule.params) or "none"
                    raise PolicyConfigError(f"{source}: {rule.name} has no setting {key!r} (settings: {allowed})")
                kinds = _JSON_TYPES.get(str(schema.get("type")), (object,))
                if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
                    raise PolicyConfigError(
                        f"{source}: {rule.name}.{key} must be of type {schema.get('type')}, got {value!r}"
                    )
                params[key] = value
        elif entry is not None:
            raise PolicyConfigError(f"{source}: {rule.name} must be a level string or an object, got {entry!r}")
        out[rule.name] = RuleSetting(level, params)
    return out


def evaluate(
    resources: Sequence[ResourceView], config: Mapping[str, RuleSetting] | None = None, rules: Sequence[Rule] = REGISTRY
) -> list[Finding]:
    """Run every enabled rule over ``resources`` (resource rules on each, stack rules once).

    A stack built from a stack file gets the stack-file key in each fix, and its accepted invariant
    overrides relax the matching mandatory rules to advisory (`stack_keys`).
    """
    settings = config if config is not None else resolve_config(None, rules)
    stack = stack_name(resources)
    relaxed = relaxed_rules(resources)
    findings: list[Finding] = []

    def finding(rule: Rule, level: Level, urn: str, message: str, cannot_evaluate: bool = False) -> Finding:
        message = with_stack_key(rule.name, message, stack)
        if level is Level.MANDATORY and cannot_evaluate:
            level = Level.ADVISORY
        elif level is Level.MANDATORY and rule.name in relaxed:
            level = Level.ADVISORY
            message += relaxed_note(relaxed[rule.name], stack)
        return Finding(rule.name, level, urn, message)

    for rule in rules:
        setting = settings[rule.name]
        if setting.level is Level.DISABLED:
            continue
        if rule.kind == "resource":
            for resource in resources:
                findings.extend(
                    finding(rule, setting.level, resource.urn, m) for m in rule.check_resource(resource, setting.params)
                )
        else:
            findings.extend(
                finding(rule, setting.level, f.urn, f.message, f.cannot_evaluate)
                for f in rule.check_stack(resources, setting.params)
            )
    return findings
