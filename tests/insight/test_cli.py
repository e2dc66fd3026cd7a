"""The cost, deploy-time and graph commands, end to end through `stacks.cli.main`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import stacks.cli.commands.cost as cost_command
from stacks.cli import main
from stacks.cli.commands.cost import README_TABLE_BEGIN, README_TABLE_END, compare_markdown, markdown_table_drift
from tests.insight.plans import sample_environment, single
from tests.paths import REPO_ROOT

PROFILES = {
    "dev": {},
    "staging": {"azs": 2, "nat": "gateway", "tasks": 1.0, "spot": False},
    "prod": {"azs": 3, "nat": "gateway", "multi_az": True, "tasks": 2.0, "spot": False, "cache_nodes": 2},
}


@pytest.fixture
def fake_envs(monkeypatch: pytest.MonkeyPatch) -> None:
    """`build_plan(env)` returns the sample environment shaped like each profile."""
    monkeypatch.setattr(cost_command, "build_plan", lambda env: sample_environment(env, **PROFILES[env]))  # type: ignore[arg-type]


def write_plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(sample_environment().to_json())
    return path


def test_cost_json_of_a_plan_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--plan", str(write_plan(tmp_path)), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["env"], doc["currency"], doc["unpriced"]) == ("dev", "USD", [])
    assert len(doc["resources"]) == 19


def test_cost_text_lists_resources_by_cost(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--plan", str(write_plan(tmp_path))]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Monthly cost of dev (us-east-1, USD, usage: usage-default.yaml)"
    assert lines[3].split()[:3] == ["$24.02", "lb:LoadBalancer", "web-alb"]


def test_a_bad_usage_file_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usage = tmp_path / "u.yaml"
    usage.write_text("nope: 1\n")
    assert main(["cost", "--plan", str(write_plan(tmp_path)), "--usage", str(usage)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {usage}: unknown key 'nope'")


def test_a_missing_plan_file_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--plan", str(tmp_path / "missing.json")]) == 2
    assert "cannot read the plan document" in capsys.readouterr().err


def test_compare_prints_three_columns(fake_envs: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--compare"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.split()[-3:] == ["dev", "staging", "prod"]


def test_compare_markdown_is_the_readme_table(fake_envs: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--compare", "--markdown"]) == 0
    assert capsys.readouterr().out == compare_markdown()


def test_a_markdown_table_that_matches_the_command_is_not_drift(fake_envs: None) -> None:
    readme = f"# Title\n\n{README_TABLE_BEGIN}\n{compare_markdown()}{README_TABLE_END}\n"
    assert markdown_table_drift(readme) is None


def test_a_markdown_table_with_an_old_figure_is_drift(fake_envs: None) -> None:
    table = compare_markdown().replace("**Total**", "**Total (old)**")
    message = markdown_table_drift(f"{README_TABLE_BEGIN}\n{table}{README_TABLE_END}")
    assert message is not None and message.startswith("the cost table differs")


def test_the_readme_cost_table_matches_the_command() -> None:
    # The README carries the table between the markers (the lead adds them); until then, skip.
    readme = REPO_ROOT / "README.md"
    text = readme.read_text() if readme.exists() else ""
    if README_TABLE_BEGIN not in text:
        pytest.skip("README.md has no cost table markers yet")
    assert markdown_table_drift(text) is None


def test_deploy_time_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deploy-time", "--plan", str(write_plan(tmp_path)), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["seconds"] == 372
    assert [s["urn"].rsplit("::", 1)[1] for s in doc["critical_path"]] == [
        "net-vpc",
        "net-isolated-1",
        "cache-subnets",
        "cache-group",
    ]


def test_graph_mermaid_to_stdout_and_dot_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = write_plan(tmp_path)
    assert main(["graph", "--plan", str(plan), "--format", "mermaid"]) == 0
    assert capsys.readouterr().out.startswith("flowchart LR\n")
    out = tmp_path / "arch.dot"
    assert main(["graph", "--plan", str(plan), "--format", "dot", "-o", str(out)]) == 0
    assert out.read_text().startswith("digraph architecture {")


def test_an_env_or_a_plan_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost"]) == 2
    assert "name an environment" in capsys.readouterr().err


def test_an_unpriced_plan_file_lists_the_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_text(single("aws:dynamodb/table:Table").to_json())
    assert main(["cost", "--plan", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unpriced"][0]["type"] == "aws:dynamodb/table:Table"


def test_cost_region_prices_the_same_plan_elsewhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = write_plan(tmp_path)
    assert main(["cost", "--plan", str(plan), "--json"]) == 0
    home = json.loads(capsys.readouterr().out)
    assert main(["cost", "--plan", str(plan), "--json", "--region", "sa-east-1"]) == 0
    captured = capsys.readouterr()
    away = json.loads(captured.out)
    assert (home["region"], away["region"]) == ("us-east-1", "sa-east-1")
    assert away["total"] > home["total"] and [r["urn"] for r in away["resources"]] == [
        r["urn"] for r in home["resources"]
    ]
    # AND with JSON on stdout, the table's age goes to stderr
    assert captured.err.startswith("Prices: bundled table, oldest row for sa-east-1 from 2026-")


def test_cost_compare_puts_regions_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = write_plan(tmp_path)
    assert (
        main(
            ["cost", "--plan", str(plan), "--compare", "--region", "us-east-1,ap-southeast-2", "--region", "sa-east-1"]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Monthly,", "USD", "us-east-1", "ap-southeast-2", "sa-east-1"]
    total = next(line for line in lines if line.startswith("Total")).split()[1:]
    us, sydney, sao_paulo = (float(v.strip("$").replace(",", "")) for v in total)
    assert us < sydney < sao_paulo
    vs = next(line for line in lines if line.startswith("vs us-east-1")).split()[2:]
    assert vs[0] == "+0.0%" and float(vs[2].rstrip("%")) == pytest.approx((sao_paulo / us - 1) * 100, abs=0.06)
    assert lines[-1].startswith("Prices: bundled table, oldest row for ")


def test_cost_compare_every_region(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--plan", str(write_plan(tmp_path)), "--compare", "--region", "all", "--markdown"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.count("|") - 2 >= 30 and "| af-south-1 |" in header and header.endswith("| us-west-2 |")


def test_cost_compare_of_the_environments_in_another_region(
    fake_envs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cost", "--compare", "--region", "sa-east-1"]) == 0
    away = capsys.readouterr().out
    assert main(["cost", "--compare"]) == 0
    home = capsys.readouterr().out

    def totals(text: str) -> list[float]:
        row = next(line for line in text.splitlines() if line.startswith("Total"))
        return [float(v.strip("$").replace(",", "")) for v in row.split()[1:]]

    assert all(a > h for a, h in zip(totals(away), totals(home), strict=True))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "mars-north-1"], "--region mars-north-1: no bundled prices for that region; use one of the"),
        (["--region", "us-east-1,sa-east-1"], "--region: 2 regions given; price several side by side with --compare"),
        (["--compare", "--region", "sa-east-1"], "--compare with ENV or --plan puts regions side by side: give two"),
        (["--markdown"], "--markdown goes with --compare or --diff"),
    ],
)
def test_bad_region_options_are_user_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["cost", "--plan", str(write_plan(tmp_path)), *args]) == 2
    assert capsys.readouterr().err.startswith(f"error: {message}")
