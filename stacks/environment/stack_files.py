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

from stacks.environment.regions import DEFAULT_REGION, region_problem

#: What an undecryptable ``secure:`` value becomes offline.
OFFLINE_SECRET_PLACEHOLDER = "offline-plan-placeholder-secret"  # noqa: S105 (not a secret)

#: The top-level keys the Pulumi CLI reads in a stack file (``pkg/workspace/project.go``, ProjectStack).
STACK_FILE_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a mapping naming a key twice is an error (not last-wins)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice (first on line {seen[key]}); YAML would silently keep only the "
                    "last one, so remove one of them",
                    key_node.start_mark,
                )
            seen.setdefault(key, line)
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: Path) -> Any:
    """``path`` parsed as YAML with unique keys, or `StackFileError` naming the file, the line and the fix."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise StackFileError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark, context = exc.problem_mark or exc.context_mark, exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = str(exc.problem or exc.context)
        if exc.context and context is not None and exc.problem:
            problem += f" ({exc.context} at line {context.line + 1}, column {context.column + 1})"
        hint = "; indent with spaces, YAML does not allow tabs" if "'\\t'" in problem else ""
        raise StackFileError(f"{path.name}{where}: not valid YAML: {problem}{hint}") from None
    except yaml.YAMLError as exc:
        raise StackFileError(f"{path.name}: not valid YAML: {exc}") from None


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
    warnings: tuple[str, ...] = ()
    """What the file does that is probably not meant (printed, not refused): e.g. no aws:region."""

    @property
    def region(self) -> str:
        return self.config.get("aws:region", DEFAULT_REGION)


def project_name(root: Path) -> str:
    path = root / "Pulumi.yaml"
    if not path.is_file():
        raise StackFileError(f"{path}: not found; run from a checkout of the project")
    data = load_yaml(path)
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
    raw = load_yaml(path) or {}
    if not isinstance(raw, dict):
        raise StackFileError(f"{path.name}: the top level must be a mapping with a 'config' key")
    warnings: list[str] = []
    ignored = [str(k) for k in raw if k not in STACK_FILE_KEYS]
    if ignored:
        warnings.append(
            f"{path.name}: top-level key(s) {', '.join(ignored)} ignored: Pulumi reads only "
            f"{', '.join(STACK_FILE_KEYS)}; put settings under 'config:' as '{project}:<key>'"
        )
    if not raw.get("config"):
        warnings.append(
            f"{path.name}: no config values; the '{env}' stack plans with its profile's defaults only "
            f"(set {project}:profile and aws:region under 'config:')"
        )
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
        secret_at = _secure_path(value)
        if key.startswith(f"{project}:") and secret_at is not None:
            shown = key + (f".{secret_at}" if secret_at else "")
            raise StackFileError(
                f"{path.name}: {shown} is a Pulumi secret (secure:), but no {project} setting is secret "
                "(the platform generates its own secrets and keeps them in Secrets Manager); set it in plain "
                f"text: `pulumi config set {key} <value>` without --secret"
            )
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[key] = OFFLINE_SECRET_PLACEHOLDER
            secret_keys.add(key)
        elif isinstance(value, str):
            config[key] = value
        else:
            config[key] = json.dumps(value)
    region = config.get("aws:region")
    problem = region_problem(region) if region is not None else None
    if problem:
        raise StackFileError(f"{path.name}: aws:region = {json.dumps(region)}: {problem}")
    return StackFile(path, project, env, config, frozenset(secret_keys), raw, tuple(warnings))


def _secure_path(value: Any, at: str = "") -> str | None:
    """The dotted path of the first ``{secure: …}`` in ``value`` ("" for the value itself), or None."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return at
        for k, v in value.items():
            found = _secure_path(v, f"{at}.{k}" if at else str(k))
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _secure_path(v, f"{at}[{i}]")
            if found is not None:
                return found
    return None
