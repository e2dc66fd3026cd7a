"""AccountBaseline: the security services an AWS account needs once, whatever runs in it.

Deploy it once per account (and per region for the regional services), as its own stack: the
``baseline/`` Pulumi program (docs/components/account_baseline.md). It is never part of an
environment's stack: two environments in one account would otherwise fight over the one GuardDuty
detector and Security Hub account the account may have.

Creates:

* ``<name>-trail-key``: a KMS key (rotation on) that encrypts the trail's log files; its policy
  lets the account administer it, CloudTrail (for this account's trail only: ``aws:SourceArn``)
  generate data keys and describe it, and principals of this account decrypt what CloudTrail
  encrypted (``kms:EncryptionContext:aws:cloudtrail:arn``);
* ``<name>-trail-logs``: a private bucket (all four public-access blocks, SSE-S3, ACLs disabled,
  versioned) whose lifecycle expires log files after ``log_retention_days`` and old versions 30
  days later, with the TLS-only deny and the two statements CloudTrail needs (``GetBucketAcl`` and
  ``PutObject`` under ``AWSLogs/<account>/``, both limited to this trail by ``aws:SourceArn``);
* ``<name>-trail``: a multi-region CloudTrail trail (global service events included, log file
  validation on, KMS-encrypted), created after the bucket policy;
* ``<name>-guardduty``: a GuardDuty detector publishing findings every ``finding_frequency``;
* ``<name>-security-hub``: Security Hub enabled without its default standards, and
  ``<name>-fsbp``: the subscription to the AWS Foundational Security Best Practices standard v1.0.0
  (its ARN built from the component's region and partition lookups);
* ``<name>-access-analyzer``: an IAM Access Analyzer with the account as its zone of trust.

Each service can be turned off (``guardduty=False`` …, ``cloudtrail=False`` in a second region's
stack, since one multi-region trail records every region) where the organisation already runs it
from a delegated administrator account.

Example::

    AccountBaseline("baseline", AccountBaselineArgs(log_retention_days=365))

Cost (monthly, us-east-1): the first trail's management events are free; S3 for the logs
($0.023/GB-month); KMS $1 per key plus requests; GuardDuty by events and data analysed (30-day
free trial); Security Hub per security check and finding ingested (30-day free trial); Access
Analyzer's external-access analyzer is free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
import pulumi_aws as aws

from components._private_bucket import attach_policy, create_private_bucket
from components.base import Component

__all__ = ["AccountBaseline", "AccountBaselineArgs", "FindingFrequency", "fsbp_standard_arn"]

FSBP_VERSION = "1.0.0"


def fsbp_standard_arn(partition: str, region: str) -> str:
    """The AWS Foundational Security Best Practices standard's ARN in ``region`` (a regional resource)."""
    return f"arn:{partition}:securityhub:{region}::standards/aws-foundational-security-best-practices/v/{FSBP_VERSION}"


class FindingFrequency(StrEnum):
    """How often GuardDuty publishes updated findings to EventBridge and Security Hub."""

    FIFTEEN_MINUTES = "FIFTEEN_MINUTES"
    ONE_HOUR = "ONE_HOUR"
    SIX_HOURS = "SIX_HOURS"


@dataclass(frozen=True, kw_only=True)
class AccountBaselineArgs:
    """Arguments of `AccountBaseline`."""

    trail_name: str | None = None
    """The trail's name (unique per account and region). Default: None (``<name>-trail``)."""
    log_retention_days: int = 365
    """Days CloudTrail log files are kept in the bucket (90 to 3650). Default: 365."""
    cloudtrail: bool = True
    """Create the multi-region trail, its key and bucket (off in a second region's stack: one trail records every region). Default: True."""
    guardduty: bool = True
    """Enable a GuardDuty detector. Default: True."""
    finding_frequency: FindingFrequency = FindingFrequency.FIFTEEN_MINUTES
    """How often GuardDuty publishes updated findings. Default: FIFTEEN_MINUTES."""
    security_hub: bool = True
    """Enable Security Hub with the AWS Foundational Security Best Practices standard. Default: True."""
    access_analyzer: bool = True
    """Create an account-scoped IAM Access Analyzer. Default: True."""
    force_destroy_logs: bool = False
    """Let ``pulumi destroy`` delete the log bucket with its logs (test accounts only). Default: False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags. Default: {}."""


