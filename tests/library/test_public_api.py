"""The library's public surface: what other teams import, and only from public modules."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
import yaml

import components
from components.base import Component
from tests.paths import REPO_ROOT

PUBLIC_MODULES = sorted(m.name for m in pkgutil.iter_modules(components.__path__) if not m.name.startswith("_"))


def _component_classes() -> list[type[Component]]:
    return [obj for obj in vars(components).values() if isinstance(obj, type) and issubclass(obj, Component)]


def test_every_component_and_its_args_import_from_the_package() -> None:
    # GIVEN `from components import …` WHEN a team imports a component THEN it and its Args are there
    classes = {cls.__name__ for cls in _component_classes()} - {"Component"}
    assert classes == {
        "BlueGreen", "Cache", "Cdn", "Cluster", "ContainerImage", "EnvironmentKey", "FargateService", "LoadBalancer", "Postgres",
        "Vpc", "WebAcl",
    }  # fmt: skip
    for name in classes:
        args = getattr(components, f"{name}Args")
        assert dataclasses.is_dataclass(args) and args.__dataclass_params__.frozen, name  # type: ignore[attr-defined]
    assert components.ComponentArgsError.__module__ == "components.errors"
    assert set(components.__all__) <= set(dir(components))


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_public_module_declares_what_it_exports(module: str) -> None:
    mod = importlib.import_module(f"components.{module}")
    exported = getattr(mod, "__all__", None)
    assert isinstance(exported, list) and exported, f"components.{module} has no __all__"
    assert [n for n in exported if not hasattr(mod, n)] == []


def test_every_component_has_its_type_token_from_the_base() -> None:
    for cls in _component_classes():
        if cls is Component:
            continue
        assert cls.type_token() == f"streaming:index:{cls.__name__}"
        source = Path(importlib.import_module(cls.__module__).__file__ or "").read_text()
        assert "streaming:index:" not in source, f"{cls.__module__} spells its type token itself"


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and n.level == 0]
    return found + [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]


def test_no_other_package_imports_a_private_module_of_another_package() -> None:
    # GIVEN every first-party module outside the tests
    offenders = []
    for top in ("components", "insight", "policies", "stacks", "apps", "platform", "examples"):
        for path in sorted((REPO_ROOT / top).rglob("*.py")):
            for name in _imports(path):
                parts = name.split(".")
                owner = parts[0]
                # THEN an underscore module is imported only from inside its own package
                first_party = owner in ("components", "insight", "policies", "stacks", "apps")
                if (
                    first_party
                    and owner != top
                    and any(p.startswith("_") and not p.startswith("__") for p in parts[1:])
                ):
                    offenders.append(f"{path.relative_to(REPO_ROOT)}: {name}")
    assert offenders == []


def test_the_wheel_the_cli_and_the_policy_pack_carry_one_version() -> None:
    pack = yaml.safe_load((REPO_ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert str(pack["version"]) == components.__version__
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text()
    newest = re.search(r"^## (\d+\.\d+\.\d+)", changelog, re.M)
    assert newest and newest[1] == components.__version__
    assert (REPO_ROOT / "components" / "py.typed").is_file()
