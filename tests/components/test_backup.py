"""Backup: the vault, plan and selection, in the component and in the environments' plans."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from components import Backup, BackupArgs
from stacks.environment.config import ConfigError, load_config
from stacks.offline.mocks import ProgramRun
from stacks.offline.plan import run_platform
from tests.conftest import MockRuntime

VAULT, PLAN, SELECTION = "aws:backup/vault:Vault", "aws:backup/plan:Plan", "aws:backup/selection:Selection"
DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:orders"
BUCKET_ARN = "arn:aws:s3:::media-bucket"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0b6d6a1e-7c2e-4a4f-9d0e-3d0f3f1c2a11"


def _one(run: ProgramRun, typ: str) -> Any:
    found = run.of_type(typ)
    assert len(found) == 1, f"expected one {typ}, found {len(found)}"
    return found[0]


def test_the_component_backs_up_the_given_resources_on_schedule_with_retention(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a database and a bucket to protect with a customer key
    run = pulumi_mocks.run(
        lambda: Backup(
            "data",
            BackupArgs(
                resource_arns=(DB_ARN, BUCKET_ARN),
                schedule="cron(30 2 * * ? *)",
                retention_days=21,
                kms_key_arn=KEY_ARN,
            ),
        )
    )

    # THEN the vault uses the key, the plan's one rule follows the schedule and retention into that vault
    vault = _one(run, VAULT)
    assert vault.inputs["kmsKeyArn"] == KEY_ARN and vault.inputs["forceDestroy"] is False
    (rule,) = _one(run, PLAN).inputs["rules"]
    assert (rule["schedule"], rule["lifecycle"], rule["ruleName"]) == (
        "cron(30 2 * * ? *)",
        {"deleteAfter": 21},
        "data-daily",
    )
    # and the selection covers exactly the resources, under the backup role
    selection = _one(run, SELECTION)
    role = run.named("data-role")
    assert selection.inputs["resources"] == [DB_ARN, BUCKET_ARN]
    assert selection.inputs["iamRoleArn"] == role.outputs["arn"]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "backup.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    # and the role has AWS Backup's managed policies, S3's included, before the selection uses it
    policies = sorted(
        a.inputs["policyArn"].rsplit("/", 1)[-1]
        for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )
    assert policies == [
        "AWSBackupServiceRolePolicyForBackup",
        "AWSBackupServiceRolePolicyForRestores",
        "AWSBackupServiceRolePolicyForS3Backup",
        "AWSBackupServiceRolePolicyForS3Restore",
    ]
    attachments = {a.urn for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert attachments <= set(selection.dependencies)
    # and every taggable child is tagged and named after the component
    for r in (vault, _one(run, PLAN), role):
        assert {"Project", "Environment", "Component", "ManagedBy"} <= set(r.inputs["tags"]), r.name
    assert all(r.name.startswith("data") for r in run.registrations.values() if r.custom)


def test_without_a_key_the_vault_uses_aws_backups_managed_key_and_without_s3_no_s3_policies(
    pulumi_mocks: MockRuntime,
) -> None:
    run = pulumi_mocks.run(lambda: Backup("data", BackupArgs(resource_arns=(DB_ARN,), includes_s3=False)))
    assert "kmsKeyArn" not in _one(run, VAULT).inputs
    policies = [a.inputs["policyArn"] for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")]
    assert len(policies) == 2 and not [p for p in policies if "S3" in p]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"resource_arns": ()}, r"Backup 'data'.*\[resource_arns\].*is empty"),
        ({"schedule": "daily"}, r"\[schedule\].*'daily'.*cron\(0 3 \* \* \? \*\)"),
        ({"retention_days": 0}, r"\[retention_days\].*0.*1\.\.36500"),
        ({"completion_window_minutes": 90}, r"\[completion_window_minutes\].*90.*120"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_created(
    pulumi_mocks: MockRuntime, changes: dict[str, Any], message: str
) -> None:
    base: dict[str, Any] = {"resource_arns": (DB_ARN,)}
    text, run = pulumi_mocks.refusal(lambda: Backup("data", BackupArgs(**{**base, **changes})))
    assert re.search(message, text), text
    assert run.registrations == {} or not [r for r in run.registrations.values() if "Backup" in r.type]


@pytest.mark.parametrize(("env", "retention"), [("staging", 14), ("prod", 35)])
def test_staging_and_prod_back_up_the_database_and_the_versioned_media_bucket(env: str, retention: int) -> None:
    # GIVEN the environment's plan
    run = run_platform(env)
    db = _one(run, "aws:rds/instance:Instance")
    media = run.named("streaming-cdn-media")

    # THEN one vault, one plan with the profile's schedule and retention, one selection of the DB and media
    _one(run, VAULT)
    (rule,) = _one(run, PLAN).inputs["rules"]
    assert rule["schedule"] == "cron(0 3 * * ? *)" and rule["lifecycle"] == {"deleteAfter": retention}
    assert sorted(_one(run, SELECTION).inputs["resources"]) == sorted([db.outputs["arn"], media.outputs["arn"]])
    # and the media bucket is versioned (AWS Backup refuses an unversioned bucket)
    versioning = run.named("streaming-cdn-media-versioning")
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert versioning.inputs["bucket"] == media.outputs["bucket"]


def test_dev_has_no_backup_vault_by_default() -> None:
    assert run_platform("dev").of_type(VAULT) == []


def test_prod_refuses_to_turn_backups_off_unless_the_invariant_is_overridden() -> None:
    values = {"streaming-platform:backup": json.dumps({"enabled": False})}
    with pytest.raises(ConfigError, match=r"backup.enabled = false breaks the 'prod' profile's invariant 'backups'"):
        load_config(values, env="prod", source="Pulumi.prod.yaml")
    with pytest.raises(ConfigError, match=r"backup.schedule = \"daily\".*pattern"):
        load_config({"streaming-platform:backup": json.dumps({"schedule": "daily"})}, env="prod", source="P.yaml")
