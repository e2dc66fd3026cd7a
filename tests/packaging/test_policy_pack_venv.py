"""Integration test: the CrossGuard pack runs in a venv holding only ``policies/requirements.txt``.

That is the venv the Pulumi CLI makes for the pack (``policies/venv``): no project, no Pulumi
providers. The pack is loaded the way the CLI loads it (the pack directory first on ``sys.path``,
its ``__main__.py`` run as a script), except under a name other than ``__main__``, which would
start the analyzer's gRPC server and block.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policies.rules import REGISTRY
from tests.packaging import check, make_venv, pip_install, run
from tests.paths import REPO_ROOT

pytestmark = pytest.mark.integration

PACK_DIR = REPO_ROOT / "policies"

#: Runs in the pack's venv with the pack directory as argv[1]; prints what it found as JSON.
PACK_SCRIPT = """
import json, runpy, sys
from pathlib import Path

pack_dir = Path(sys.argv[1])
sys.path.insert(0, str(pack_dir))
pack = runpy.run_path(str(pack_dir / "__main__.py"), run_name="pack")
policies = pack["build_policies"]()

from policies.rules import ResourceView
from policies.rules.stack import monthly_budget

URN = "urn:pulumi:dev::streaming-platform::"


def findings(budget):
    platform = ResourceView(
        "streaming:index:StreamingPlatform",
        URN + "streaming:index:StreamingPlatform::streaming",
        "streaming",
        {"budgetMonthlyUsd": budget},
    )
    nat = ResourceView(
        "aws:ec2/natGateway:NatGateway",
        URN + "streaming:index:StreamingPlatform$aws:ec2/natGateway:NatGateway::streaming-nat",
        "streaming-nat",
        {"allocationId": "[unknown]", "subnetId": "[unknown]", "connectivityType": "public"},
        parent=platform.urn,
    )
    return [{"urn": f.urn, "message": f.message} for f in monthly_budget([platform, nat], {})]


print(json.dumps({
    "pack": pack["PACK_NAME"],
    "policies": [p.name for p in policies],
    "over_budget": findings(1),
    "within_budget": findings(1000),
    "modules": sorted({name.split(".")[0] for name in sys.modules}),
    "insight": sys.modules["insight"].__file__,
}))
"""


@pytest.fixture(scope="module")
def pack_python(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The interpreter of a fresh venv holding only the pack's requirements."""
    root = tmp_path_factory.mktemp("pack-venv")
    python = make_venv(root / "venv")
    pip_install(python, "-r", PACK_DIR / "requirements.txt", cwd=root)
    yield python
    shutil.rmtree(root / "venv", ignore_errors=True)


@pytest.fixture(scope="module")
def pack_run(pack_python: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What `PACK_SCRIPT` reports, run in the pack's venv from a directory outside the checkout."""
    workdir = tmp_path_factory.mktemp("pack-run")
    script = workdir / "load_pack.py"
    script.write_text(PACK_SCRIPT)
    result = check([pack_python, script, PACK_DIR], cwd=workdir)
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_the_pack_venv_has_no_aws_provider(pack_python: Path, tmp_path: Path) -> None:
    # GIVEN the venv made from policies/requirements.txt only
    # WHEN the AWS provider is imported there
    result = run([pack_python, "-c", "import pulumi_aws"], cwd=tmp_path)

    # THEN it is not installed (so the pack cannot be relying on it)
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr


def test_the_pack_builds_one_policy_per_rule_with_only_its_requirements(pack_run: dict[str, Any]) -> None:
    # GIVEN the pack loaded as the Pulumi CLI loads it, in its own venv
    # THEN build_policies gives one policy per registered rule, in the registry's order
    assert len(pack_run["policies"]) == len(REGISTRY)
    assert pack_run["policies"] == [rule.name for rule in REGISTRY]
    assert pack_run["pack"] == "streaming-platform-guardrails"


def test_loading_the_pack_imports_nothing_of_the_project_but_policies_and_insight(pack_run: dict[str, Any]) -> None:
    # GIVEN the modules loaded once the pack built its policies and ran the budget rule
    modules = set(pack_run["modules"])

    # THEN the rules and the cost model came from beside the pack, and nothing else of the project
    # or of the Pulumi providers was imported
    assert {"policies", "insight", "pulumi_policy", "yaml"} <= modules
    assert Path(pack_run["insight"]).resolve().is_relative_to(REPO_ROOT)
    assert not modules & {"components", "stacks", "apps", "pulumi_aws", "pulumi_awsx", "pulumi_docker", "boto3"}


def test_the_budget_rule_prices_the_stack_in_the_pack_venv(pack_run: dict[str, Any]) -> None:
    # GIVEN a StreamingPlatform carrying a $1 budget and one NAT gateway (~$33/month) under it
    # WHEN the budget rule's function runs in the pack's venv
    (finding,) = pack_run["over_budget"]

    # THEN it reports the platform over budget, naming the budget and the biggest cost
    assert finding["urn"] == "urn:pulumi:dev::streaming-platform::streaming:index:StreamingPlatform::streaming"
    assert "exceeds the budget of $1.00/month" in finding["message"]
    assert "streaming-nat" in finding["message"]
    # AND the same stack within a $1,000 budget passes (the estimate is a number, not a failure)
    assert pack_run["within_budget"] == []
