"""README tables generated from the components' own docstrings, and the check that keeps them true.

Every field of a component's args dataclass carries a docstring ending in ``Default: …``; every
output attribute of a component class carries one too. This module reads them (the docstrings
with `ast`, the defaults from the live dataclass), renders Markdown tables, and writes them into
``docs/components/*.md`` between markers::

    <!-- BEGIN GENERATED: args components.vpc.VpcArgs -->
    <!-- END GENERATED -->
    <!-- BEGIN GENERATED: outputs components.vpc.Vpc -->
    <!-- END GENERATED -->

`problems` lists every field without a docstring and every ``Default:`` that disagrees with the
code; a test fails on any. Other markers hold the config table (``config``), a plan's architecture
diagram (``architecture <env>``) and the map of the code's layers drawn from its actual imports
(``layers code``, in docs/architecture.md).
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stacks.environment.stack_files import project_root

_MARKER = re.compile(
    r"(<!-- BEGIN GENERATED: (?P<kind>args|outputs|config|architecture|layers) (?P<target>[\w.]+) -->\n)(?P<body>.*?)"
    r"(<!-- END GENERATED -->)",
    re.DOTALL,
)
_MISSING = object()


@dataclass(frozen=True)
class Documented:
    name: str
    annotation: str
    doc: str
    default: Any = _MISSING


def _class_node(cls: type) -> ast.ClassDef:
    source = inspect.getsource(inspect.getmodule(cls))  # type: ignore[arg-type]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            return node
    raise LookupError(f"{cls.__qualname__}: class not found in its module's source")


def _attribute_docs(cls: type) -> Iterator[tuple[str, str, str]]:
    """(name, annotation, docstring) for each annotated class attribute, in source order."""
    body = _class_node(cls).body
    for i, node in enumerate(body):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            doc = ""
            following = body[i + 1] if i + 1 < len(body) else None
            if (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                doc = inspect.cleandoc(following.value.value)
            yield node.target.id, ast.unparse(node.annotation), doc


def args_fields(cls: type) -> list[Documented]:
    """Every field of an args dataclass with its docstring and its live default."""
    defaults: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            defaults[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            defaults[f.name] = f.default_factory()
    names = {f.name for f in dataclasses.fields(cls)}
    return [Documented(n, a, d, defaults.get(n, _MISSING)) for n, a, d in _attribute_docs(cls) if n in names]


def output_attributes(cls: type) -> list[Documented]:
    return [Documented(n, a, d) for n, a, d in _attribute_docs(cls)]


def _default_text(doc: str) -> str | None:
    match = re.search(r"Default:\s*(.+?)\s*$", doc, re.DOTALL)
    return match.group(1) if match else None


def _agrees(default: Any, text: str) -> bool:
    """Whether the ``Default:`` prose ``text`` states the code's ``default``."""
    low = text.lower().strip("`. ")
    if default is None:
        # None means "resolved later": any prose saying how passes, but not a bare literal.
        return re.fullmatch(r"[\d.]+|true|false", low) is None
    if isinstance(default, bool):
        return str(default).lower() in low
    if isinstance(default, enum.Enum):
        return str(default.value).lower() in low or default.name.lower() in low
    if isinstance(default, int | float):
        numbers = [
            float(n.replace(",", "").replace("_", "")) for n in re.findall(r"(?<![\w.])\d[\d,_]*(?:\.\d+)?", text)
        ]
        return float(default) in numbers
    if isinstance(default, str):
        if len(default) > 80:  # a long constant (a policy, a document) is described, not quoted
            return True
        return default.lower() in low or (default == "" and ("empty" in low or '""' in low))
    if isinstance(default, dict | list | tuple | set | frozenset):
        if not default:
            return any(w in low for w in ("{}", "[]", "()", "empty", "none", "no "))
        values = default.values() if isinstance(default, dict) else default
        return all(_agrees(v, text) for v in values)
    if dataclasses.is_dataclass(default):
        return True  # a nested args object: its own fields carry their defaults
    return repr(default).lower() in low