class AccountBaseline(Component):
    """CloudTrail, GuardDuty, Security Hub (FSBP) and IAM Access Analyzer for one account."""

    trail_arn: pulumi.Output[str] | None
    """The trail's ARN (None when ``cloudtrail`` is off)."""
    log_bucket_name: pulumi.Output[str] | None
    """The bucket holding the trail's log files (None when ``cloudtrail`` is off)."""
    trail_key_arn: pulumi.Output[str] | None
    """The KMS key that encrypts the log files (None when ``cloudtrail`` is off)."""
    detector_id: pulumi.Output[str] | None
    """The GuardDuty detector's id (None when ``guardduty`` is off)."""
    standards_subscription_arn: pulumi.Output[str] | None
    """The FSBP subscription's ARN (None when ``security_hub`` is off)."""
    analyzer_arn: pulumi.Output[str] | None
    """The Access Analyzer's ARN (None when ``access_analyzer`` is off)."""

    def __init__(self, name: str, args: AccountBaselineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        account = aws.get_caller_identity(opts=self.lookup_opts()).account_id
        region = aws.get_region(opts=self.lookup_opts()).region
        partition = aws.get_partition(opts=self.lookup_opts()).partition
        self.trail_arn: pulumi.Output[str] | None = None
        self.log_bucket_name: pulumi.Output[str] | None = None
        self.trail_key_arn: pulumi.Output[str] | None = None
        if args.cloudtrail:
            self._trail(name, args, account, region, partition)

        self.detector_id = None
        if args.guardduty:
            detector = aws.guardduty.Detector(
                f"{name}-guardduty",
                enable=True,
                finding_publishing_frequency=args.finding_frequency.value,
                tags=self.tags(f"{name}-guardduty"),
                opts=self.child_opts(),
            )
            self.detector_id = detector.id

        self.standards_subscription_arn = None
        if args.security_hub:
            hub = aws.securityhub.Account(
                f"{name}-security-hub",
                enable_default_standards=False,
                auto_enable_controls=True,
                control_finding_generator="SECURITY_CONTROL",
                opts=self.child_opts(),
            )
            fsbp = aws.securityhub.StandardsSubscription(
                f"{name}-fsbp",
                standards_arn=fsbp_standard_arn(partition, region),
                opts=self.child_opts(depends_on=[hub]),
            )
            self.standards_subscription_arn = fsbp.id

        self.analyzer_arn = None
        if args.access_analyzer:
            analyzer = aws.accessanalyzer.Analyzer(
                f"{name}-access-analyzer",
                analyzer_name=f"{name}-access-analyzer",
                type="ACCOUNT",
                tags=self.tags(f"{name}-access-analyzer"),
                opts=self.child_opts(),
            )
            self.analyzer_arn = analyzer.arn

        self.register_outputs(
            {
                "trail_arn": self.trail_arn,
                "log_bucket_name": self.log_bucket_name,
                "trail_key_arn": self.trail_key_arn,
                "detector_id": self.detector_id,
                "standards_subscription_arn": self.standards_subscription_arn,
                "analyzer_arn": self.analyzer_arn,
            }
        )

    def _trail(self, name: str, args: AccountBaselineArgs, account: str, region: str, partition: str) -> None:
        trail_name = args.trail_name or f"{name}-trail"
        # Known before the trail exists, so the key and bucket policies can name it.
        trail_arn = f"arn:{partition}:cloudtrail:{region}:{account}:trail/{trail_name}"

        key = self._trail_key(name, account, partition, trail_arn)
        bucket, policy = self._log_bucket(name, args, account, trail_arn)
        trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=trail_name,
            s3_bucket_name=bucket.bucket,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=key.arn,
            tags=self.tags(trail_name),
            opts=self.child_opts(depends_on=[policy]),
        )
        self.trail_arn = trail.arn
        self.log_bucket_name = bucket.bucket
        self.trail_key_arn = key.arn

    def _trail_key(self, name: str, account: str, partition: str, trail_arn: str) -> aws.kms.Key:
        trails_of_this_account = f"arn:{partition}:cloudtrail:*:{account}:trail/*"
        return aws.kms.Key(
            f"{name}-trail-key",
            description=f"{name}: encrypts CloudTrail log files",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AccountAdministers",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                            "Action": "kms:*",
                            "Resource": "*",
                        },
                        {
                            "Sid": "CloudTrailEncryptsLogs",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudtrail.amazonaws.com"},
                            "Action": "kms:GenerateDataKey*",
                            "Resource": "*",
                            "Condition": {
                                "StringEquals": {"aws:SourceArn": trail_arn},
                                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails_of_this_account},
                            },
                        },
                        {
                            "Sid": "CloudTrailDescribesKey",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudtrail.amazonaws.com"},
                            "Action": "kms:DescribeKey",
                            "Resource": "*",
                            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
                        },
                        {
                            "Sid": "AccountReadsLogs",
                            "Effect": "Allow",
                            "Principal": {"AWS": "*"},
                            "Action": ["kms:Decrypt", "kms:ReEncryptFrom"],
                            "Resource": "*",
                            "Condition": {
                                "StringEquals": {"kms:CallerAccount": account},
                                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails_of_this_account},
                            },
                        },
                    ],
                }
            ),
            tags=self.tags(f"{name}-trail-key"),
            opts=self.child_opts(),
        )

    def _log_bucket(
        self, name: str, args: AccountBaselineArgs, account: str, trail_arn: str
    ) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
        private = create_private_bucket(
            self,
            name,
            "trail-logs",
            kind=self.KIND,
            tags=args.tags,
            versioning=True,
            noncurrent_version_expiration_days=30,
            expiration_days=args.log_retention_days,
            force_destroy=args.force_destroy_logs,
        )
        bucket = private.bucket
        this_trail = {"StringEquals": {"aws:SourceArn": trail_arn}}
        policy = attach_policy(
            self,
            name,
            "trail-logs",
            private,
            [
                {
                    "Sid": "CloudTrailChecksAcl",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:GetBucketAcl",
                    "Resource": bucket.arn,
                    "Condition": this_trail,
                },
                {
                    "Sid": "CloudTrailWrites",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(bucket.arn, f"/AWSLogs/{account}/*"),
                    "Condition": {
                        "StringEquals": {"aws:SourceArn": trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"}
                    },
                },
            ],
        )
        return bucket, policy


def _validate(name: str, args: AccountBaselineArgs) -> None:
    if not 90 <= args.log_retention_days <= 3650:
        AccountBaseline.fail(
            name,
            "log_retention_days",
            f"{args.log_retention_days} is outside 90..3650; audit logs are kept at least 90 days (e.g. 365).",
        )
    trail = args.trail_name
    if trail is not None and not (3 <= len(trail) <= 128 and all(c.isalnum() or c in "._-" for c in trail)):
        AccountBaseline.fail(
            name,
            "trail_name",
            f"{trail!r} is not a CloudTrail trail name: 3 to 128 letters, digits, '.', '_' or '-'.",
        )
