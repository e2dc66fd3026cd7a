"""Private S3 bucket building blocks shared by `LoadBalancer` (access logs) and `Cdn` (site, media, logs).

Not a component: `create_private_bucket` creates the bucket's resources as direct children of the
calling component (``parent``), named ``f"{name}-{role}"``, ``f"{name}-{role}-public-access-block"``...
The policy builders are pure.

Every bucket gets all four public-access blocks, default encryption (SSE-S3, or SSE-KMS with a bucket
key), an ownership control (``BucketOwnerEnforced``: ACLs disabled, unless a caller needs ACLs, as
CloudFront standard logging does), optional versioning with noncurrent-version expiry, a lifecycle
rule that aborts incomplete multipart uploads, and (through `attach_policy`) a bucket policy that
always starts with the TLS-only deny.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.tags import layered_tags


@dataclass(frozen=True)
class PrivateBucket:
    """The resources `create_private_bucket` made."""

    bucket: aws.s3.Bucket
    public_access_block: aws.s3.BucketPublicAccessBlock
    ownership: aws.s3.BucketOwnershipControls


def deny_insecure_transport(bucket_arn: pulumi.Input[str]) -> dict[str, object]:
    """The statement that refuses every request not made over TLS (FSBP S3.5)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def policy_document(bucket_arn: pulumi.Input[str], statements: Sequence[Mapping[str, object]]) -> pulumi.Output[str]:
    """A bucket policy: the TLS-only deny first, then ``statements``; rendered with `Output.json_dumps`."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [deny_insecure_transport(bucket_arn), *statements],
        }
    )


def create_private_bucket(
    parent: pulumi.Resource,
    name: str,
    role: str,
    *,
    kind: str,
    tags: Mapping[str, str],
    kms_key_arn: pulumi.Input[str] | None = None,
    versioning: bool = False,
    noncurrent_version_expiration_days: int | None = None,
    expiration_days: int | None = None,
    object_ownership: str = "BucketOwnerEnforced",
    force_destroy: bool = False,
) -> PrivateBucket:
    """Create a private, encrypted bucket ``f"{name}-{role}"`` and its configuration as children of ``parent``."""
    prefix = f"{name}-{role}"

    def child() -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=parent)

    bucket = aws.s3.Bucket(prefix, force_destroy=force_destroy, tags=layered_tags(kind, prefix, tags), opts=child())
    pab = aws.s3.BucketPublicAccessBlock(
        f"{prefix}-public-access-block",
        bucket=bucket.bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child(),
    )
    ownership = aws.s3.BucketOwnershipControls(
        f"{prefix}-ownership",
        bucket=bucket.bucket,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership=object_ownership),
        opts=child(),
    )
    if kms_key_arn is None:
        default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="AES256"
        )
    else:
        default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
        )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{prefix}-encryption",
        bucket=bucket.bucket,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=default,
                bucket_key_enabled=kms_key_arn is not None,
            )
        ],
        opts=child(),
    )
    if versioning:
        aws.s3.BucketVersioning(
            f"{prefix}-versioning",
            bucket=bucket.bucket,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child(),
        )
    rules = [
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="abort-incomplete-multipart-uploads",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=7
            ),
        )
    ]
    if versioning and noncurrent_version_expiration_days:
        rules.append(
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-noncurrent-versions",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=noncurrent_version_expiration_days
                ),
            )
        )
    if expiration_days:
        rules.append(
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-objects",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expiration_days),
            )
        )
    aws.s3.BucketLifecycleConfiguration(f"{prefix}-lifecycle", bucket=bucket.bucket, rules=rules, opts=child())
    return PrivateBucket(bucket=bucket, public_access_block=pab, ownership=ownership)


def attach_policy(
    parent: pulumi.Resource,
    name: str,
    role: str,
    private: PrivateBucket,
    statements: Sequence[Mapping[str, object]] = (),
) -> aws.s3.BucketPolicy:
    """The bucket policy ``f"{name}-{role}-policy"``: TLS-only deny + ``statements``.

    It waits for the public-access block and ownership controls, so S3 never sees two conflicting
    configuration calls on the same bucket at once.
    """
    return aws.s3.BucketPolicy(
        f"{name}-{role}-policy",
        bucket=private.bucket.bucket,
        policy=policy_document(private.bucket.arn, statements),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[private.public_access_block, private.ownership]),
    )
