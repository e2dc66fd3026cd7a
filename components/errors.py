"""The one error type every component raises for bad arguments."""

from __future__ import annotations

__all__ = ["ComponentArgsError"]


class ComponentArgsError(ValueError):
    """Raised before any resource is registered when a component's arguments are invalid.

    The message names the component instance, the argument, the bad value, the rule and the fix,
    for example ``Vpc 'net': [cidr] '10.0.0.0/26' is too small for 3 AZs x 3 tiers; use /20 or larger.``
    """

    def __init__(self, kind: str, name: str, argument: str, message: str) -> None:
        self.kind = kind
        self.name = name
        self.argument = argument
        super().__init__(f"{kind} '{name}': [{argument}] {message}")
