"""``--all``: every environment in one process (issue 18, item 1), as a user and CI run it.

One process plans the environments one after the other; each run of the program must get a
clean Pulumi runtime, so a plan made after others is byte-identical to one made alone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.paths import REPO_ROOT

ENVS = ("dev", "staging", "prod")


def _cli(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stacks", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def _project_copy(tmp_path: Path) -> Path:
    for name in ("Pulumi.yaml", *(f"Pulumi.{env}.yaml" for env in ENVS)):
        shutil.copyfile(REPO_ROOT / name, tmp_path / name)
    (tmp_path / "platform").mkdir()
    shutil.copyfile(REPO_ROOT / "platform" / "__main__.py", tmp_path / "platform" / "__main__.py")
    return tmp_path


def test_plan_all_writes_the_same_bytes_as_one_process_per_environment(tmp_path: Path) -> None:
    # GIVEN each environment planned alone, each in its own process
    alone = {}
    for env in ENVS:
        result = _cli("plan", env, "--quiet", "--json", str(tmp_path / f"{env}.alone.json"))
        assert result.returncode == 0, result.stderr
        alone[env] = (tmp_path / f"{env}.alone.json").read_bytes()

    # WHEN one process plans them all
    result = _cli("plan", "--all", "--quiet", "--json", str(tmp_path / "all"))

    # THEN it writes one document per environment, byte for byte what the lone runs wrote
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(f"{env}.json" for env in ENVS)
    for env in ENVS:
        assert (tmp_path / "all" / f"{env}.json").read_bytes() == alone[env], f"{env} differs when planned after others"
    # and heads each environment's counts, in promotion order
    assert re.findall(r"^== (\w+)$", result.stdout, re.M) == list(ENVS)


def test_check_all_reports_every_environment_and_exits_with_the_worst_code(tmp_path: Path) -> None:
    # GIVEN a project whose staging budget is below its estimate (a mandatory violation there only)
    project = _project_copy(tmp_path)
    staging = project / "Pulumi.staging.yaml"
    staging.write_text(staging.read_text() + "  streaming-platform:budgetMonthlyUsd: 20\n")

    # WHEN the user checks every environment at once
    result = _cli("check", "--all", cwd=project)

    # THEN each environment has its summary, verdict and cost; staging fails and so does the run
    assert result.returncode == 1, result.stderr
    sections = dict(re.findall(r"^== (\w+)\n(.*?)(?=^== |\Z)", result.stdout, re.M | re.S))
    assert list(sections) == list(ENVS)
    for env, text in sections.items():
        assert re.search(rf"^Plan of {env}: \d+ AWS resources", text, re.M)
        assert re.search(rf"^Monthly cost of {env}: \$[\d,]+\.\d\d", text, re.M)
    assert "Policy: PASSED" in sections["dev"] and "Policy: PASSED" in sections["prod"]
    assert "exceeds the budget of $20.00/month" in sections["staging"]


def test_a_user_error_in_one_environment_does_not_hide_the_others(tmp_path: Path) -> None:
    # GIVEN a project whose dev stack file has a bad value
    project = _project_copy(tmp_path)
    dev = project / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text() + "  streaming-platform:natMode: sometimes\n")

    # WHEN every environment is priced
    result = _cli("cost", "--all", cwd=project)

    # THEN dev's error is one clear line (no traceback), the others are priced, and the exit code is 2
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert re.search(r"^error: dev: .*natMode", result.stderr, re.M), result.stderr
    assert re.findall(r"^== (\w+)$", result.stdout, re.M) == list(ENVS)
    assert len(re.findall(r"total per month", result.stdout)) == 2


def test_env_and_all_together_or_neither_is_a_clear_error() -> None:
    both = _cli("policy", "dev", "--all")
    neither = _cli("check")
    json_of_all = _cli("cost", "--all", "--json")

    assert both.returncode == neither.returncode == json_of_all.returncode == 2
    assert both.stderr.strip() == "error: policy: give an environment or --all, not both (got 'dev' and --all)"
    assert neither.stderr.strip() == "error: check: name an environment (dev, staging, prod) or pass --all"
    assert json_of_all.stderr.strip() == (
        "error: cost --all --json: --json prints one environment's estimate; name the environment"
    )
    assert "Traceback" not in both.stderr + neither.stderr + json_of_all.stderr
