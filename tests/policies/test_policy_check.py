"""`python -m stacks policy`: the offline check over real and deliberately insecure plans."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from insight.plan import Plan
from policies.offline import CONFIG_DIR, check_plan
from policies.rules import REGISTRY, Level, load_config, resolve_config
from policies.rules.config import PolicyConfigError
from stacks.offline.plan import build_plan
from tests.paths import REPO_ROOT

ENVS = ("dev", "staging", "prod")
TAGS = {"Project": "streaming-platform", "Environment": "dev", "ManagedBy": "pulumi"}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stacks", "policy", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _resource(type_: str, name: str, inputs: dict[str, Any], deps: list[str] | None = None) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:dev::streaming-platform::{type_}::{name}",
        "type": type_,
        "name": name,
        "parent": None,
        "dependencies": deps or [],
        "inputs": inputs,
    }


def insecure_variant(document: dict[str, Any]) -> dict[str, Any]:
    """The dev plan with its data tier made public and an open bucket and SSH rule added."""
    doc = json.loads(json.dumps(document))
    for r in doc["resources"]:
        if r["type"] == "aws:rds/instance:Instance":
            r["inputs"]["publiclyAccessible"] = True
        if r["type"] == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
            r["inputs"]["blockPublicPolicy"] = False
    doc["resources"] += [
        _resource(
            "aws:rds/instance:Instance",
            "open-db",
            {
                "engine": "postgres",
                "instanceClass": "db.t4g.micro",
                "storageEncrypted": True,
                "publiclyAccessible": True,
                "backupRetentionPeriod": 7,
                "manageMasterUserPassword": True,
                "tags": TAGS,
            },
        ),
        _resource("aws:s3/bucket:Bucket", "open-bucket", {"tags": TAGS}),
        _resource(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "ssh-from-anywhere",
            {
                "ipProtocol": "tcp",
                "fromPort": 22,
                "toPort": 22,
                "cidrIpv4": "0.0.0.0/0",
                "securityGroupId": "sg-0abc",
                "tags": TAGS,
            },
        ),
    ]
    return doc


@pytest.mark.parametrize("env", ENVS)
def test_every_policy_config_file_resolves_against_the_pack(env: str) -> None:
    # GIVEN policies/config/<env>.json WHEN resolved THEN every rule has a level and prod is the strictest
    settings = resolve_config(load_config(CONFIG_DIR / f"{env}.json"), source=env)
    assert set(settings) == {r.name for r in REGISTRY}
    if env == "prod":
        assert settings["rds-backup-retention"].params["minDays"] == 14
        assert settings["logs-retention-set"].params["minDays"] == 30
        assert settings["rds-multi-az"].level is Level.MANDATORY
    else:
        assert settings["rds-multi-az"].level is Level.ADVISORY


def test_an_unknown_policy_name_in_the_config_is_refused() -> None:
    with pytest.raises(PolicyConfigError, match="unknown policy name"):
        resolve_config({"rds-encryption": "mandatory"})


def test_a_setting_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(PolicyConfigError, match=r"rds-backup-retention.minDays must be of type integer"):
        resolve_config({"rds-backup-retention": {"minDays": "14"}})


@pytest.mark.parametrize("env", ENVS)
def test_the_current_environment_plan_has_no_mandatory_violation(env: str) -> None:
    # GIVEN the environment's offline plan WHEN checked with its config THEN no mandatory violation
    verdict = check_plan(build_plan(env), env)
    assert [f"{f.rule}: {f.urn}: {f.message}" for f in verdict.mandatory] == []


def test_an_insecure_variant_of_the_dev_plan_is_refused_with_the_resource_and_the_fix(tmp_path: Path) -> None:
    # GIVEN the dev plan with a public database, a bucket without public-access block and SSH open to the world
    plan_file = tmp_path / "insecure.json"
    plan_file.write_text(json.dumps(insecure_variant(build_plan("dev").document)))
    # WHEN checked through the CLI
    result = _cli("dev", "--plan", str(plan_file))
    # THEN it exits 1 and names each resource with its fix
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "urn:pulumi:dev::streaming-platform::aws:rds/instance:Instance::open-db" in out
    assert "publicly_accessible=False" in out
    assert "urn:pulumi:dev::streaming-platform::aws:s3/bucket:Bucket::open-bucket" in out
    assert "aws.s3.BucketPublicAccessBlock(bucket=bucket.id" in out
    assert "SecurityGroupIngressRule::ssh-from-anywhere" in out and "admits port 22 from 0.0.0.0/0" in out
    assert out.rstrip().splitlines()[-1].startswith("FAILED:")


def test_the_json_verdict_lists_mandatory_violations_with_their_control(tmp_path: Path) -> None:
    plan_file = tmp_path / "insecure.json"
    plan_file.write_text(json.dumps(insecure_variant(build_plan("dev").document)))
    result = _cli("dev", "--plan", str(plan_file), "--json")
    verdict = json.loads(result.stdout)
    assert result.returncode == 1 and verdict["passed"] is False
    public = [v for v in verdict["violations"] if v["policy"] == "rds-not-publicly-accessible"]
    assert public and public[0]["control"] == "RDS.2" and public[0]["level"] == "mandatory"


def test_advisory_violations_print_but_pass(tmp_path: Path) -> None:
    # GIVEN a plan whose only problem is a dev cost guardrail (three NAT gateways)
    doc = {
        "project": "streaming-platform",
        "stack": "dev",
        "outputs": {},
        "resources": [_resource("aws:ec2/natGateway:NatGateway", f"nat-{i}", {"tags": TAGS}) for i in (1, 2, 3)],
    }
    plan_file = tmp_path / "nat.json"
    plan_file.write_text(json.dumps(doc))
    # WHEN checked THEN it passes with the advisory shown
    result = _cli("dev", "--plan", str(plan_file))
    assert result.returncode == 0, result.stdout
    assert "ADVISORY  cost-nat-gateway-limit" in result.stdout


def test_a_file_that_is_not_a_plan_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = _cli("dev", "--plan", str(bad))
    assert result.returncode == 2 and "missing key 'project'" in result.stderr


def test_plan_class_round_trips_the_insecure_variant() -> None:
    doc = insecure_variant(build_plan("dev").document)
    assert Plan.from_json(json.dumps(doc)).of_type("aws:s3/bucket:Bucket")[-1]["name"] == "open-bucket"


def test_the_readme_table_lists_every_policy() -> None:
    text = (REPO_ROOT / "docs" / "policies.md").read_text()
    missing = [r.name for r in REGISTRY if f"| `{r.name}` |" not in text]
    assert missing == []


def test_a_plan_over_its_budget_is_refused_naming_the_estimate_and_the_fix() -> None:
    # GIVEN dev planned with a budget below its estimate
    plan = build_plan("dev", overrides={"streaming-platform:budgetMonthlyUsd": 40})

    # WHEN the pack checks it
    verdict = check_plan(plan, "dev")

    # THEN the budget rule refuses it, on the platform component, with the figures and the fix
    budget = [f for f in verdict.mandatory if f.rule == "cost-monthly-budget"]
    assert len(budget) == 1
    assert budget[0].urn.endswith("streaming:index:StreamingPlatform::streaming")
    assert "exceeds the budget of $40.00/month" in budget[0].message
    assert "raise streaming-platform:budgetMonthlyUsd deliberately" in budget[0].message


def test_a_plan_within_its_budget_passes_the_budget_rule() -> None:
    verdict = check_plan(build_plan("dev"), "dev")

    assert not [f for f in verdict.findings if f.rule == "cost-monthly-budget"]
