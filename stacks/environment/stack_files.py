"""Reading ``Pulumi.yaml`` and ``Pulumi.<env>.yaml`` the way the Pulumi engine does.

The engine passes every config value to the program as a string (structured values as JSON) keyed
``<namespace>:<key>``; ``secure:`` values arrive decrypted and marked secret. Offline there is no
key to decrypt them, so they arrive as a placeholder and stay marked secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: What an undecryptable ``secure:`` value becomes offline.
OFFLINE_SECRET_PLACEHOLDER = "offline-plan-placeholder-secret"  # noqa: S105 (not a secret)


def project_root(start: Path | None = None) -> Path:
    """The project the CLI works on, found as the Pulumi CLI finds it: the nearest directory,
    from ``start`` (default: the current directory) upwards, that holds a ``Pulumi.yaml``.

    Nothing is inferred from where this package is installed: run the CLI in your project's
    directory, or pass ``--cwd DIR``. Raises `StackFileError` when no directory qualifies.
    """
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    raise StackFileError(
        f"{here}: no Pulumi.yaml here or in any parent directory; run the command in your Pulumi project's "
        "directory (the one holding Pulumi.yaml and Pulumi.<env>.yaml), or pass --cwd DIR"
    )


class StackFileError(ValueError):
    """A ``Pulumi.yaml`` or ``Pulumi.<env>.yaml`` that cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class StackFile:
    """The config of one stack, as the engine would hand it to the program."""

    path: Path
    project: str
    env: str
    config: dict[str, str]
    secret_keys: frozenset[str]
    raw: dict[str, Any]

    @property
    def region(self) -> str:
        return self.config.get("aws:region", "us-east-1")


def project_name(root: Path) -> str:
    path = root / "Pulumi.yaml"
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError as exc:
        raise StackFileError(f"{path}: not found; run from a checkout of the project") from exc
    except yaml.YAMLError as exc:
        raise StackFileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise StackFileError(f"{path}: key 'name' must be the project's name")
    return str(data["name"])


def program_directory(root: Path) -> Path:
    """The working directory the Pulumi engine runs the program (and its providers) in.

    The engine's rule (``getPwdMain`` in ``pkg/engine/project.go``): the project directory when
    ``Pulumi.yaml`` has no ``main``; the ``main`` directory itself when ``main`` names a directory
    (this project's ``main: platform/``); the directory holding the file when it names a file.
    Relative paths in resource inputs (build contexts, file assets) are resolved from here.
    """
    path = root / "Pulumi.yaml"
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (FileNotFoundError, yaml.YAMLError):
        data = {}
    main = data.get("main") if isinstance(data, dict) else None
    if not isinstance(main, str) or not main:
        return root
    target = (root / main).resolve()
    if not target.exists():
        raise StackFileError(f"{path}: main {main!r} does not exist; point it at the program's directory or file")
    return target if target.is_dir() else target.parent


def stack_path(env: str, root: Path) -> Path:
    return root / f"Pulumi.{env}.yaml"


def available_envs(root: Path) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def read_stack_file(env: str, root: Path | None = None) -> StackFile:
    """Load ``Pulumi.<env>.yaml`` into engine-shaped config, or raise `StackFileError`."""
    root = root or project_root()
    project = project_name(root)
    path = stack_path(env, root)
    if not path.is_file():
        envs = ", ".join(available_envs(root)) or "none"
        raise StackFileError(
            f"{path.name}: no such stack file; environments with a stack file: {envs} "
            f"(create it with `pulumi stack init {env}` or copy Pulumi.dev.yaml)"
        )
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise StackFileError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise StackFileError(f"{path.name}: the top level must be a mapping with a 'config' key")
    section = raw.get("config", {}) or {}
    if not isinstance(section, dict):
        raise StackFileError(f"{path.name}: 'config' must be a mapping of '<namespace>:<key>' to values")
    config: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, value in section.items():
        if not isinstance(key, str) or ":" not in key:
            raise StackFileError(
                f"{path.name}: config key {key!r} has no namespace; write it as '{project}:{key}' "
                f"(or 'aws:{key}' for the AWS provider)"
            )
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[key] = OFFLINE_SECRET_PLACEHOLDER
            secret_keys.add(key)
        elif isinstance(value, str):
            config[key] = value
        else:
            config[key] = json.dumps(value)
    return StackFile(path, project, env, config, frozenset(secret_keys), raw)
