"""EnvironmentKey: one customer-managed KMS key per environment, rotated yearly, usable only through
the AWS services that encrypt the environment's data.

Creates (children named ``<name>-<role>`` and parented to the component):

- ``<name>-key``: a symmetric ``aws.kms.Key`` with automatic rotation (every `rotation_days`) and a
  30-day deletion window, whose key policy has four kinds of statement:

  * ``KeyAdministration``: the account may *administer* the key (describe, tag, change the policy,
    schedule deletion) through IAM policies, but the statement grants no cryptographic action, so
    no principal can encrypt or decrypt with it directly;
  * ``UseThrough<Service>``: principals of this account that IAM allows may use the key **only
    through** each listed service (``kms:ViaService`` = ``<service>.<region>.amazonaws.com``,
    ``kms:CallerAccount`` = this account): Secrets Manager, S3, ECR, ElastiCache, RDS, SNS and AWS
    Backup by default;
  * ``CloudWatchLogs``: the regional CloudWatch Logs service, for log groups of this account and
    region only (``kms:EncryptionContext:aws:logs:arn``);
  * ``CloudWatchAlarmsPublish`` / ``CloudFrontReadsBuckets``: CloudWatch (publishing an alarm to an
    encrypted SNS topic) and CloudFront (reading SSE-KMS objects through origin access control),
    each only for this account (``aws:SourceAccount``; CloudFront also ``aws:SourceArn`` on the
    account's distributions).

- ``<name>-alias``: ``alias/<alias_prefix>`` so people find the key in the console.

What it does not cover: the ALB's access-log bucket stays SSE-S3 (Elastic Load Balancing writes
access logs only to SSE-S3 buckets), and CloudFront standard logs are written with the log bucket's
own SSE-S3 default for the same reason.

Example::

    key = EnvironmentKey("shop-key", EnvironmentKeyArgs(alias_prefix="shop/prod"))
    Postgres("shop-db", PostgresArgs.in_vpc(net, kms_key_id=key.arn, log_kms_key_arn=key.arn))

Day 2: rotation is automatic (new key material each `rotation_days`; old material keeps
decrypting). Switching an existing RDS instance or ElastiCache group to this key forces its
replacement (AWS cannot re-encrypt either in place): do it at creation, or migrate by snapshot
copy with the new key and restore. ``pulumi destroy`` schedules the key's deletion after
`deletion_window_days`; a rebuild within that window creates a new key (keys are auto-named) and a
new alias target, so nothing collides.

Cost: $1.00 per key per month (rotated material included for the first two rotations, then $1 per
rotation retained; AWS KMS pricing) plus $0.03 per 10,000 requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.base import Component

__all__ = ["DEFAULT_SERVICES", "EnvironmentKey", "EnvironmentKeyArgs", "key_policy"]

#: Services that may use the key on behalf of the account's principals (``kms:ViaService``).
DEFAULT_SERVICES = ("secretsmanager", "s3", "ecr", "elasticache", "rds", "sns", "backup")

#: Administrative actions the account keeps: everything but cryptographic use.
ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
)
#: What a service may do with the key for a caller (what the AWS-managed keys' policies allow).
SERVICE_ACTIONS = (
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)
_ALIAS = re.compile(r"^[a-zA-Z0-9/_-]{1,200}$")


@dataclass(frozen=True, kw_only=True)
class EnvironmentKeyArgs:
    """Arguments of `EnvironmentKey`."""

    alias_prefix: str
    """The alias after ``alias/``, e.g. ``streaming-platform/prod``: letters, digits, ``/``, ``_`` and
    ``-``, not starting with ``aws``. Default: required."""

    services: Sequence[str] = DEFAULT_SERVICES
    """Service endpoint prefixes that may use the key for this account's principals. Default:
    ``DEFAULT_SERVICES`` (secretsmanager, s3, ecr, elasticache, rds, sns, backup)."""

    cloudwatch_logs: bool = True
    """Let CloudWatch Logs encrypt this account's log groups in this region. Default: ``True``."""

    cloudwatch_alarms: bool = True
    """Let CloudWatch publish alarms to topics encrypted with the key. Default: ``True``."""

    cloudfront: bool = True
    """Let this account's CloudFront distributions read SSE-KMS objects (origin access control). Default: ``True``."""

    rotation_days: int = 365
    """Days between automatic rotations of the key material (90-2560). Default: ``365``."""

    deletion_window_days: int = 30
    """Days between ``pulumi destroy`` and the key's deletion (7-30). Default: ``30``."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags layered over the common tags. Default: ``{}``."""


