"""Issue 14 item 5: prod encrypts its data at rest with the environment's own KMS key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.errors import ComponentArgsError
from components.kms_key import ADMIN_ACTIONS, EnvironmentKey, EnvironmentKeyArgs
from stacks.offline.mocks import ProgramRun
from stacks.offline.plan import run_platform
from tests.conftest import MockRuntime


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return run_platform("prod")


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return run_platform("dev")


def _key_arn(run: ProgramRun) -> str:
    (key,) = run.of_type("aws:kms/key:Key")
    arn = key.outputs["arn"]
    assert isinstance(arn, str) and arn.startswith("arn:aws:kms:us-east-1:")
    return arn


def _sse_key(bucket_config: dict[str, Any]) -> tuple[str, str | None]:
    (rule,) = bucket_config["rules"]
    default = rule["applyServerSideEncryptionByDefault"]
    return default["sseAlgorithm"], default.get("kmsMasterKeyId")


def test_prod_has_one_rotated_environment_key_and_dev_none(prod: ProgramRun, dev: ProgramRun) -> None:
    (key,) = prod.of_type("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True and key.inputs["rotationPeriodInDays"] == 365
    assert [a.inputs["name"] for a in prod.of_type("aws:kms/alias:Alias")] == ["alias/streaming-platform/prod"]
    # dev keeps the AWS-managed keys (and the alarm topic, if any, its own small key)
    assert [k.name for k in dev.of_type("aws:kms/key:Key") if k.name == "streaming-key-key"] == []


def test_prod_encrypts_every_listed_resource_with_the_environment_key(prod: ProgramRun) -> None:
    arn = _key_arn(prod)

    # CloudWatch log groups: services, database exports, cache slow log, flow logs
    # (not the WAF log group: a CloudFront web ACL logs to us-east-1, the key is in the stack's region)
    groups = [g for g in prod.of_type("aws:cloudwatch/logGroup:LogGroup") if g.name != "streaming-waf-logs"]
    assert groups and {g.name: g.inputs.get("kmsKeyId") for g in groups} == {g.name: arn for g in groups}
    # Secrets Manager: every secret the platform creates, and the RDS-managed master secret
    secrets = prod.of_type("aws:secretsmanager/secret:Secret")
    assert secrets and {s.name: s.inputs.get("kmsKeyId") for s in secrets} == {s.name: arn for s in secrets}
    (db,) = prod.of_type("aws:rds/instance:Instance")
    assert (db.inputs["kmsKeyId"], db.inputs["performanceInsightsKmsKeyId"], db.inputs["masterUserSecretKmsKeyId"]) == (
        arn,
        arn,
        arn,
    )
    assert db.inputs["storageEncrypted"] is True
    (cache,) = prod.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert cache.inputs["kmsKeyId"] == arn and cache.inputs["atRestEncryptionEnabled"] in (True, "true")
    (repo,) = prod.of_type("aws:ecr/repository:Repository")
    assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": arn}]
    for topic in prod.of_type("aws:sns/topic:Topic"):
        assert topic.inputs["kmsMasterKeyId"] == arn, topic.name
    # the site and media buckets use SSE-KMS with the key; the ALB's access-log bucket must stay
    # SSE-S3 (Elastic Load Balancing delivers access logs only to SSE-S3 buckets), and so does the
    # CloudFront standard-log bucket
    sse = {
        r.name: _sse_key(r.inputs)
        for r in prod.of_type("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    }
    by_role = {name.removesuffix("-encryption").removesuffix("-sse"): value for name, value in sse.items()}
    assert {k: v for k, v in by_role.items() if "site" in k or "media" in k} == {
        k: ("aws:kms", arn) for k in by_role if "site" in k or "media" in k
    }
    assert {v for k, v in by_role.items() if "log" in k} == {("AES256", None)}


def test_the_tasks_may_decrypt_their_secrets_and_media_with_the_key(prod: ProgramRun) -> None:
    arn = _key_arn(prod)
    documents = [json.loads(p.inputs["policy"]) for p in prod.of_type("aws:iam/rolePolicy:RolePolicy")]
    kms_resources = {
        res
        for d in documents
        for st in d["Statement"]
        if any(a.startswith("kms:") for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"]))
        for res in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"])
    }
    assert kms_resources == {arn}


def test_the_key_policy_grants_no_direct_use_only_use_through_the_services(prod: ProgramRun) -> None:
    (key,) = prod.of_type("aws:kms/key:Key")
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}

    # the account administers the key, but no administrative statement can encrypt or decrypt
    assert statements["KeyAdministration"]["Action"] == list(ADMIN_ACTIONS)
    assert not [a for a in ADMIN_ACTIONS if a.split(":")[1].startswith(("Encrypt", "Decrypt", "Generate", "ReEncrypt"))]
    # every use by the account's principals goes through one named service in this region
    via = {
        s["Condition"]["StringEquals"]["kms:ViaService"]
        for sid, s in statements.items()
        if sid.startswith("UseThrough")
    }
    assert via == {
        f"{svc}.us-east-1.amazonaws.com"
        for svc in ("secretsmanager", "s3", "ecr", "elasticache", "rds", "sns", "backup")
    }
    # and the service principals are pinned to this account (and region, for logs)
    assert statements["CloudWatchLogs"]["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert statements["CloudWatchLogs"]["Condition"]["ArnLike"] == {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:*"
    }
    assert statements["CloudFrontReadsBuckets"]["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert statements["CloudWatchAlarmsPublish"]["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert all(s["Principal"] != "*" and s["Principal"].get("AWS") != "*" for s in statements.values())


@pytest.mark.parametrize(
    ("overrides", "argument", "match"),
    [
        ({"alias_prefix": "aws/prod"}, "alias_prefix", "not starting with 'aws'"),
        ({"alias_prefix": "a b"}, "alias_prefix", "'a b' is not a usable alias"),
        ({"rotation_days": 30}, "rotation_days", "30 is outside KMS's 90-2560 days"),
        ({"deletion_window_days": 3}, "deletion_window_days", "3 is outside KMS's 7-30 days"),
    ],
)
def test_bad_key_arguments_are_refused_before_anything_is_created(
    pulumi_mocks: MockRuntime, overrides: dict[str, Any], argument: str, match: str
) -> None:
    def program() -> None:
        with pytest.raises(ComponentArgsError, match=rf"^EnvironmentKey 'k': \[{argument}\] .*{match}"):
            EnvironmentKey("k", EnvironmentKeyArgs(**{"alias_prefix": "shop/prod", **overrides}))

    assert pulumi_mocks.run(program).registrations == {}
