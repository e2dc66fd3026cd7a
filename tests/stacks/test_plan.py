"""The offline plan: the platform program under the mocks, its document, its CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from insight.plan import Plan
from stacks.environment.stack_files import StackFileError, program_directory, read_stack_file
from stacks.offline.plan import build_plan
from tests.paths import REPO_ROOT

ENVS = ("dev", "staging", "prod")


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {env: build_plan(env) for env in ENVS}


def _cli(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stacks", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("env", ENVS)
def test_each_plan_has_every_documented_field(plans: dict[str, Plan], env: str) -> None:
    document = plans[env].document

    assert document["project"] == "streaming-platform"
    assert document["stack"] == env
    assert document["resources"], "the plan registers resources"
    urns = {r["urn"] for r in document["resources"]}
    for resource in document["resources"]:
        assert set(resource) == {"urn", "type", "name", "custom", "parent", "dependencies", "inputs", "options"}
        assert set(resource["options"]) == {
            "protect", "deleteBeforeReplace", "ignoreChanges", "retainOnDelete", "replaceOnChanges", "aliases",
            "provider",
        }  # fmt: skip
        # components (the platform's own types) are never sent to a provider; everything else is
        assert resource["custom"] is not resource["type"].startswith("streaming:index:")
        assert resource["urn"].startswith(f"urn:pulumi:{env}::streaming-platform::")
        assert resource["parent"] is None or resource["parent"] in urns
        assert set(resource["dependencies"]) <= urns
        assert isinstance(resource["inputs"], dict)


def test_a_subnet_lists_its_vpc_in_dependencies(plans: dict[str, Plan]) -> None:
    plan = plans["dev"]
    vpc = plan.of_type("aws:ec2/vpc:Vpc")[0]
    subnets = plan.of_type("aws:ec2/subnet:Subnet")

    assert subnets
    for subnet in subnets:
        assert vpc["urn"] in subnet["dependencies"]
        assert subnet["inputs"]["vpcId"].startswith("vpc-")


def test_two_runs_write_byte_identical_json(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"

    for target in (first, second):
        result = _cli("plan", "prod", "--quiet", "--json", str(target))
        assert result.returncode == 0, result.stderr

    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text())["stack"] == "prod"


def test_the_cli_prints_the_preview_tree_and_counts() -> None:
    result = _cli("plan", "dev")

    assert result.returncode == 0, result.stderr
    assert " +   pulumi:pulumi:Stack" in result.stdout and "streaming-platform-dev" in result.stdout
    assert "├─ " in result.stdout
    assert "aws:ec2/vpc:Vpc" in result.stdout
    assert "Resources by type:" in result.stdout and "to create" in result.stdout


def _copy_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"):
        shutil.copy(REPO_ROOT / name, root / name)
    shutil.copytree(REPO_ROOT / "platform", root / "platform")
    return root


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            "  streaming-platform:network:\n    cidr: 10.0.0.0/33\n",
            'Pulumi.dev.yaml: streaming-platform:network.cidr = "10.0.0.0/33": is not an IPv4 CIDR such as 10.0.0.0/16',
        ),
        (
            "  streaming-platform:network:\n    azCount: three\n",
            'Pulumi.dev.yaml: streaming-platform:network.azCount = "three": has the wrong type: it must be a valid integer',
        ),
        (
            "  streaming-platform:natMode: single\n",
            "Pulumi.dev.yaml: streaming-platform:natMode is not a known key; known keys: streaming-platform:profile",
        ),
        (
            "  streaming-platform:database:\n    multiAZ: true\n",
            "Pulumi.dev.yaml: streaming-platform:database.multiAZ = true: is not a known key; known keys here: engineVersion",
        ),
    ],
    ids=["invalid-cidr", "wrong-type", "unknown-key", "unknown-nested-key"],
)
def test_a_malformed_stack_file_stops_the_plan_with_the_file_key_and_fix_and_no_traceback(
    tmp_path: Path, config: str, message: str
) -> None:
    root = _copy_project(tmp_path)
    (root / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n" + config)

    result = _cli("plan", "dev", cwd=root)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert result.stdout == ""  # nothing planned, nothing printed


def test_an_unknown_key_stops_the_plan(tmp_path: Path) -> None:
    root = _copy_project(tmp_path)
    (root / "Pulumi.dev.yaml").write_text("config:\n  streaming-platform:natMode: single\n")

    with pytest.raises(Exception, match=r"Pulumi.dev.yaml: streaming-platform:natMode is not a known key"):
        build_plan("dev", root=root)


def test_a_missing_stack_file_names_the_environments_that_exist() -> None:
    with pytest.raises(
        StackFileError, match=r"Pulumi.qa.yaml: no such stack file; environments with a stack file: dev, prod, staging"
    ):
        read_stack_file("qa")


def test_a_key_without_namespace_is_refused(tmp_path: Path) -> None:
    root = _copy_project(tmp_path)
    (root / "Pulumi.dev.yaml").write_text("config:\n  region: us-east-1\n")

    with pytest.raises(
        StackFileError,
        match=r"Pulumi.dev.yaml: config key 'region' has no namespace; write it as 'streaming-platform:region'",
    ):
        read_stack_file("dev", root=root)


def test_the_program_runs_where_the_engine_runs_it(tmp_path: Path) -> None:
    # GIVEN this project (main: platform/), one without main, and one whose main is a file
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "Pulumi.yaml").write_text("name: bare\nruntime: python\n")
    (tmp_path / "file" / "infra").mkdir(parents=True)
    (tmp_path / "file" / "infra" / "main.py").write_text("")
    (tmp_path / "file" / "Pulumi.yaml").write_text("name: f\nruntime: python\nmain: infra/main.py\n")

    # THEN the working directory is the main directory, the project, or the file's directory (getPwdMain)
    assert program_directory(REPO_ROOT) == REPO_ROOT / "platform"
    assert program_directory(tmp_path / "bare") == tmp_path / "bare"
    assert program_directory(tmp_path / "file") == (tmp_path / "file" / "infra").resolve()
    # and the plan's relative inputs resolve from there
    image = next(r for r in build_plan("dev").of_type("docker:index/image:Image"))
    assert (REPO_ROOT / "platform" / image["inputs"]["build"]["dockerfile"]).is_file()
