"""``python -m stacks check <env>``: the quick start's main job, end to end, as a user runs it."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.paths import REPO_ROOT


def test_check_prints_the_plan_summary_the_policy_verdict_and_the_monthly_cost() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stacks", "check", "dev"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^Plan of dev: \d+ AWS resources in \d+ components \(.*Vpc\)$", out, re.M)
    assert re.search(r"^  url\s+https://d[0-9a-f]+\.cloudfront\.net$", out, re.M)
    assert re.search(r"^Policy: PASSED, \d+ rules, 0 mandatory violations, \d+ advisory", out, re.M)
    total = re.search(r"^Monthly cost of dev: \$([\d,]+\.\d\d) \(USD, us-east-1, default usage profile\)$", out, re.M)
    assert total and 0 < float(total.group(1).replace(",", "")) <= 85  # dev's budgetMonthlyUsd
    assert re.search(r"^  LoadBalancer 'streaming-lb'\s+\$\s+\d+\.\d\d$", out, re.M)


def test_check_exits_1_when_a_mandatory_policy_fails(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # GIVEN a copy of the project whose dev budget is below its estimate
    for name in ("Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"):
        (tmp_path / name).write_text((REPO_ROOT / name).read_text())
    (tmp_path / "Pulumi.dev.yaml").write_text(
        (REPO_ROOT / "Pulumi.dev.yaml").read_text() + "  streaming-platform:budgetMonthlyUsd: 20\n"
    )
    (tmp_path / "platform").mkdir()
    (tmp_path / "platform" / "__main__.py").write_text((REPO_ROOT / "platform" / "__main__.py").read_text())

    # WHEN the user runs the main job there
    result = subprocess.run(
        [sys.executable, "-m", "stacks", "check", "dev"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )

    # THEN it fails on the budget rule, naming the budget
    assert result.returncode == 1
    assert "cost-monthly-budget" in result.stdout and "exceeds the budget of $20.00/month" in result.stdout
