"""The docs stay true: every component argument documented with the default the code has, and the
generated tables in the README and component pages up to date."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import pytest

import components
from stacks.devtools.docgen import _agrees, documented_targets, problems, stale_pages


def _args_classes() -> list[type]:
    found = []
    for module in pkgutil.iter_modules(components.__path__):
        if module.name.startswith("_"):
            continue
        mod = importlib.import_module(f"components.{module.name}")
        found += [
            obj
            for name, obj in vars(mod).items()
            if isinstance(obj, type)
            and dataclasses.is_dataclass(obj)
            and obj.__module__ == mod.__name__
            and not name.startswith("_")
        ]
    return found


@pytest.mark.parametrize("cls", _args_classes(), ids=lambda c: c.__name__)
def test_every_argument_has_a_docstring_whose_default_matches_the_code(cls: type) -> None:
    assert problems(cls) == []


def test_every_components_args_class_has_a_generated_table_in_the_docs() -> None:
    documented = {target for _, kind, target in documented_targets() if kind == "args"}
    missing = [
        f"{c.__module__}.{c.__name__}"
        for c in _args_classes()
        if c.__name__.endswith("Args") and f"{c.__module__}.{c.__name__}" not in documented
    ]

    assert missing == []


def test_the_generated_tables_are_up_to_date() -> None:
    assert stale_pages() == [], "run `python -m stacks docs`"


@pytest.mark.parametrize(
    ("default", "text", "agrees"),
    [
        (90, "90.", True),
        (90, "30.", False),
        (60.0, "60.", True),
        (True, "True.", True),
        (True, "False.", False),
        ("t4g.nano", '"t4g.nano".', True),
        ("t4g.nano", '"t4g.micro".', False),
        ((), "() (none).", True),
        (None, "2 (when `availability_zones` is not given).", True),
        (None, "2", False),
    ],
)
def test_the_default_check_catches_a_disagreement(default: object, text: str, agrees: bool) -> None:
    assert _agrees(default, text) is agrees
