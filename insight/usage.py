"""The usage profile: how much an environment is used, for what is billed by use.

The default profile is ``insight/prices/usage-default.yaml``; ``--usage FILE`` overrides it. A
profile has top-level settings (``hours_per_month``, ``spot_discount``, ``apply_free_tiers``),
``defaults`` (per-resource quantities such as ``cdn_gb_out``) and ``resources``: globs on a
resource's logical name mapped to quantities for the resources they match::

    defaults:
      cdn_gb_out: 20
    resources:
      "*flow-log*":
        log_gb_ingested: 2
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_USAGE_FILE = Path(__file__).resolve().parent / "prices" / "usage-default.yaml"

_TOP_LEVEL = {"hours_per_month", "spot_discount", "apply_free_tiers", "defaults", "resources"}


class UsageError(ValueError):
    """A usage profile that cannot be used; the message names the file, the key and the fix."""


@dataclass(frozen=True)
class Usage:
    """A resolved usage profile."""

    hours_per_month: float = 730.0
    spot_discount: float = 0.70
    apply_free_tiers: bool = False
    defaults: dict[str, float] = field(default_factory=dict)
    resources: dict[str, dict[str, float]] = field(default_factory=dict)
    source: str = "<built-in>"

    def get(self, key: str, name: str | None = None) -> float:
        """The quantity ``key`` for the resource whose logical name is ``name``."""
        value: float | None = self.defaults.get(key)
        if name is not None:
            for pattern, values in self.resources.items():
                if key in values and fnmatch.fnmatchcase(name, pattern):
                    value = values[key]
        if value is None:
            raise UsageError(f"{self.source}: no value for '{key}'; add it under 'defaults'")
        return float(value)


def _number(source: str, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"{source}: '{where}' must be a number, got {value!r}")
    if value < 0:
        raise UsageError(f"{source}: '{where}' must be >= 0, got {value!r}")
    return float(value)


def _section(source: str, name: str, value: Any) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise UsageError(f"{source}: '{name}' must be a mapping of quantities")
    return {str(k): _number(source, f"{name}.{k}", v) for k, v in value.items()}


def parse_usage(data: Any, *, source: str, base: Usage | None = None) -> Usage:
    """Validate ``data`` (a loaded YAML document) and lay it over ``base``."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise UsageError(f"{source}: a usage profile must be a mapping")
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        raise UsageError(f"{source}: unknown key '{unknown[0]}'; allowed: {', '.join(sorted(_TOP_LEVEL))}")
    base = base or Usage()
    known = set(base.defaults)
    defaults = dict(base.defaults)
    new_defaults = _section(source, "defaults", data.get("defaults"))
    if known:
        for key in new_defaults:
            if key not in known:
                raise UsageError(f"{source}: unknown quantity 'defaults.{key}'; known: {', '.join(sorted(known))}")
    defaults.update(new_defaults)
    resources = {k: dict(v) for k, v in base.resources.items()}
    raw_resources = data.get("resources") or {}
    if not isinstance(raw_resources, Mapping):
        raise UsageError(f"{source}: 'resources' must map name globs to quantities")
    for pattern, values in raw_resources.items():
        resources.setdefault(str(pattern), {}).update(_section(source, f"resources.{pattern}", values))
    spot = _number(source, "spot_discount", data.get("spot_discount", base.spot_discount))
    if spot >= 1:
        raise UsageError(f"{source}: 'spot_discount' is a fraction below 1 (0.70 = 70% off), got {spot}")
    free = data.get("apply_free_tiers", base.apply_free_tiers)
    if not isinstance(free, bool):
        raise UsageError(f"{source}: 'apply_free_tiers' must be true or false, got {free!r}")
    return Usage(
        hours_per_month=_number(source, "hours_per_month", data.get("hours_per_month", base.hours_per_month)),
        spot_discount=spot,
        apply_free_tiers=free,
        defaults=defaults,
        resources=resources,
        source=source if base.source == "<built-in>" else f"{base.source} + {source}",
    )


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: usage profile not found") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not valid YAML: {exc}") from exc


def load_usage(path: Path | None = None) -> Usage:
    """The default profile, overridden by the profile at ``path`` when given."""
    usage = parse_usage(_load_yaml(DEFAULT_USAGE_FILE), source=str(DEFAULT_USAGE_FILE.name))
    if path is not None:
        usage = parse_usage(_load_yaml(path), source=str(path), base=usage)
    return usage
