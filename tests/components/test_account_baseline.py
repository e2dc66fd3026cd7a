"""AccountBaseline under the mocks: CloudTrail, GuardDuty, Security Hub with FSBP, Access Analyzer."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components import AccountBaseline, AccountBaselineArgs
from stacks.offline.mocks import ProgramRun, Registration
from tests.conftest import MockRuntime

ACCOUNT = "123456789012"
TRAIL = "aws:cloudtrail/trail:Trail"
REQUIRED_TAGS = {"Project", "Environment", "Component", "ManagedBy"}
BASELINE_DIR = Path(__file__).resolve().parents[2] / "baseline"


def _one(run: ProgramRun, typ: str) -> Registration:
    found = run.of_type(typ)
    assert len(found) == 1, f"expected one {typ}, found {len(found)}"
    return found[0]


def _statements(policy: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


@pytest.fixture
def baseline(pulumi_mocks: MockRuntime) -> ProgramRun:
    return pulumi_mocks.run(lambda: AccountBaseline("acct", AccountBaselineArgs()))


def test_the_trail_is_multi_region_validated_and_encrypted_into_the_log_bucket(baseline: ProgramRun) -> None:
    trail = _one(baseline, TRAIL)
    key = baseline.named("acct-trail-key")
    bucket = baseline.named("acct-trail-logs")

    # THEN the trail covers every region and the global services, validates its log files, uses the key
    assert trail.inputs["isMultiRegionTrail"] is True and trail.inputs["includeGlobalServiceEvents"] is True
    assert trail.inputs["enableLogFileValidation"] is True and trail.inputs["kmsKeyId"] == key.outputs["arn"]
    assert trail.inputs["s3BucketName"] == bucket.outputs["bucket"]
    # and it waits for the bucket policy (CloudTrail checks it when the trail is created)
    assert baseline.named("acct-trail-logs-policy").urn in trail.dependencies


def test_the_key_policy_lets_only_this_trail_encrypt_and_this_account_decrypt(baseline: ProgramRun) -> None:
    trail_arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/acct-trail"
    key = baseline.named("acct-trail-key")
    statements = _statements(key.inputs["policy"])

    assert key.inputs["enableKeyRotation"] is True
    encrypt = statements["CloudTrailEncryptsLogs"]
    assert encrypt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    assert encrypt["Condition"]["StringEquals"] == {"aws:SourceArn": trail_arn}
    assert statements["CloudTrailDescribesKey"]["Action"] == "kms:DescribeKey"
    assert statements["AccountReadsLogs"]["Condition"]["StringEquals"] == {"kms:CallerAccount": ACCOUNT}
    assert statements["AccountAdministers"]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


def test_the_log_bucket_is_private_expires_logs_and_admits_only_cloudtrail(baseline: ProgramRun) -> None:
    bucket = baseline.named("acct-trail-logs")
    block = baseline.named("acct-trail-logs-public-access-block").inputs
    assert all(
        block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    rules = {r["id"]: r for r in baseline.named("acct-trail-logs-lifecycle").inputs["rules"]}
    assert rules["expire-objects"]["expiration"] == {"days": 365}
    assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"] == {"noncurrentDays": 30}

    statements = _statements(baseline.named("acct-trail-logs-policy").inputs["policy"])
    arn = bucket.outputs["arn"]
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    assert statements["CloudTrailChecksAcl"]["Action"] == "s3:GetBucketAcl"
    assert statements["CloudTrailChecksAcl"]["Resource"] == arn
    write = statements["CloudTrailWrites"]
    assert (write["Action"], write["Resource"]) == ("s3:PutObject", f"{arn}/AWSLogs/{ACCOUNT}/*")
    assert write["Condition"]["StringEquals"] == {
        "aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/acct-trail",
        "s3:x-amz-acl": "bucket-owner-full-control",
    }


def test_guardduty_security_hub_with_fsbp_and_access_analyzer_are_on(baseline: ProgramRun) -> None:
    detector = _one(baseline, "aws:guardduty/detector:Detector")
    assert detector.inputs["enable"] is True and detector.inputs["findingPublishingFrequency"] == "FIFTEEN_MINUTES"
    hub = _one(baseline, "aws:securityhub/account:Account")
    assert hub.inputs["enableDefaultStandards"] is False
    fsbp = _one(baseline, "aws:securityhub/standardsSubscription:StandardsSubscription")
    assert fsbp.inputs["standardsArn"] == (
        "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"
    )
    assert hub.urn in fsbp.dependencies
    analyzer = _one(baseline, "aws:accessanalyzer/analyzer:Analyzer")
    assert analyzer.inputs["type"] == "ACCOUNT"
    # and every taggable resource is tagged, every child named after the component
    for r in (
        detector,
        analyzer,
        _one(baseline, TRAIL),
        baseline.named("acct-trail-key"),
        baseline.named("acct-trail-logs"),
    ):
        assert set(r.inputs["tags"]) >= REQUIRED_TAGS, r.name
    assert all(r.name.startswith("acct") for r in baseline.registrations.values() if r.custom)


def test_in_another_region_and_partition_lookups_build_the_arns_there(pulumi_mocks: MockRuntime) -> None:
    # GIVEN the component with an eu-west-1 provider in a us-east-1 stack
    def program() -> None:
        eu = aws.Provider("eu", region="eu-west-1")
        AccountBaseline("acct", AccountBaselineArgs(), pulumi.ResourceOptions(providers={"aws": eu}))

    run = pulumi_mocks.run(program)
    # THEN the standard's ARN and the trail ARN in the policies name eu-west-1 (lookups were parented)
    fsbp = _one(run, "aws:securityhub/standardsSubscription:StandardsSubscription")
    assert fsbp.inputs["standardsArn"].startswith("arn:aws:securityhub:eu-west-1::standards/")
    assert f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/acct-trail" in run.named("acct-trail-key").inputs["policy"]
    assert {i.region for i in run.invocations} == {"eu-west-1"}


def test_each_service_can_be_left_to_an_organisations_delegated_administrator(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(
        lambda: AccountBaseline("acct", AccountBaselineArgs(guardduty=False, security_hub=False, access_analyzer=False))
    )
    types = {r.type for r in run.registrations.values()}
    assert TRAIL in types
    assert not types & {
        "aws:guardduty/detector:Detector",
        "aws:securityhub/account:Account",
        "aws:accessanalyzer/analyzer:Analyzer",
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"log_retention_days": 30}, r"AccountBaseline 'acct'.*\[log_retention_days\].*30.*90\.\.3650"),
        ({"trail_name": "a b"}, r"\[trail_name\].*'a b'.*3 to 128"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_created(
    pulumi_mocks: MockRuntime, changes: dict[str, Any], message: str
) -> None:
    text, run = pulumi_mocks.refusal(lambda: AccountBaseline("acct", AccountBaselineArgs(**changes)))
    assert re.search(message, text), text
    assert not [r for r in run.registrations.values() if "AccountBaseline" in r.type]


def test_the_baseline_program_deploys_the_component_as_its_own_stack(pulumi_mocks: MockRuntime) -> None:
    # GIVEN the baseline/ program (its own Pulumi project), run as `pulumi up` would in eu-west-1
    assert "name: account-baseline" in (BASELINE_DIR / "Pulumi.yaml").read_text()
    assert not (BASELINE_DIR / "__init__.py").exists()
    run = pulumi_mocks.run(
        lambda: runpy.run_path(str(BASELINE_DIR), run_name="__main__"),
        config={"aws:region": "eu-west-1", "account-baseline:logRetentionDays": "730"},
    )
    # THEN it holds the four services, in the stack's region, with the configured retention
    assert len(run.of_type(TRAIL)) == 1
    assert len(run.of_type("aws:guardduty/detector:Detector")) == 1
    assert len(run.of_type("aws:securityhub/standardsSubscription:StandardsSubscription")) == 1
    assert len(run.of_type("aws:accessanalyzer/analyzer:Analyzer")) == 1
    assert (
        ":eu-west-1::"
        in _one(run, "aws:securityhub/standardsSubscription:StandardsSubscription").inputs["standardsArn"]
    )
    rules = {r["id"]: r for r in run.named("baseline-trail-logs-lifecycle").inputs["rules"]}
    assert rules["expire-objects"]["expiration"] == {"days": 730}
    assert set(run.outputs) >= {"trail_arn", "log_bucket_name", "detector_id"}
