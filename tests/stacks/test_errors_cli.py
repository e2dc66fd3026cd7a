"""Issue 15, the CLI: nothing a user can configure ends in a traceback, and the verdict is the right one.

A table of command lines over small project copies: the exit status, no traceback, and the line
that names the argument or key and the value. Items: 1 (a region without bundled prices), 2 (a
per-developer stack judged by its profile; ``check --config``), 3 (no dependencies installed), 14
(an accepted invariant override relaxes its rule), 16 (a plan of another stack), and the exit codes
the help documents. Then ``check dev`` in every commercial region.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from stacks.cli import main
from stacks.environment.regions import commercial_regions
from tests.paths import REPO_ROOT

NS = "streaming-platform"
PY = sys.executable


def project(root: Path, **stack_files: str) -> Path:
    """A copy of the project's Pulumi.yaml, program and stack files, plus ``stack_files`` (env -> extra config lines)."""
    (root / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    (root / "platform").mkdir(exist_ok=True)
    (root / "platform" / "__main__.py").write_text((REPO_ROOT / "platform" / "__main__.py").read_text())
    for env in ("dev", "staging", "prod"):
        (root / f"Pulumi.{env}.yaml").write_text((REPO_ROOT / f"Pulumi.{env}.yaml").read_text())
    for env, text in stack_files.items():
        (root / f"Pulumi.{env}.yaml").write_text(text)
    return root


def run(root: Path, *argv: str, python: tuple[str, ...] = (PY, "-m", "stacks")) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([*python, *argv], cwd=root, env=env, capture_output=True, text=True, timeout=180)


def with_region(region: str) -> str:
    return (REPO_ROOT / "Pulumi.dev.yaml").read_text().replace("aws:region: us-east-1", f"aws:region: {region}")


PROD_OVERRIDE = (REPO_ROOT / "Pulumi.prod.yaml").read_text() + (
    f"  {NS}:database:\n    multiAz: false\n  {NS}:invariantOverrides: [database-multi-az]\n"
)
NO_SITE = (
    PY,
    "-S",
    "-c",
    f"import sys, runpy; sys.path.insert(0, {str(REPO_ROOT)!r}); runpy.run_module('stacks', run_name='__main__')",
)


def _prod_plan(root: Path) -> None:
    assert run(root, "plan", "prod", "--json", "prod.json").returncode == 0


#: (item, stack files, setup, argv, python, exit status, text the output must contain)
CASES: list[tuple[str, dict[str, str], Callable[[Path], None] | None, tuple[str, ...], tuple[str, ...], int, str]] = [
    (
        "1: check in a region without bundled prices",
        {"dev": with_region("us-gov-west-1")},
        None,
        ("check", "dev"),
        (PY, "-m", "stacks"),
        0,
        "Monthly cost of dev: not priced (no bundled prices for region us-gov-west-1",
    ),
    (
        "1: the budget rule says it cannot evaluate, and why",
        {"dev": with_region("us-gov-east-1")},
        None,
        ("policy", "dev"),
        (PY, "-m", "stacks"),
        0,
        "cannot check the budget of $65.00/month: no bundled prices for region us-gov-east-1",
    ),
    (
        "2: a per-developer stack is judged by its profile",
        {"dev-alice": f"config:\n  aws:region: us-east-1\n  {NS}:profile: dev\n"},
        None,
        ("check", "dev-alice"),
        (PY, "-m", "stacks"),
        0,
        "Policy: PASSED, ",
    ),
    (
        "2: check takes --config",
        {},
        None,
        ("check", "dev", "--config", "nowhere.json"),
        (PY, "-m", "stacks"),
        2,
        "error: nowhere.json: no such policy config",
    ),
    (
        "3: without the dependencies, --help says what to install",
        {},
        None,
        ("--help",),
        NO_SITE,
        2,
        "which is not installed (No module named ",
    ),
    (
        "14: an accepted invariant override relaxes its rule to advisory",
        {"prod": PROD_OVERRIDE},
        None,
        ("policy", "prod"),
        (PY, "-m", "stacks"),
        0,
        f"(Relaxed to advisory: Pulumi.prod.yaml accepts the risk with {NS}:invariantOverrides 'database-multi-az'.)",
    ),
    (
        "14: rule fixes name the stack-file key",
        {"prod": PROD_OVERRIDE},
        None,
        ("policy", "prod"),
        (PY, "-m", "stacks"),
        0,
        f"In the stack file: set {NS}:database.multiAz: true in Pulumi.prod.yaml.",
    ),
    (
        "16: a plan of another stack is refused",
        {},
        _prod_plan,
        ("policy", "staging", "--plan", "prod.json"),
        (PY, "-m", "stacks"),
        2,
        "error: --plan prod.json: the plan is of stack 'prod', not 'staging'",
    ),
    (
        "16: unless told",
        {},
        _prod_plan,
        ("policy", "staging", "--plan", "prod.json", "--allow-stack-mismatch"),
        (PY, "-m", "stacks"),
        0,
        "PASSED: 0 mandatory",
    ),
    (
        "exit codes: the help lists them",
        {},
        None,
        ("--help",),
        (PY, "-m", "stacks"),
        0,
        "2    a usage or input error",
    ),
]


@pytest.mark.parametrize(
    ("item", "files", "setup", "argv", "python", "status", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_a_command_line_gets_its_documented_exit_status_and_no_traceback(
    tmp_path: Path,
    item: str,
    files: dict[str, str],
    setup: Callable[[Path], None] | None,
    argv: tuple[str, ...],
    python: tuple[str, ...],
    status: int,
    expected: str,
) -> None:
    root = project(tmp_path, **files)
    if setup is not None:
        setup(root)

    result = run(root, *argv, python=python)

    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert expected in result.stdout + result.stderr


def test_every_item_of_the_cli_group_has_a_case() -> None:
    assert {c[0].split(":")[0] for c in CASES} == {"1", "2", "3", "14", "16", "exit codes"}


@pytest.mark.parametrize("region", commercial_regions())
def test_check_dev_gives_a_verdict_not_a_traceback_in_every_commercial_region(
    tmp_path: Path, region: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN dev's stack file with aws:region set to the region
    monkeypatch.chdir(project(tmp_path, dev=with_region(region)))

    # WHEN the main job runs (in-process: one interpreter for every region)
    status = main(["check", "dev"])

    # THEN it passes, priced or with a note that the region is not priced yet; the one thing that may
    # fail it is a real verdict: dev's estimate in that region's prices above dev's budget
    out = capsys.readouterr().out
    mandatory = {line.split()[1] for line in out.splitlines() if line.startswith("MANDATORY  ")}
    if status == 1:
        assert mandatory == {"cost-monthly-budget"} and re.search(r"exceeds the budget of \$\d+\.00/month", out), out
    else:
        assert status == 0 and "Policy: PASSED" in out, out
    assert (
        f"(USD, {region}, default usage profile)" in out or f"not priced (no bundled prices for region {region}" in out
    )
