"""Whole environments of the streaming platform, and the operator CLI (``python -m stacks``).

For a Pulumi program that embeds a whole environment (see ``examples/embedded``)::

    from stacks import StreamingPlatform, StreamingPlatformArgs, load_config

The names load on first use, so ``python -m stacks --help`` does not import the Pulumi SDKs.
Layers: `stacks.environment` (config, profiles, the composition), `stacks.offline` (the mock
runtime and the offline plan), `stacks.operations` (live AWS), `stacks.devtools`, `stacks.cli`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stacks.environment.config import ConfigError, PlatformConfig, load_config
    from stacks.environment.streaming_platform import StreamingPlatform, StreamingPlatformArgs

__all__ = ["ConfigError", "PlatformConfig", "StreamingPlatform", "StreamingPlatformArgs", "load_config"]

_WHERE = {
    "ConfigError": "stacks.environment.config",
    "PlatformConfig": "stacks.environment.config",
    "load_config": "stacks.environment.config",
    "StreamingPlatform": "stacks.environment.streaming_platform",
    "StreamingPlatformArgs": "stacks.environment.streaming_platform",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'stacks' has no attribute {name!r}")
