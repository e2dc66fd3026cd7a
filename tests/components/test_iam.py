"""Policy-document building: statements, ARN helpers and typed grants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.iam import (
    IamPolicyError,
    S3Access,
    S3Grant,
    StatementGrant,
    ecr_image_parts,
    ecr_repository_arn_from_image,
    grant_problems,
    grant_statements,
    is_secrets_manager_reference,
    is_ssm_parameter_arn,
    parse_arn,
    policy_document,
    secret_arn_of,
    service_trust_policy,
    statement,
    wildcard_problems,
)

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0f1e2d3c-AbCdEf"
PARAM = "arn:aws:ssm:us-east-1:123456789012:parameter/app/jwt"
BUCKET = "arn:aws:s3:::media-bucket"
DIGEST = "sha256:" + "0" * 64


# -- statements --------------------------------------------------------------------------------------


def test_a_statement_sorts_and_deduplicates_its_actions() -> None:
    stmt = statement("Read", ["s3:GetObject", "s3:GetObject", "s3:DeleteObject"], [f"{BUCKET}/*"])
    assert stmt == {
        "Sid": "Read",
        "Effect": "Allow",
        "Action": ["s3:DeleteObject", "s3:GetObject"],
        "Resource": [f"{BUCKET}/*"],
    }


@pytest.mark.parametrize(
    ("actions", "resources", "match"),
    [
        (["*"], [BUCKET], "grants a whole service"),
        (["s3:*"], [BUCKET], "grants a whole service"),
        (["s3:Get*"], ["*"], "wildcard actions on resource"),
        (["GetObject"], [BUCKET], "not of the form"),
        ([], [BUCKET], "no actions"),
        (["s3:GetObject"], [], "no resources"),
    ],
)
def test_a_too_broad_or_malformed_statement_is_refused(actions: list[str], resources: list[str], match: str) -> None:
    with pytest.raises(IamPolicyError, match=match):
        statement("Sid1", actions, resources)


def test_an_action_without_resource_level_permissions_may_use_resource_star() -> None:
    stmt = statement("EcrAuth", ["ecr:GetAuthorizationToken"], ["*"])
    assert stmt["Resource"] == ["*"]
    assert wildcard_problems(policy_document([stmt])) == []


def test_a_sid_must_be_alphanumeric() -> None:
    with pytest.raises(IamPolicyError, match="alphanumeric"):
        statement("read-media", ["s3:GetObject"], [BUCKET])


def test_a_document_refuses_duplicate_sids() -> None:
    stmt = statement("Read", ["s3:GetObject"], [f"{BUCKET}/*"])
    with pytest.raises(IamPolicyError, match="duplicate statement Sids"):
        policy_document([stmt, stmt])


def test_wildcard_problems_finds_star_on_star_and_service_wide_actions() -> None:
    doc = {
        "Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "AllS3", "Effect": "Allow", "Action": ["s3:*"], "Resource": [BUCKET]},
            {"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"},
            {"Sid": "Fine", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]},
        ]
    }
    assert wildcard_problems(doc) == ["Admin: service-wide action ['*']", "AllS3: service-wide action ['s3:*']"]


def test_a_service_trust_policy_is_limited_to_the_source_account() -> None:
    assert service_trust_policy("ecs-tasks.amazonaws.com", "123456789012") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AssumeByService",
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }


# -- ARNs ------------------------------------------------------------------------------------------------


def test_parse_arn_splits_the_parts_and_refuses_non_arns() -> None:
    assert parse_arn(SECRET) == ("aws", "secretsmanager", "us-east-1", "123456789012", "secret:rds!db-0f1e2d3c-AbCdEf")
    assert parse_arn("not-an-arn") is None


def test_a_json_key_suffix_is_stripped_to_the_secret_arn() -> None:
    assert secret_arn_of(f"{SECRET}:password::") == SECRET
    assert secret_arn_of(f"{SECRET}:username:AWSCURRENT:") == SECRET
    assert secret_arn_of(SECRET) == SECRET
    assert secret_arn_of(PARAM) == PARAM


@given(
    name=st.from_regex(r"[A-Za-z0-9/_+=.@!-]{1,40}", fullmatch=True),
    key=st.from_regex(r"[A-Za-z0-9_]{0,20}", fullmatch=True),
    stage=st.sampled_from(["", "AWSCURRENT", "AWSPREVIOUS"]),
)
def test_any_valuefrom_reference_reduces_to_its_secret_arn(name: str, key: str, stage: str) -> None:
    arn = f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{name}-AbC123"
    assert secret_arn_of(f"{arn}:{key}:{stage}:") == arn
    assert is_secrets_manager_reference(f"{arn}:{key}:{stage}:")


def test_secret_kinds_are_told_apart() -> None:
    assert is_secrets_manager_reference(SECRET) and not is_ssm_parameter_arn(SECRET)
    assert is_ssm_parameter_arn(PARAM) and not is_secrets_manager_reference(PARAM)
    assert not is_secrets_manager_reference("my-secret")


@pytest.mark.parametrize(
    ("image", "arn"),
    [
        (
            f"123456789012.dkr.ecr.us-east-1.amazonaws.com/app@{DIGEST}",
            "arn:aws:ecr:us-east-1:123456789012:repository/app",
        ),
        (
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2",
            "arn:aws:ecr:eu-west-1:123456789012:repository/team/app",
        ),
        (
            f"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app@{DIGEST}",
            "arn:aws-cn:ecr:cn-north-1:123456789012:repository/app",
        ),
        (f"public.ecr.aws/docker/library/python@{DIGEST}", None),
        ("python:3.12-slim", None),
    ],
)
def test_the_repository_arn_is_derived_from_an_ecr_image_uri_only(image: str, arn: str | None) -> None:
    assert ecr_repository_arn_from_image(image) == arn


def test_ecr_image_parts_separate_tag_and_digest() -> None:
    parts = ecr_image_parts(f"123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1@{DIGEST}")
    assert parts == {
        "account": "123456789012",
        "region": "us-east-1",
        "repo": "app",
        "tag": "v1",
        "digest": DIGEST,
        "partition": "aws",
    }


# -- grants ----------------------------------------------------------------------------------------------


def test_a_read_grant_allows_exactly_getobject_on_the_prefix() -> None:
    assert grant_statements([S3Grant(bucket_arn=BUCKET)]) == [
        {"Sid": "S3Objects", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{BUCKET}/media/*"]},
    ]


def test_a_read_write_grant_adds_put_and_delete_and_listing_is_limited_to_the_prefix() -> None:
    grant = S3Grant(bucket_arn=BUCKET, prefix="uploads/*", access=S3Access.READ_WRITE, list_bucket=True)
    assert grant.statements() == [
        {
            "Sid": "S3Objects",
            "Effect": "Allow",
            "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            "Resource": [f"{BUCKET}/uploads/*"],
        },
        {
            "Sid": "S3ObjectsList",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [BUCKET],
            "Condition": {"StringLike": {"s3:prefix": ["uploads/*"]}},
        },
    ]


def test_a_grant_on_a_kms_encrypted_bucket_may_use_exactly_that_key() -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-0000-0000-000000000000"
    stmts = S3Grant(bucket_arn=BUCKET, access=S3Access.READ_WRITE, kms_key_arn=key).statements()
    assert stmts[-1] == {
        "Sid": "S3ObjectsKms",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": [key],
    }


@pytest.mark.parametrize(
    ("grant", "match"),
    [
        (S3Grant(bucket_arn=BUCKET, prefix="/media/*"), "no leading '/'"),
        (S3Grant(bucket_arn=BUCKET, prefix="my media/*"), "no leading '/', no spaces"),
        (S3Grant(bucket_arn="media-bucket"), "not a bucket ARN"),
        (
            StatementGrant(sid="Queue", actions=("sqs:*",), resources=("arn:aws:sqs:us-east-1:123456789012:q",)),
            "grants a whole service",
        ),
    ],
)
def test_an_invalid_grant_is_reported(grant: S3Grant | StatementGrant, match: str) -> None:
    problems = grant_problems([grant])
    assert len(problems) == 1
    assert match in problems[0]


def test_two_grants_with_the_same_sid_are_reported() -> None:
    problems = grant_problems([S3Grant(bucket_arn=BUCKET), S3Grant(bucket_arn=BUCKET, prefix="posters/*")])
    assert problems == ["statement ids ['S3Objects'] are used twice; give each grant a distinct sid."]


def test_a_statement_grant_keeps_its_conditions() -> None:
    grant = StatementGrant(
        sid="Send",
        actions=("sqs:SendMessage",),
        resources=("arn:aws:sqs:us-east-1:123456789012:q",),
        conditions={"Bool": {"aws:SecureTransport": "true"}},
    )
    assert grant.statements()[0]["Condition"] == {"Bool": {"aws:SecureTransport": "true"}}
