"""Backup: an AWS Backup vault, a plan and a selection of the resources it protects.

Creates:

* ``<name>-vault``: an ``aws.backup.Vault`` (auto-named), encrypted with ``kms_key_arn`` when one
  is given, else with AWS Backup's AWS managed key (``aws/backup``);
* ``<name>-plan``: an ``aws.backup.Plan`` (auto-named) with one rule, ``<name>-daily``: recovery
  points on ``schedule`` (a ``cron(...)`` expression in UTC, or ``schedule_timezone``), started
  within ``start_window_minutes`` and finished within ``completion_window_minutes``, deleted after
  ``retention_days``; recovery points are tagged like the vault;
* ``<name>-role``: an IAM role trusted by ``backup.amazonaws.com`` (for this account only,
  ``aws:SourceAccount``), with AWS's managed policies ``AWSBackupServiceRolePolicyForBackup`` and
  ``…ForRestores`` and, when an S3 bucket is selected, ``AWSBackupServiceRolePolicyForS3Backup``
  and ``…ForS3Restore`` (``<name>-role-<policy>`` attachments);
* ``<name>-selection``: an ``aws.backup.Selection`` of ``resource_arns`` (RDS instances, S3
  buckets, …) under that role.

S3 buckets must have versioning enabled to be backed up (AWS Backup refuses otherwise); `Cdn`'s
buckets are versioned by default (``CdnArgs.versioning``).

Example::

    Backup("data", BackupArgs(resource_arns=(db.arn, cdn.media_bucket_arn), retention_days=35,
                              schedule="cron(0 3 * * ? *)"))

Cost: the vault, plan and selection are free; storage is billed per GB-month of recovery points
(us-east-1: S3 backups $0.05, RDS snapshots $0.095), restores per GB for S3. See docs/cost.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.base import Component

__all__ = ["Backup", "BackupArgs"]

_SCHEDULE = re.compile(r"^(cron\([^()]+\)|rate\([^()]+\))$")
_MANAGED = "service-role/AWSBackupServiceRolePolicyFor"
#: The managed policies every backup role gets, and the ones S3 needs on top (name -> policy suffix).
_POLICIES = {"backup": "Backup", "restores": "Restores"}
_S3_POLICIES = {"s3-backup": "S3Backup", "s3-restore": "S3Restore"}


@dataclass(frozen=True, kw_only=True)
class BackupArgs:
    """Arguments of `Backup`."""

    resource_arns: tuple[pulumi.Input[str], ...]
    """ARNs of the resources to back up (RDS instances, versioned S3 buckets, …). Default: required."""
    includes_s3: bool = True
    """Whether `resource_arns` holds an S3 bucket (the role then gets the S3 backup and restore policies). Default: True."""
    schedule: str = "cron(0 3 * * ? *)"
    """When recovery points are taken: an AWS Backup ``cron(...)`` or ``rate(...)`` expression. Default: cron(0 3 * * ? *)."""
    schedule_timezone: str = "Etc/UTC"
    """IANA time zone of `schedule`. Default: Etc/UTC."""
    retention_days: int = 35
    """Days a recovery point is kept (1 to 36500). Default: 35."""
    start_window_minutes: int = 60
    """Minutes after the scheduled time a backup may start (60 to 43200). Default: 60."""
    completion_window_minutes: int = 480
    """Minutes a backup may take before it is cancelled (at least start window + 60). Default: 480."""
    kms_key_arn: pulumi.Input[str] | None = None
    """A customer KMS key for the vault; None uses AWS Backup's AWS managed key. Default: None."""
    force_destroy: bool = False
    """Let ``pulumi destroy`` delete the vault with its recovery points (dev only). Default: False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags. Default: {}."""


class Backup(Component):
    """An AWS Backup vault, plan and selection."""

    vault_name: pulumi.Output[str]
    """The vault's name (restores and recovery points are found there)."""
    vault_arn: pulumi.Output[str]
    """The vault's ARN."""
    plan_id: pulumi.Output[str]
    """The backup plan's id."""
    role_arn: pulumi.Output[str]
    """The role AWS Backup assumes to back up and restore."""

    def __init__(self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        account = aws.get_caller_identity(opts=self.lookup_opts()).account_id
        partition = aws.get_partition(opts=self.lookup_opts()).partition

        vault = aws.backup.Vault(
            f"{name}-vault",
            kms_key_arn=args.kms_key_arn,
            force_destroy=args.force_destroy,
            tags=self.tags(f"{name}-vault"),
            opts=self.child_opts(),
        )
        plan = aws.backup.Plan(
            f"{name}-plan",
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name=f"{name}-daily",
                    target_vault_name=vault.name,
                    schedule=args.schedule,
                    schedule_expression_timezone=args.schedule_timezone,
                    start_window=args.start_window_minutes,
                    completion_window=args.completion_window_minutes,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=args.retention_days),
                    recovery_point_tags=self.tags(f"{name}-recovery-point"),
                )
            ],
            tags=self.tags(f"{name}-plan"),
            opts=self.child_opts(),
        )
        role = aws.iam.Role(
            f"{name}-role",
            description=f"{name}: AWS Backup takes and restores recovery points",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "backup.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                        }
                    ],
                }
            ),
            tags=self.tags(f"{name}-role"),
            opts=self.child_opts(),
        )
        policies = {**_POLICIES, **(_S3_POLICIES if args.includes_s3 else {})}
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-role-{role_name}",
                role=role.name,
                policy_arn=f"arn:{partition}:iam::aws:policy/{_MANAGED}{suffix}",
                opts=self.child_opts(),
            )
            for role_name, suffix in policies.items()
        ]
        aws.backup.Selection(
            f"{name}-selection",
            plan_id=plan.id,
            iam_role_arn=role.arn,
            resources=list(args.resource_arns),
            # The role must hold its policies before AWS Backup first assumes it.
            opts=self.child_opts(depends_on=attachments),
        )

        self.vault_name = vault.name
        self.vault_arn = vault.arn
        self.plan_id = plan.id
        self.role_arn = role.arn
        self.register_outputs(
            {
                "vault_name": self.vault_name,
                "vault_arn": self.vault_arn,
                "plan_id": self.plan_id,
                "role_arn": self.role_arn,
            }
        )


def _validate(name: str, args: BackupArgs) -> None:
    if not args.resource_arns:
        Backup.fail(name, "resource_arns", "is empty; give the ARNs of the resources to back up.")
    if not _SCHEDULE.match(args.schedule):
        Backup.fail(
            name,
            "schedule",
            f"{args.schedule!r} is not an AWS Backup schedule; use cron(<min> <hour> <dom> <month> <dow> <year>), "
            "e.g. cron(0 3 * * ? *) for 03:00 daily.",
        )
    if not 1 <= args.retention_days <= 36500:
        Backup.fail(name, "retention_days", f"{args.retention_days} is outside 1..36500; use e.g. 35.")
    if not 60 <= args.start_window_minutes <= 43200:
        Backup.fail(name, "start_window_minutes", f"{args.start_window_minutes} is outside 60..43200; use e.g. 60.")
    if args.completion_window_minutes < args.start_window_minutes + 60:
        Backup.fail(
            name,
            "completion_window_minutes",
            f"{args.completion_window_minutes} must be at least start_window_minutes + 60 "
            f"({args.start_window_minutes + 60}); AWS Backup refuses a shorter window.",
        )