def problems(cls: type) -> list[str]:
    """Fields of ``cls`` without a docstring, without ``Default:``, or whose ``Default:`` disagrees."""
    found = []
    documented = {f.name for f in args_fields(cls)}
    for f in dataclasses.fields(cls):
        if f.name not in documented:
            found.append(f"{cls.__name__}.{f.name}: no docstring")
    for field in args_fields(cls):
        where = f"{cls.__name__}.{field.name}"
        if not field.doc:
            found.append(f"{where}: no docstring")
            continue
        text = _default_text(field.doc)
        if text is None:
            found.append(f"{where}: docstring does not end in 'Default: …' ('Default: required' when there is none)")
        elif field.default is _MISSING:
            continue
        elif not _agrees(field.default, text):
            found.append(f"{where}: docstring says 'Default: {text}' but the code's default is {field.default!r}")
    return found


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_args(cls: type) -> str:
    rows = ["| Argument | Type | Default | Description |", "| --- | --- | --- | --- |"]
    for f in args_fields(cls):
        doc = re.sub(r"\s*Default:.*$", "", f.doc, flags=re.DOTALL)
        default = "required" if f.default is _MISSING else (_default_text(f.doc) or repr(f.default)).rstrip(".")
        rows.append(f"| `{f.name}` | `{_cell(f.annotation)}` | {_cell(default)} | {_cell(doc)} |")
    return "\n".join(rows) + "\n"


def render_outputs(cls: type) -> str:
    rows = ["| Output | Type | Description |", "| --- | --- | --- |"]
    for f in output_attributes(cls):
        rows.append(f"| `{f.name}` | `{_cell(f.annotation)}` | {_cell(f.doc)} |")
    return "\n".join(rows) + "\n"


def config_table() -> str:
    """Every key of ``Pulumi.<env>.yaml`` with its default in each profile (README)."""
    from pydantic import BaseModel
    from pydantic.alias_generators import to_camel

    from stacks.environment.config import NAMESPACE, PlatformConfig
    from stacks.environment.profiles import PROFILES, lookup

    envs = list(PROFILES)
    rows = [f"| Key | {' | '.join(envs)} | Description |", f"| --- |{' --- |' * len(envs)} --- |"]

    def shown(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, list | dict):
            return "`" + (json.dumps(value) if value else ("[]" if isinstance(value, list) else "{}")) + "`"
        return f"`{value}`"

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            key = f"{prefix}{to_camel(name)}"
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation is not None:
                walk(annotation, f"{key}.")
                continue
            if key == "profile":
                values = [shown(env) for env in envs]
            else:
                values = [shown(lookup(PROFILES[env].defaults, key)) for env in envs]
            rows.append(f"| `{NAMESPACE}:{key}` | {' | '.join(values)} | {_cell(info.description or '')} |")

    walk(PlatformConfig, "")
    return "\n".join(rows) + "\n"


def architecture_diagram(env: str) -> str:
    """The architecture of ``env``'s plan as a Mermaid block (README)."""
    from insight.graph import architecture, architecture_mermaid
    from stacks.offline.plan import build_plan

    return "```mermaid\n" + architecture_mermaid(architecture(build_plan(env))).rstrip("\n") + "\n```\n"


#: The project's first-party packages, and the sub-packages that are layers of their own.
FIRST_PARTY = ("components", "insight", "policies", "stacks", "apps")
_LAYER_PARENTS = {"stacks": None, "policies": ("offline", "rules")}


def _layer_of(module: str) -> str:
    """The layer ``module`` belongs to: a top-level package, or one of stacks' and policies' sub-packages."""
    parts = module.split(".")
    if parts[0] in _LAYER_PARENTS and len(parts) > 1 and not parts[1].startswith("__"):
        allowed = _LAYER_PARENTS[parts[0]]
        if allowed is None or parts[1] in allowed:
            return ".".join(parts[:2])
    return parts[0]


