"""The cost of a change: ``cost --diff BASE.json``, from the pricing of two plans to the PR comment."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from insight.cost import diff, estimate, render_diff_markdown, render_diff_text
from insight.plan import Plan
from stacks.cli import main
from tests.insight.plans import sample_environment
from tests.paths import REPO_ROOT


def _resized(plan: Plan, cpu: str, memory: str) -> Plan:
    """``plan`` with its task definition resized (the one change a PR makes)."""
    doc: dict[str, Any] = json.loads(plan.to_json())
    (task,) = [r for r in doc["resources"] if r["type"] == "aws:ecs/taskDefinition:TaskDefinition"]
    task["inputs"].update(cpu=cpu, memory=memory)
    return Plan.from_json(json.dumps(doc), source="head")


def _without(plan: Plan, type_token: str) -> Plan:
    doc: dict[str, Any] = json.loads(plan.to_json())
    doc["resources"] = [r for r in doc["resources"] if r["type"] != type_token]
    return Plan.from_json(json.dumps(doc), source="head")


def test_a_resized_task_changes_its_service_line_and_the_total_by_the_same_amount() -> None:
    base = sample_environment()
    head = _resized(base, "512", "1024")
    change = diff(estimate(base), estimate(head))

    (line,) = change.lines
    assert (line.type, line.change) == ("aws:ecs/service:Service", "changed")
    assert line.head > line.base > 0
    assert change.delta == line.delta == pytest.approx(round(line.head, 2) - round(line.base, 2))
    assert change.unchanged == len(estimate(base).items) - 1


def test_added_and_removed_resources_are_listed_and_sorted_by_the_size_of_their_delta() -> None:
    base = sample_environment()
    head = _without(_resized(base, "1024", "2048"), "aws:wafv2/webAcl:WebAcl")
    change = diff(estimate(base), estimate(head))

    kinds = [(line.change, line.type) for line in change.lines]
    assert ("removed", "aws:wafv2/webAcl:WebAcl") in kinds and ("changed", "aws:ecs/service:Service") in kinds
    deltas = [abs(line.delta) for line in change.lines]
    assert deltas == sorted(deltas, reverse=True)
    waf = next(line for line in change.lines if line.change == "removed")
    assert waf.head == 0 and waf.delta == -round(waf.base, 2)
    assert change.delta == pytest.approx(sum(line.delta for line in change.lines), abs=0.011)
    # AND the same plan twice changes nothing
    assert diff(estimate(base), estimate(base)).lines == []


def test_the_text_and_markdown_name_the_resource_its_delta_and_the_total() -> None:
    base = sample_environment()
    change = diff(estimate(base), estimate(_resized(base, "512", "1024")))
    (line,) = change.lines
    delta = f"+${line.delta:,.2f}"
    d = re.escape(delta)

    text = render_diff_text(change)
    assert text.splitlines()[0] == "Monthly cost change of dev (us-east-1, USD, usage: usage-default.yaml)"
    assert re.search(rf"^\s+{d}\s+changed\s+ecs:Service\s+{line.name}\s+\$[\d.]+\s+\$[\d.]+$", text, re.M)
    assert re.search(
        rf"^\s+{d}\s+total per month: \${change.base.total:,.2f} -> \${change.head.total:,.2f} "
        rf"\(1 changed, \d+ unchanged\)$",
        text,
        re.M,
    )
    md = render_diff_markdown(change)
    assert md.startswith(
        f"#### Monthly cost of `dev`: ${change.base.total:,.2f} → ${change.head.total:,.2f} (**{delta}**)"
    )
    assert f"| changed | `{line.name}` | `ecs:Service` |" in md and f"| **{delta}** |" in md


def _project(tmp_path: Path, name: str, extra: str = "") -> Path:
    """A copy of the project whose dev stack file gets ``extra`` appended (a PR's change)."""
    root = tmp_path / name
    (root / "platform").mkdir(parents=True)
    for file in ("Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"):
        (root / file).write_text((REPO_ROOT / file).read_text())
    (root / "Pulumi.dev.yaml").write_text((REPO_ROOT / "Pulumi.dev.yaml").read_text() + extra)
    (root / "platform" / "__main__.py").write_text((REPO_ROOT / "platform" / "__main__.py").read_text())
    return root


def _stacks(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stacks", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=180
    )


def test_cost_diff_of_dev_where_the_accounts_task_grew_prints_its_delta_and_the_total(tmp_path: Path) -> None:
    # GIVEN the base branch's dev plan, and a branch that doubles the accounts service's task size
    base = _project(tmp_path, "base")
    head = _project(tmp_path, "head", "  streaming-platform:services:\n    accounts: {cpu: 512, memory: 1024}\n")
    planned = _stacks("-C", str(base), "plan", "dev", "--json", str(tmp_path / "base.json"), "--quiet")
    assert planned.returncode == 0, planned.stderr

    # WHEN the PR's cost step runs
    result = _stacks("-C", str(head), "cost", "dev", "--diff", str(tmp_path / "base.json"))

    # THEN it prints the accounts service's delta (0.25 vCPU + 0.5 GB more on Fargate Spot) and the total
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = [line for line in out.splitlines() if "ecs:Service" in line]
    assert len(lines) == 1 and "streaming-accounts" in lines[0] and lines[0].split()[1] == "changed"
    # dev's services sleep outside 07:00-20:00 on weekdays: 65 of 168 hours a week
    spot = 730 * 65 / 168 * (0.25 * 0.04048 + 0.5 * 0.004445) * (1 - 0.7)
    delta = float(lines[0].split()[0].replace("+$", ""))
    assert delta == pytest.approx(spot, abs=0.02)
    total = re.search(r"^\s+\+\$([\d.]+)\s+total per month: \$([\d.]+) -> \$([\d.]+) \(", out, re.M)
    assert total, out
    assert float(total.group(1)) == pytest.approx(float(total.group(3)) - float(total.group(2)), abs=0.001)
    assert float(total.group(1)) == pytest.approx(delta, abs=0.011)
    assert re.search(r"^Prices: bundled table, oldest row for us-east-1 from ", out, re.M)


def test_a_base_plan_of_another_environment_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "base.json"
    base.write_text(sample_environment("prod").to_json())
    head = tmp_path / "head.json"
    head.write_text(sample_environment("dev").to_json())
    assert main(["cost", "--plan", str(head), "--diff", str(base)]) == 2
    err = capsys.readouterr().err
    assert "the base plan is of stack 'prod', the current one of 'dev'; plan the same environment" in err


def test_a_missing_base_plan_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = tmp_path / "head.json"
    head.write_text(sample_environment().to_json())
    assert main(["cost", "--plan", str(head), "--diff", str(tmp_path / "nope.json")]) == 2
    assert "nope.json: cannot read the plan document" in capsys.readouterr().err
