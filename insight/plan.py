"""The plan document: what an offline plan (or a live preview) says an environment builds.

Written by ``python -m stacks plan <env> --json FILE`` (`stacks.offline.plan`) and read by the
policy check, the cost estimate, the deploy-time estimate and the diagrams::

    {"project": "...", "stack": "<env>", "outputs": {...},
     "resources": [{"urn", "type", "name", "custom", "parent", "dependencies", "inputs", "options"}]}

Inputs are the wire inputs the provider would receive (camelCase); secrets are ``"[secret]"`` and
values unknown until deploy ``"[unknown]"``. ``custom`` is false for component resources (which
own other resources and are never sent to a provider) and true for everything a provider creates.
``options`` are the resource options that decide what an update does: ``protect``,
``deleteBeforeReplace``, ``ignoreChanges``, ``retainOnDelete``, ``replaceOnChanges``, ``aliases``
and ``provider`` (the provider's URN, or null for the default provider).

This package imports nothing from the rest of the project and nothing from Pulumi, so the policy
pack can run it with only its own requirements installed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

UNKNOWN = "[unknown]"
"""A value known only once deployed."""
SECRET = "[secret]"  # noqa: S105 (a placeholder, not a password)
"""A secret value (never written to a plan)."""

#: Type-token packages whose resources are created by a provider (never components). Used only
#: for documents written before plans recorded ``custom``.
_PROVIDER_PACKAGES = frozenset({"aws", "awsx", "docker", "docker-build", "random", "tls", "command", "pulumi"})


def as_number(value: Any) -> float | None:
    """A known number (live numbers arrive as floats, offline as ints), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def is_provider(resource: Mapping[str, Any]) -> bool:
    """Whether ``resource`` is a provider instance (``pulumi:providers:<package>``)."""
    return str(resource["type"]).startswith("pulumi:providers:")


def is_component(resource: Mapping[str, Any]) -> bool:
    """Whether ``resource`` is a component resource (it groups others; nothing is created for it)."""
    custom = resource.get("custom")
    if isinstance(custom, bool):
        return not custom
    package = str(resource["type"]).split(":", 1)[0]
    return package not in _PROVIDER_PACKAGES


def component_class(resource: Mapping[str, Any]) -> str:
    """The class part of a type token: ``Vpc`` for ``<package>:index:Vpc``."""
    return str(resource["type"]).rsplit(":", 1)[-1]


@dataclass(frozen=True)
class Plan:
    """A plan document (the JSON written by ``plan --json``) with convenience accessors."""

    document: dict[str, Any]

    @property
    def project(self) -> str:
        return str(self.document["project"])

    @property
    def stack(self) -> str:
        return str(self.document["stack"])

    @property
    def resources(self) -> list[dict[str, Any]]:
        return list(self.document["resources"])

    @property
    def outputs(self) -> dict[str, Any]:
        return dict(self.document.get("outputs", {}))

    def of_type(self, type_token: str) -> list[dict[str, Any]]:
        return [r for r in self.document["resources"] if r["type"] == type_token]

    def by_urn(self) -> dict[str, dict[str, Any]]:
        return {r["urn"]: r for r in self.document["resources"]}

    def to_json(self) -> str:
        return json.dumps(self.document, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str = "<plan>") -> Plan:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanFormatError(f"{source}: not a plan document: {exc}") from exc
        for key in ("project", "stack", "resources"):
            if key not in document:
                raise PlanFormatError(f"{source}: not a plan document: missing key '{key}'")
        return cls(document)


class PlanFormatError(ValueError):
    """A file given as a plan document is not one."""