def layer_imports() -> set[tuple[str, str]]:
    """Which layer imports which, read from the code (grimp, the graph import-linter checks)."""
    import grimp

    graph = grimp.build_graph(*FIRST_PARTY)
    edges: set[tuple[str, str]] = set()
    for module in graph.modules:
        source = _layer_of(module)
        for imported in graph.find_modules_directly_imported_by(module):
            target = _layer_of(imported)
            # a package's own __init__/__main__ reaching its sub-packages is not an edge between layers
            if source != target and not target.startswith(f"{source}."):
                edges.add((source, target))
    return edges


def _program_imports(root: Path) -> set[str]:
    """The first-party modules ``platform/__main__.py`` (the program ``pulumi up`` runs) imports."""
    tree = ast.parse((root / "platform" / "__main__.py").read_text())
    found = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    found |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return {_layer_of(m) for m in found if m.split(".")[0] in FIRST_PARTY}


def layers_diagram(root: Path | None = None) -> str:
    """The layers and their imports as a Mermaid flowchart (an arrow: "imports")."""
    root = root or project_root()
    edges = layer_imports() | {("platform", target) for target in _program_imports(root)}
    nodes = sorted({n for edge in edges for n in edge} | set(FIRST_PARTY))

    def ident(node: str) -> str:
        return node.replace(".", "_")

    lines = ["```mermaid", "flowchart TD"]
    groups: dict[str, list[str]] = {}
    for node in nodes:
        groups.setdefault(node.split(".")[0], []).append(node)
    for top, members in sorted(groups.items()):
        subs = [m for m in members if m != top]
        if not subs:
            label = "platform/ (the Pulumi program)" if top == "platform" else f"{top}/"
            lines.append(f'  {ident(top)}["{label}"]')
            continue
        lines.append(f'  subgraph {ident(top)}_layer["{top}/"]')
        lines.extend(f'    {ident(m)}["{m.split(".", 1)[1]}"]' for m in subs)
        lines.append("  end")
    lines.extend(f"  {ident(a)} --> {ident(b)}" for a, b in sorted(edges) if a in nodes and b in nodes)
    lines.append("```")
    return "\n".join(lines) + "\n"


def _resolve(target: str) -> type:
    module, _, name = target.rpartition(".")
    cls: type = getattr(importlib.import_module(module), name)
    return cls


def regenerate(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        kind, target = match["kind"], match["target"]
        if kind == "config":
            body = config_table()
        elif kind == "architecture":
            body = architecture_diagram(target)
        elif kind == "layers":
            body = layers_diagram()
        else:
            cls = _resolve(target)
            body = render_args(cls) if kind == "args" else render_outputs(cls)
        return f"{match.group(1)}{body}{match.group(5)}"

    return _MARKER.sub(replace, text)


def documented_targets(root: Path | None = None) -> list[tuple[Path, str, str]]:
    found = []
    for path in pages(root):
        for match in _MARKER.finditer(path.read_text()):
            found.append((path, match["kind"], match["target"]))
    return found


def pages(root: Path | None = None) -> list[Path]:
    """Every page with generated parts: the README and the Markdown files under ``docs/`` of the
    project at ``root`` (default: the project of the current directory)."""
    root = root or project_root()
    docs = root / "docs"
    return [root / "README.md", *sorted(p for p in docs.rglob("*.md") if _MARKER.search(p.read_text()))]


def stale_pages(root: Path | None = None) -> list[Path]:
    return [p for p in pages(root) if regenerate(p.read_text()) != p.read_text()]


def write_pages(root: Path | None = None) -> list[Path]:
    changed = []
    for path in pages(root):
        text = path.read_text()
        new = regenerate(text)
        if new != text:
            path.write_text(new)
            changed.append(path)
    return changed
