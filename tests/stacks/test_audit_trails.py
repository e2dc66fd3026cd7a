"""Issue 14 item 6: the audit trails scanners look for, in prod (docs/security.md has the table)."""

from __future__ import annotations

import json

import pytest

from stacks.offline.mocks import ProgramRun
from stacks.offline.plan import run_platform


@pytest.fixture(scope="module")
def runs() -> dict[str, ProgramRun]:
    return {env: run_platform(env) for env in ("dev", "prod")}


def test_prod_logs_waf_requests_to_an_aws_waf_logs_group_with_credentials_redacted(runs: dict[str, ProgramRun]) -> None:
    prod = runs["prod"]
    (logging,) = prod.of_type("aws:wafv2/webAclLogging:WebAclLoggingConfiguration") or prod.of_type(
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
    )
    group = prod.named("streaming-waf-logs")
    assert group.inputs["name"] == "aws-waf-logs-streaming-platform-prod-streaming-waf"
    assert group.inputs["retentionInDays"] == 30
    assert logging.inputs["logDestinationConfigs"] == [group.outputs["arn"]]
    assert logging.inputs["resourceArn"] == prod.named("streaming-waf-acl").outputs["arn"]
    redacted = [f["singleHeader"]["name"] for f in logging.inputs["redactedFields"]]
    assert redacted == ["authorization", "cookie"]
    # the group lives where the web ACL does: us-east-1, through the stack's us-east-1 provider
    assert group.provider is not None and "streaming-us-east-1" in group.provider


def test_prod_keeps_s3_server_access_logs_of_the_site_and_media_buckets(runs: dict[str, ProgramRun]) -> None:
    prod = runs["prod"]
    logs_bucket = prod.named("streaming-cdn-logs").outputs["bucket"]
    targets = {
        r.name: (r.inputs["bucket"], r.inputs["targetBucket"], r.inputs["targetPrefix"])
        for r in prod.of_type("aws:s3/bucketLogging:BucketLogging")
    }
    assert targets == {
        "streaming-cdn-site-access-logging": (
            prod.named("streaming-cdn-site").outputs["bucket"],
            logs_bucket,
            "s3/site/",
        ),
        "streaming-cdn-media-access-logging": (
            prod.named("streaming-cdn-media").outputs["bucket"],
            logs_bucket,
            "s3/media/",
        ),
    }
    # the log bucket admits the S3 logging service only for this account's two buckets, under s3/
    policy = json.loads(prod.named("streaming-cdn-logs-policy").inputs["policy"])
    (statement,) = [s for s in policy["Statement"] if s.get("Sid") == "S3ServerAccessLogs"]
    assert statement["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert statement["Resource"].endswith("/s3/*")
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert len(statement["Condition"]["ArnLike"]["aws:SourceArn"]) == 2


def test_prod_database_has_enhanced_monitoring_and_iam_authentication(runs: dict[str, ProgramRun]) -> None:
    (db,) = runs["prod"].of_type("aws:rds/instance:Instance")
    assert db.inputs["monitoringInterval"] == 60 and db.inputs["monitoringRoleArn"].startswith("arn:aws:iam::")
    assert db.inputs["iamDatabaseAuthenticationEnabled"] is True
    (dev_db,) = runs["dev"].of_type("aws:rds/instance:Instance")
    assert dev_db.inputs.get("monitoringInterval", 0) == 0
    assert runs["dev"].of_type("aws:s3/bucketLogging:BucketLogging") == []