def key_policy(
    args: EnvironmentKeyArgs, *, account: str, region: str, partition: str, dns_suffix: str = "amazonaws.com"
) -> dict[str, Any]:
    """The key policy document for ``args`` in one account and region."""
    root = f"arn:{partition}:iam::{account}:root"
    statements: list[dict[str, Any]] = [
        {
            "Sid": "KeyAdministration",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": list(ADMIN_ACTIONS),
            "Resource": "*",
        }
    ]
    for service in args.services:
        statements.append(
            {
                "Sid": f"UseThrough{service.title().replace('-', '')}",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": list(SERVICE_ACTIONS),
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:ViaService": f"{service}.{region}.{dns_suffix}", "kms:CallerAccount": account}
                },
            }
        )
    if args.cloudwatch_logs:
        statements.append(
            {
                "Sid": "CloudWatchLogs",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.{dns_suffix}"},
                "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account}:log-group:*"
                    }
                },
            }
        )
    if args.cloudwatch_alarms:
        statements.append(
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": f"cloudwatch.{dns_suffix}"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }
        )
    if args.cloudfront:
        statements.append(
            {
                "Sid": "CloudFrontReadsBuckets",
                "Effect": "Allow",
                "Principal": {"Service": f"cloudfront.{dns_suffix}"},
                "Action": ["kms:Decrypt"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudfront::{account}:distribution/*"},
                },
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


class EnvironmentKey(Component):
    """One customer-managed KMS key for an environment's data at rest."""

    arn: pulumi.Output[str]
    """The key's ARN (pass it wherever a component takes a KMS key)."""
    alias_name: pulumi.Output[str]
    """``alias/<alias_prefix>``."""

    def __init__(self, name: str, args: EnvironmentKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        lookup = self.lookup_opts()
        account = aws.get_caller_identity(opts=lookup).account_id
        region = aws.get_region(opts=lookup).region
        partition = aws.get_partition(opts=lookup)
        policy = key_policy(
            args, account=account, region=region, partition=partition.partition, dns_suffix=partition.dns_suffix
        )
        key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the data of {args.alias_prefix} at rest (logs, secrets, buckets, images, data tier)",
            enable_key_rotation=True,
            rotation_period_in_days=args.rotation_days,
            deletion_window_in_days=args.deletion_window_days,
            policy=json.dumps(policy),
            tags=self.tags(f"{name}-key"),
            opts=self.child_opts(),
        )
        alias = aws.kms.Alias(
            f"{name}-alias", name=f"alias/{args.alias_prefix}", target_key_id=key.key_id, opts=self.child_opts()
        )
        self.arn = key.arn
        self.alias_name = alias.name
        self.register_outputs({"arn": self.arn, "alias_name": self.alias_name})


def _validate(name: str, args: EnvironmentKeyArgs) -> None:
    if not _ALIAS.fullmatch(args.alias_prefix) or args.alias_prefix.lower().startswith("aws"):
        EnvironmentKey.fail(
            name,
            "alias_prefix",
            f"{args.alias_prefix!r} is not a usable alias: 1-200 letters, digits, '/', '_' and '-', "
            "not starting with 'aws' (reserved for AWS-managed keys).",
        )
    if not 90 <= args.rotation_days <= 2560:
        EnvironmentKey.fail(name, "rotation_days", f"{args.rotation_days} is outside KMS's 90-2560 days.")
    if not 7 <= args.deletion_window_days <= 30:
        EnvironmentKey.fail(name, "deletion_window_days", f"{args.deletion_window_days} is outside KMS's 7-30 days.")
    unknown = [s for s in args.services if not re.fullmatch(r"[a-z0-9-]+", s)]
    if unknown:
        EnvironmentKey.fail(
            name, "services", f"{unknown} are not service endpoint prefixes (e.g. 'rds', 'secretsmanager')."
        )
