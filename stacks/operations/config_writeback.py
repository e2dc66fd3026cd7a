"""Write the live blue-green state back into ``Pulumi.<env>.yaml``, keeping everything else.

After ``python -m stacks switch`` has moved traffic, the stack file must say what is live, or the
next ``pulumi up`` would put the old weights back. This module edits exactly two values per
service under ``<project>:blueGreen`` — ``activeColor`` and ``weights`` — with ruamel.yaml's
round-trip mode, so comments, key order, quoting and every other key stay as they were. The file
is replaced atomically (write to a temporary file in the same directory, then ``os.replace``), so a
crash never leaves half a stack file.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

DEFAULT_NAMESPACE = "streaming-platform"
COLORS = ("blue", "green")


class WriteBackError(ValueError):
    """The stack file cannot be updated; the message names the file and the fix."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _flow_map(values: Mapping[str, Any]) -> CommentedMap:
    mapping = CommentedMap(values)
    mapping.fa.set_flow_style()
    return mapping


def _check_weights(weights: Mapping[str, int]) -> dict[str, int]:
    if set(weights) != set(COLORS):
        raise WriteBackError(f"weights must name exactly blue and green, got {sorted(weights)}")
    clean = {c: int(weights[c]) for c in COLORS}
    if any(not 0 <= w <= 100 for w in clean.values()) or sum(clean.values()) != 100:
        raise WriteBackError(f"weights {clean} must be integers 0..100 summing to 100")
    return clean


def update_blue_green(
    text: str,
    *,
    service: str,
    active_color: str,
    weights: Mapping[str, int],
    namespace: str = DEFAULT_NAMESPACE,
    source: str = "<stack file>",
    idle_desired_count: int | None = None,
) -> str:
    """Return ``text`` (a stack file) with ``<namespace>:blueGreen.<service>`` set to the live state.

    Only ``activeColor`` and ``weights`` change (and, with ``idle_desired_count``, the idle colour's
    ``desiredCount``); a missing ``config``, ``blueGreen`` or service entry is created. Existing
    ``weights`` keep their style (flow ``{blue: 0, green: 100}`` or block).
    """
    if active_color not in COLORS:
        raise WriteBackError(f"active colour {active_color!r} must be blue or green")
    clean = _check_weights(weights)
    yaml = _yaml()
    data = yaml.load(text) if text.strip() else None
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise WriteBackError(f"{source}: the top level must be a mapping with a 'config' key")
    config = data.get("config")
    if config is None:
        config = data["config"] = CommentedMap()
    if not isinstance(config, CommentedMap):
        raise WriteBackError(f"{source}: 'config' must be a mapping of '<namespace>:<key>' to values")
    key = f"{namespace}:blueGreen"
    section = config.get(key)
    if section is None:
        section = config[key] = CommentedMap()
    if not isinstance(section, CommentedMap):
        raise WriteBackError(f"{source}: {key} must be a mapping of service name to settings, got {section!r}")
    entry = section.get(service)
    if entry is None:
        entry = section[service] = CommentedMap()
    if not isinstance(entry, CommentedMap):
        raise WriteBackError(f"{source}: {key}.{service} must be a mapping, got {entry!r}")

    entry["activeColor"] = active_color
    current = entry.get("weights")
    if isinstance(current, CommentedMap):
        for color in COLORS:
            current[color] = clean[color]
        for extra in [k for k in current if k not in COLORS]:
            del current[extra]
    else:
        entry["weights"] = _flow_map(clean)
    if idle_desired_count is not None:
        if clean[active_color] != 100:
            raise WriteBackError(f"{source}: the idle colour can be scaled down only when {active_color} takes 100%")
        idle = next(c for c in COLORS if c != active_color)
        settings = entry.get(idle)
        if not isinstance(settings, CommentedMap):
            settings = entry[idle] = _flow_map({"image": "", "desiredCount": idle_desired_count})
        settings["desiredCount"] = idle_desired_count

    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def write_back(
    path: Path,
    *,
    service: str,
    active_color: str,
    weights: Mapping[str, int],
    namespace: str = DEFAULT_NAMESPACE,
    idle_desired_count: int | None = None,
) -> bool:
    """Update the stack file at ``path`` in place (atomically). Returns True when the file changed."""
    try:
        before = path.read_text()
    except FileNotFoundError as exc:
        raise WriteBackError(
            f"{path}: no such stack file; pass --stack-file PATH or create it with `pulumi stack init`"
        ) from exc
    after = update_blue_green(
        before,
        service=service,
        active_color=active_color,
        weights=weights,
        namespace=namespace,
        source=str(path),
        idle_desired_count=idle_desired_count,
    )
    if after == before:
        return False
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(after)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def read_blue_green(path: Path, namespace: str = DEFAULT_NAMESPACE) -> dict[str, Any]:
    """The ``<namespace>:blueGreen`` mapping of the stack file at ``path`` as plain data (``{}`` if absent)."""
    data = _yaml().load(path.read_text()) or {}
    section = (data.get("config") or {}).get(f"{namespace}:blueGreen") or {}
    return _plain(section)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
