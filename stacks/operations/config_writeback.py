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
from ruamel.yaml.error import YAMLError

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


def check_write_back(path: Path, *, service: str, namespace: str = DEFAULT_NAMESPACE) -> None:
    """Raise `WriteBackError` unless ``path`` can take a write-back of ``service``: it exists, is a
    regular file, the file and its directory are writable (the atomic replace writes a temporary
    file beside it), it parses as YAML, and it holds ``<namespace>:blueGreen.<service>``.

    The switch calls this before it moves any traffic (and in ``--dry-run``), so a switch never
    moves traffic that it then cannot record."""
    fix = "pass --stack-file PATH (the stack's Pulumi.<env>.yaml) or --no-write-back"
    if not path.exists():
        raise WriteBackError(f"{path}: no such stack file; {fix}")
    if not path.is_file():
        raise WriteBackError(f"{path}: is not a regular file; {fix}")
    if not os.access(path, os.R_OK | os.W_OK):
        raise WriteBackError(f"{path}: is not readable and writable by this user; fix its permissions or {fix}")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise WriteBackError(
            f"{path}: its directory {path.parent} is not writable (the file is replaced atomically through a "
            f"temporary file beside it); fix the directory's permissions or {fix}"
        )
    data = _load(path)
    config = data.get("config") if isinstance(data, Mapping) else None
    section = config.get(f"{namespace}:blueGreen") if isinstance(config, Mapping) else None
    entry = section.get(service) if isinstance(section, Mapping) else None
    if not isinstance(entry, Mapping):
        raise WriteBackError(
            f"{path}: has no {namespace}:blueGreen.{service} entry to write the weights back to; "
            f"add one (see docs/blue_green.md) or pass the stack file of the environment that runs {service} "
            "blue-green"
        )


def read_region(path: Path) -> str | None:
    """The ``aws:region`` of the stack file at ``path`` (None when the file or the key is absent)."""
    if not path.is_file():
        return None
    data = _load(path)
    config = data.get("config") if isinstance(data, Mapping) else None
    region = config.get("aws:region") if isinstance(config, Mapping) else None
    if region is None:
        return None
    if not isinstance(region, str) or not region.strip():
        raise WriteBackError(f"{path}: aws:region = {region!r} is not a region name such as us-east-1")
    return region.strip()


def _load(path: Path) -> Any:
    try:
        return _yaml().load(path.read_text())
    except YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise WriteBackError(f"{path}: not valid YAML{line}: {problem}; fix the file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WriteBackError(f"{path}: cannot be read: {exc}") from None


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
