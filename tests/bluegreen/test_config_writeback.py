"""Writing the live state back into Pulumi.<env>.yaml: only activeColor and weights change."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stacks.operations.config_writeback import (
    WriteBackError,
    check_write_back,
    read_blue_green,
    read_region,
    update_blue_green,
    write_back,
)

STACK = """\
# prod: the production stack
config:
  aws:region: us-east-1   # region comment
  streaming-platform:blueGreen:
    catalog:                 # service name
      activeColor: blue      # blue | green
      weights: {blue: 100, green: 0}     # percent
      blue: {image: "", desiredCount: 2}
      green: {image: "", desiredCount: 0} # idle
    accounts:
      activeColor: green
      weights:
        blue: 0
        green: 100
  streaming-platform:database:
    instanceClass: 'db.t4g.micro'
"""


def test_only_the_two_values_change_and_comments_stay() -> None:
    # WHEN catalog is written back as green 100
    after = update_blue_green(STACK, service="catalog", active_color="green", weights={"blue": 0, "green": 100})
    # THEN the text differs from the original only in those two lines
    changed = [(a, b) for a, b in zip(STACK.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [
        ("      activeColor: blue      # blue | green", "      activeColor: green     # blue | green"),
        ("      weights: {blue: 100, green: 0}     # percent", "      weights: {blue: 0, green: 100}     # percent"),
    ]


def test_block_style_weights_keep_their_style() -> None:
    after = update_blue_green(STACK, service="accounts", active_color="blue", weights={"blue": 100, "green": 0})
    assert "      weights:\n        blue: 100\n        green: 0\n" in after


def test_a_missing_section_is_created() -> None:
    after = update_blue_green(
        "config:\n  aws:region: us-east-1\n", service="catalog", active_color="blue", weights={"blue": 50, "green": 50}
    )
    assert after == (
        "config:\n  aws:region: us-east-1\n  streaming-platform:blueGreen:\n    catalog:\n"
        "      activeColor: blue\n      weights: {blue: 50, green: 50}\n"
    )


def test_the_namespace_follows_the_project() -> None:
    after = update_blue_green(
        "config: {}\n",
        service="catalog",
        active_color="blue",
        weights={"blue": 100, "green": 0},
        namespace="other-project",
    )
    assert "other-project:blueGreen:" in after


@pytest.mark.parametrize(
    ("weights", "color", "message"),
    [
        ({"blue": 60, "green": 30}, "blue", "summing to 100"),
        ({"blue": 100}, "blue", "exactly blue and green"),
        ({"blue": 100, "green": 0}, "red", "must be blue or green"),
    ],
)
def test_bad_values_are_refused(weights: dict[str, int], color: str, message: str) -> None:
    with pytest.raises(WriteBackError, match=message):
        update_blue_green(STACK, service="catalog", active_color=color, weights=weights)


def test_write_back_replaces_the_file_and_reports_a_change(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(STACK)
    assert write_back(path, service="catalog", active_color="green", weights={"blue": 0, "green": 100}) is True
    assert write_back(path, service="catalog", active_color="green", weights={"blue": 0, "green": 100}) is False
    assert read_blue_green(path)["catalog"]["weights"] == {"blue": 0, "green": 100}
    assert read_blue_green(path)["accounts"]["activeColor"] == "green"
    assert [p.name for p in tmp_path.iterdir()] == ["Pulumi.prod.yaml"]  # no temporary file left


def test_a_missing_stack_file_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(WriteBackError, match="pass --stack-file PATH"):
        write_back(
            tmp_path / "Pulumi.nope.yaml", service="catalog", active_color="blue", weights={"blue": 100, "green": 0}
        )


@given(green=st.integers(min_value=0, max_value=100))
def test_any_valid_weights_round_trip(green: int) -> None:
    import io

    from ruamel.yaml import YAML

    after = update_blue_green(
        STACK,
        service="catalog",
        active_color="green" if green == 100 else "blue",
        weights={"blue": 100 - green, "green": green},
    )
    data = YAML(typ="safe").load(io.StringIO(after))
    assert data["config"]["streaming-platform:blueGreen"]["catalog"]["weights"] == {"blue": 100 - green, "green": green}
    assert data["config"]["streaming-platform:database"] == {"instanceClass": "db.t4g.micro"}


def test_scaling_the_idle_colour_to_zero_changes_only_its_desired_count() -> None:
    # WHEN catalog is written back as green 100 with the idle colour scaled to zero
    after = update_blue_green(
        STACK, service="catalog", active_color="green", weights={"blue": 0, "green": 100}, idle_desired_count=0
    )
    # THEN blue's desiredCount drops to 0 and everything else but the switch's two values stays
    changed = [(a, b) for a, b in zip(STACK.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [
        ("      activeColor: blue      # blue | green", "      activeColor: green     # blue | green"),
        ("      weights: {blue: 100, green: 0}     # percent", "      weights: {blue: 0, green: 100}     # percent"),
        ('      blue: {image: "", desiredCount: 2}', '      blue: {image: "", desiredCount: 0}'),
    ]


def test_the_idle_colour_is_not_scaled_down_while_it_still_takes_traffic() -> None:
    with pytest.raises(WriteBackError, match="only when green takes 100%"):
        update_blue_green(
            STACK, service="catalog", active_color="green", weights={"blue": 50, "green": 50}, idle_desired_count=0
        )


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(text)
    return path


def test_a_usable_stack_file_passes_the_check(tmp_path: Path) -> None:
    check_write_back(_file(tmp_path, STACK), service="catalog")
    check_write_back(_file(tmp_path, STACK), service="accounts")


@pytest.mark.parametrize(
    ("text", "service", "message"),
    [
        (STACK, "search", "has no streaming-platform:blueGreen.search entry to write the weights back to"),
        ("config:\n  aws:region: us-east-1\n", "catalog", "has no streaming-platform:blueGreen.catalog entry"),
        ("", "catalog", "has no streaming-platform:blueGreen.catalog entry"),
        ("config:\n  a:b: 1\n  a:b: 2\n", "catalog", "not valid YAML (line 3)"),
        ("config:\n\t- tab\n", "catalog", "not valid YAML (line 2)"),
    ],
    ids=["other-service", "no-section", "empty", "duplicate-key", "tab"],
)
def test_an_unusable_stack_file_is_refused_naming_the_file(
    tmp_path: Path, text: str, service: str, message: str
) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(WriteBackError) as caught:
        check_write_back(path, service=service)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)


def test_the_check_refuses_a_missing_file_and_a_directory(tmp_path: Path) -> None:
    with pytest.raises(WriteBackError, match=r"Pulumi.nope.yaml: no such stack file; pass --stack-file PATH"):
        check_write_back(tmp_path / "Pulumi.nope.yaml", service="catalog")
    (tmp_path / "Pulumi.dir.yaml").mkdir()
    with pytest.raises(WriteBackError, match=r"Pulumi.dir.yaml: is not a regular file"):
        check_write_back(tmp_path / "Pulumi.dir.yaml", service="catalog")


def test_the_region_is_read_from_the_stack_file(tmp_path: Path) -> None:
    assert read_region(_file(tmp_path, STACK)) == "us-east-1"
    assert read_region(_file(tmp_path, "config:\n  streaming-platform:x: 1\n")) is None
    assert read_region(tmp_path / "absent.yaml") is None
    with pytest.raises(WriteBackError, match=r"aws:region = 5 is not a region name such as us-east-1"):
        read_region(_file(tmp_path, "config:\n  aws:region: 5\n"))
