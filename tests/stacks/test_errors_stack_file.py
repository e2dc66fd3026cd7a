"""Issue 15, stack files: every mistake in ``Pulumi.<env>.yaml`` gets one clear answer, before anything exists.

One table of stack files, each with one mistake. Each is run as a user runs it (``python -m stacks
plan <env>``: exit 2, one ``error:`` line naming the file, the key and the value, no traceback), and
under the recording mocks: the refusal comes before the program registers anything. Items: 4
(aws:region), 7 (RDS class), 8 (ISO country), 11 (budget), 13 (component errors mapped back to the
key, YAML errors with file and line, ``secure:`` values, min/max, email). A second table: what is
accepted with a warning (item 4's missing region, item 11's empty or ignored content).
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from stacks.environment.config import ConfigError
from stacks.environment.stack_files import StackFileError, read_stack_file
from stacks.offline.mocks import Registration, run_program
from tests.paths import REPO_ROOT

NS = "streaming-platform"

#: (item, stack file text, pattern the error line must contain, strict: nothing at all registered)
CASES: list[tuple[str, str, str, bool]] = [
    (
        "4: a region no partition has",
        "config:\n  aws:region: us-east-9\n",
        "Pulumi.dev.yaml: aws:region = \"us-east-9\": 'us-east-9' looks like a region but is not a region of any "
        "AWS partition; commercial regions: af-south-1, ",
        True,
    ),
    (
        "4: an AZ name where the region goes",
        "config:\n  aws:region: us-east-1a\n",
        "Pulumi.dev.yaml: aws:region = \"us-east-1a\": 'us-east-1a' is an availability zone, not a region; set "
        "aws:region to 'us-east-1'",
        True,
    ),
    (
        "4: a key given twice",
        "config:\n  aws:region: us-east-1\n  aws:region: eu-west-1\n",
        "Pulumi.dev.yaml, line 3, column 3: not valid YAML: key 'aws:region' appears twice (first on line 2); "
        "YAML would silently keep only the last one, so remove one of them",
        True,
    ),
    (
        "7: an RDS class with a typo",
        f"config:\n  aws:region: us-east-1\n  {NS}:database:\n    instanceClass: db.t4g.mirco\n",
        f"Pulumi.dev.yaml: {NS}:database.instanceClass = \"db.t4g.mirco\": db.t4g has no size 'mirco'; did you "
        "mean 'db.t4g.micro'?",
        True,
    ),
    (
        "8: UK for the United Kingdom",
        f"config:\n  aws:region: us-east-1\n  {NS}:edge:\n    geoRestriction: {{mode: allow, countries: [US, UK]}}\n",
        f'Pulumi.dev.yaml: {NS}:edge.geoRestriction.countries = ["US", "UK"]: \'UK\' is not an ISO 3166-1 '
        "alpha-2 code (the code for that country is 'GB')",
        True,
    ),
    (
        "11: a negative budget",
        f"config:\n  aws:region: us-east-1\n  {NS}:budgetMonthlyUsd: -5\n",
        f"Pulumi.dev.yaml: {NS}:budgetMonthlyUsd = -5: must be a positive amount of US dollars per month",
        True,
    ),
    (
        "13: Fargate memory that does not suit the cpu",
        f"config:\n  aws:region: us-east-1\n  {NS}:services:\n    accounts: {{cpu: 256, memory: 4096}}\n",
        f"Pulumi.dev.yaml: {NS}:services.accounts.memory = 4096: is not valid for cpu 256; choose 512, 1024 or 2048",
        True,
    ),
    (
        "13: a component's refusal is mapped back to the key",
        f"config:\n  aws:region: us-east-1\n  {NS}:network:\n    interfaceEndpoints: [com.amazonaws.logs]\n",
        f"Pulumi.dev.yaml: {NS}:network.interfaceEndpoints = [\"com.amazonaws.logs\"]: Vpc 'streaming-net': "
        "[interface_endpoints] 'com.amazonaws.logs' is not a service short name",
        False,  # the Vpc refuses before it registers; the platform component itself is registered
    ),
    (
        "13: a YAML syntax error names the file and line",
        f"config:\n  aws:region: us-east-1\n  {NS}:budgetMonthlyUsd: [1\n",
        "Pulumi.dev.yaml, line 4, column 1: not valid YAML: expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence at line 3, column 40)",
        True,
    ),
    (
        "13: a tab names the file and line, and exits as a syntax error does",
        "config:\n\taws:region: us-east-1\n",
        "Pulumi.dev.yaml, line 2, column 1: not valid YAML: found character '\\t' that cannot start any token; "
        "indent with spaces, YAML does not allow tabs",
        True,
    ),
    (
        "13: a secure: value",
        f"config:\n  aws:region: us-east-1\n  {NS}:alarms:\n    email:\n      secure: AAABAJk4bXNw\n",
        f"Pulumi.dev.yaml: {NS}:alarms.email is a Pulumi secret (secure:), but no {NS} setting is secret",
        True,
    ),
    (
        "13: min above max reads as a sentence",
        f"config:\n  aws:region: us-east-1\n  {NS}:services:\n    catalog: {{minCount: 5, maxCount: 2}}\n",
        f"Pulumi.dev.yaml: {NS}:services.catalog.minCount = 5: is above maxCount (2); the autoscaling floor must "
        "not exceed its ceiling",
        True,
    ),
    (
        "13: a bad email says so",
        f"config:\n  aws:region: us-east-1\n  {NS}:alarms:\n    email: ops-at-example.com\n",
        f'Pulumi.dev.yaml: {NS}:alarms.email = "ops-at-example.com": is not an email address; write one such as '
        "ops@example.com",
        True,
    ),
]


def project(tmp_path: Path, stack_text: str, env: str = "dev") -> Path:
    """A copy of the project (Pulumi.yaml and the program) whose ``env`` stack file is ``stack_text``."""
    (tmp_path / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "platform").mkdir(exist_ok=True)
    (tmp_path / "platform" / "__main__.py").write_text((REPO_ROOT / "platform" / "__main__.py").read_text())
    (tmp_path / f"Pulumi.{env}.yaml").write_text(stack_text)
    return tmp_path


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "stacks", *args], cwd=root, env=env, capture_output=True, text=True, timeout=180
    )


def registered_before_refusal(root: Path, env: str) -> list[Registration]:
    """What the program registered under the mocks before it refused the stack file."""
    try:
        stack_file = read_stack_file(env, root)
    except StackFileError:
        return []  # refused before the program ran
    caught: list[ConfigError] = []

    def program() -> None:
        try:
            runpy.run_path(str(root / "platform"), run_name="__main__")
        except ConfigError as exc:
            caught.append(exc)

    cwd = os.getcwd()
    os.chdir(root / "platform")
    try:
        run = run_program(
            program,
            project=stack_file.project,
            stack=env,
            config=stack_file.config,
            secret_keys=sorted(stack_file.secret_keys),
            region=stack_file.region,
        )
    finally:
        os.chdir(cwd)
    assert len(caught) == 1, "expected the program to refuse the stack file"
    return list(run.registrations.values())


@pytest.mark.parametrize(("item", "text", "expected", "strict"), CASES, ids=[c[0] for c in CASES])
def test_a_stack_file_mistake_is_one_error_naming_file_key_and_value_before_anything_is_registered(
    tmp_path: Path, item: str, text: str, expected: str, strict: bool
) -> None:
    # GIVEN a stack file with one mistake
    root = project(tmp_path, text)

    # WHEN the user plans it
    result = cli(root, "plan", "dev")

    # THEN one error line names the file, the key, the value and the fix; exit 2; no traceback
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and expected in errors[0], result.stderr
    # AND nothing was registered before the refusal (no AWS resource at all where the config refuses it)
    registered = registered_before_refusal(root, "dev")
    if strict:
        assert registered == []
    assert [r.name for r in registered if r.custom and not r.type.startswith("pulumi:providers:")] == []


WARNINGS: list[tuple[str, str, str]] = [
    (
        "4: no aws:region says which region is used",
        f"config:\n  {NS}:budgetMonthlyUsd: 85\n",
        "Pulumi.dev.yaml: aws:region is not set; using us-east-1 (set it with `pulumi config set aws:region "
        "<region> -s dev`)",
    ),
    (
        "11: an empty stack file says the profile's defaults apply",
        "",
        "warning: Pulumi.dev.yaml: no config values; the 'dev' stack plans with its profile's defaults only",
    ),
    (
        "11: unknown top-level keys are named as ignored",
        "networks:\n  cidr: 10.1.0.0/16\nconfig:\n  aws:region: us-east-1\n",
        "warning: Pulumi.dev.yaml: top-level key(s) networks ignored: Pulumi reads only config, secretsprovider, "
        "encryptedkey, encryptionsalt, environment; put settings under 'config:'",
    ),
]


@pytest.mark.parametrize(("item", "text", "expected"), WARNINGS, ids=[c[0] for c in WARNINGS])
def test_a_stack_file_that_plans_but_is_probably_not_meant_gets_a_warning(
    tmp_path: Path, item: str, text: str, expected: str
) -> None:
    result = cli(project(tmp_path, text), "plan", "dev")

    assert result.returncode == 0, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_every_item_of_the_stack_file_group_has_a_case() -> None:
    items = {case[0].split(":")[0] for case in [*CASES, *WARNINGS]}
    assert items == {"4", "7", "8", "11", "13"}
