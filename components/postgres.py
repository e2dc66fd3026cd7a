"""Postgres: a private, encrypted Amazon RDS for PostgreSQL instance with an RDS-managed password.

Creates (all children named ``<name>-<role>`` and parented to the component):

- ``<name>-sg``: a security group with no inline rules and no egress, and one standalone
  ``aws.vpc.SecurityGroupIngressRule`` ``<name>-from-<label>`` per client security group admitting
  the database port only from that group (never from a CIDR). More are added with `Postgres.allow_from`.
- ``<name>-subnets``: a DB subnet group in the given (isolated) subnets.
- ``<name>-params``: a parameter group (family ``postgres<major>``) with ``rds.force_ssl=1``,
  slow-query logging (``log_min_duration_statement``) and ``log_statement``.
- ``<name>-log-postgresql`` / ``<name>-log-upgrade``: the CloudWatch log groups RDS exports to
  (``/aws/rds/instance/<identifier>/<log>``), created first so they carry a retention and tags.
- ``<name>-monitoring-role`` (+ ``-monitoring-policy``): only when ``monitoring_interval > 0``.
- ``<name>-db``: the instance: engine ``postgres`` pinned to a major version, gp3 storage with an
  autoscaling ceiling, storage always encrypted, never publicly accessible, master password created
  and kept by RDS in Secrets Manager (``manage_master_user_password``: no password in code, config or
  state), Performance Insights, log exports, backups, deletion protection with a final snapshot
  (by default whenever protection is on; see ``final_snapshot``).
- ``<name>-secret-rotation``: the managed secret's rotation schedule, set explicitly (RDS's own
  default is also 7 days, but unrecorded): every ``master_password_rotation_days`` days. Clients
  must read the secret when they connect (ECS injects it only at task start).

Example::

    db = Postgres("orders-db", PostgresArgs.in_vpc(
        net,                                # a Vpc: its id and isolated subnets
        deletion_protection=False,          # dev; prod keeps the default (True)
    ))
    service = FargateService(...)           # needs db.address and db.secret_arn
    db.allow_from("catalog", service.security_group_id)

Cost (us-east-1, on demand, monthly): db.t4g.micro single-AZ $0.016/h = **$11.68**, Multi-AZ
$23.36; gp3 $0.115/GB-mo (20 GB = **$2.30**; Multi-AZ $0.23/GB-mo); the RDS-managed secret
$0.40; Performance Insights 7-day retention free; backups free up to the allocated storage
(then $0.095/GB-mo); exported logs $0.50/GB ingested + $0.03/GB-mo stored. Dev default ≈ **$14.40/mo**.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NoReturn

import pulumi
import pulumi_aws as aws

from components._data_access import DataTierAccess, IsolatedVpc
from components._data_rules import (
    daily_window_problem,
    derive_identifier,
    identifier_problem,
    isolated_subnets_problem,
    labels_problem,
    log_retention_problem,
    weekly_window_problem,
    windows_overlap,
)
from components._naming import key_identity, replacement_suffix, with_suffix
from components._rds_classes import instance_class_problem
from components.base import Component
from components.iam import service_trust_policy
from components.subnet import SubnetRef

__all__ = [
    "CA_CERT_IDENTIFIER",
    "ENHANCED_MONITORING_POLICY",
    "IDENTIFIER_MAX_LENGTH",
    "LOG_EXPORTS",
    "MANAGED_PARAMETERS",
    "MONITORING_INTERVALS",
    "RESERVED_DATABASE_NAMES",
    "RESERVED_USERNAMES",
    "SUPPORTED_MAJOR_VERSIONS",
    "LogStatement",
    "Postgres",
    "PostgresArgs",
]

#: Major versions this component knows the parameter-group family of (RDS for PostgreSQL, standard support).
SUPPORTED_MAJOR_VERSIONS = ("14", "15", "16", "17")
IDENTIFIER_MAX_LENGTH = 63
#: Role names PostgreSQL or RDS reserve (plus any name starting with ``pg_`` or ``rds``).
RESERVED_USERNAMES = frozenset(
    {
        "postgres",
        "rdsadmin",
        "rdsrepladmin",
        "rdstopmgr",
        "public",
        "admin",
        "root",
        "user",
        "current_user",
        "session_user",
        "all",
        "none",
        "select",
        "table",
        "group",
        "role",
    }
)
#: Database names RDS or PostgreSQL already use.
RESERVED_DATABASE_NAMES = frozenset({"postgres", "template0", "template1", "rdsadmin"})
#: Parameters this component owns; `PostgresArgs.parameters` may not override them.
MANAGED_PARAMETERS = frozenset({"rds.force_ssl", "log_min_duration_statement", "log_statement"})
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1"
LOG_EXPORTS = ("postgresql", "upgrade")
ENHANCED_MONITORING_POLICY = "policy/service-role/AmazonRDSEnhancedMonitoringRole"

_PG_NAME = r"^[a-z][a-z0-9_]{0,62}$"


class LogStatement(StrEnum):
    """Which SQL statements PostgreSQL logs (``log_statement``)."""

    NONE = "none"
    DDL = "ddl"
    MOD = "mod"
    ALL = "all"


@dataclass(frozen=True, kw_only=True)
class PostgresArgs:
    """Arguments of `Postgres`."""

    vpc_id: pulumi.Input[str]
    """The VPC the security group is created in. Default: required."""

    subnets: Sequence[SubnetRef]
    """The isolated subnets (no route to the internet) of the DB subnet group, at least 2 in distinct
    AZs, e.g. `Vpc.isolated_subnets` (wrap plain ids as ``SubnetRef(az=..., id=...)``). Default: required."""

    allowed_security_group_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Client security groups admitted to the database port, keyed by a short stable label
    (``{"catalog": sg_id}``); the label names the rule, so adding one never renames another. More can
    be added later with `Postgres.allow_from`. Default: ``{}`` (nothing admitted)."""

    identifier: str | None = None
    """The RDS instance identifier (also names the subnet group, parameter group, log groups and final
    snapshot): 1-63 lower-case letters, digits and hyphens, starting with a letter. Set it per
    environment when several stacks share one account and region. Default: the component name,
    lower-cased and shortened to 63 characters."""

    engine_version: str = "16"
    """The PostgreSQL major version, pinned (minor versions follow ``auto_minor_version_upgrade``);
    one of 14, 15, 16, 17. Changing it is a major upgrade and needs ``allow_major_version_upgrade``.
    Default: ``"16"``."""

    allow_major_version_upgrade: bool = False
    """Allow RDS to perform a major version upgrade when ``engine_version`` changes. Default: ``False``."""

    instance_class: str = "db.t4g.micro"
    """The DB instance class (``db.*``). db.t4g.micro is $0.016/h single-AZ. Default: ``"db.t4g.micro"``."""

    allocated_storage: int = 20
    """Initial gp3 storage in GiB (20-65536). $0.115/GB-mo single-AZ. Default: ``20``."""

    max_allocated_storage: int = 100
    """Storage autoscaling ceiling in GiB: at least ``allocated_storage``, or 0 to turn autoscaling
    off. Default: ``100``."""

    kms_key_id: pulumi.Input[str] | None = None
    """ARN of a customer-managed KMS key for storage and Performance Insights encryption (storage is
    always encrypted). Default: ``None`` (the AWS-managed ``aws/rds`` key)."""

    master_user_secret_kms_key_id: pulumi.Input[str] | None = None
    """KMS key (ARN, id or alias) for the RDS-managed master user secret. Default: ``None``
    (``aws/secretsmanager``)."""

    master_password_rotation_days: int = 7
    """Days between rotations of the RDS-managed master secret (1-365). Default: ``7``."""

    username: str = "app"
    """Master user name: 1-63 lower-case letters, digits and underscores, starting with a letter;
    not a reserved name such as ``postgres`` or ``rdsadmin`` (FSBP RDS.25). Default: ``"app"``."""

    database_name: str = "app"
    """Name of the database created with the instance (lower-case identifier, not ``postgres`` or a
    template). Default: ``"app"``."""

    port: int = 5432
    """The database port (1150-65535). FSBP RDS.23 prefers a non-default port. Default: ``5432``."""

    iam_authentication: bool = False
    """Enable IAM database authentication (FSBP RDS.10). Default: ``False``."""

    slow_query_threshold_ms: int = 1000
    """``log_min_duration_statement``: log statements slower than this many milliseconds; -1 turns it
    off, 0 logs every statement. Default: ``1000``."""

    log_statement: LogStatement = LogStatement.DDL
    """``log_statement``: which statements are logged. Default: ``LogStatement.DDL``."""

    parameters: Mapping[str, str] = field(default_factory=dict)
    """Extra parameter-group settings, applied at the next reboot (``pending-reboot``). May not set
    ``rds.force_ssl``, ``log_min_duration_statement`` or ``log_statement``. Default: ``{}``."""

    multi_az: bool = False
    """Run a synchronous standby in a second AZ (FSBP RDS.5); doubles the instance and storage price.
    Default: ``False``."""

    backup_retention_days: int = 7
    """Days of automated backups (1-35; FSBP RDS.11 wants at least 7). Default: ``7``."""

    backup_window: str = "03:00-04:00"
    """Daily backup window, ``hh24:mi-hh24:mi`` UTC, at least 30 minutes, not overlapping the
    maintenance window. Default: ``"03:00-04:00"``."""

    maintenance_window: str = "sun:05:00-sun:06:00"
    """Weekly maintenance window, ``ddd:hh24:mi-ddd:hh24:mi`` UTC, 30 minutes to 24 hours.
    Default: ``"sun:05:00-sun:06:00"``."""

    deletion_protection: bool = True
    """Refuse deletion (FSBP RDS.8). Stacks set ``False`` for disposable environments.
    Default: ``True``."""

    final_snapshot: bool | None = None
    """Take a final snapshot ``<identifier>-final`` when the instance is deleted or replaced. To tear
    down a protected database and keep its data, set ``deletion_protection=False, final_snapshot=True``
    (otherwise turning protection off also turns the snapshot off). The name is fixed, so delete an
    old ``-final`` snapshot before deleting a second time. Default: ``None`` (same as
    ``deletion_protection``)."""

    performance_insights: bool = True
    """Enable Performance Insights (Database Insights standard mode). Default: ``True``."""

    performance_insights_retention_days: int = 7
    """Performance Insights retention: 7 (free), 731, or a multiple of 31. Default: ``7``."""

    monitoring_interval: int = 0
    """Enhanced Monitoring interval in seconds (0, 1, 5, 10, 15, 30, 60; FSBP RDS.6); any value but 0
    creates a monitoring role. Default: ``0`` (off)."""

    log_retention_days: int = 30
    """Retention of the exported PostgreSQL and upgrade log groups (a CloudWatch Logs value).
    Default: ``30``."""

    log_kms_key_arn: pulumi.Input[str] | None = None
    """ARN of a customer-managed KMS key encrypting the exported log groups (its key policy must let
    ``logs.<region>.amazonaws.com`` use it). Default: ``None`` (CloudWatch Logs' own encryption)."""

    apply_immediately: bool = False
    """Apply modifications now instead of in the maintenance window. Default: ``False``."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every taggable child (after Name and the common tags). Default: ``{}``."""

    @classmethod
    def in_vpc(cls, vpc: IsolatedVpc, **kwargs: Any) -> PostgresArgs:
        """Args in ``vpc``'s isolated subnets: ``PostgresArgs.in_vpc(net, allowed_security_group_ids={...})``."""
        return cls(vpc_id=vpc.vpc_id, subnets=list(vpc.isolated_subnets), **kwargs)


@dataclass(frozen=True)
class _Resolved:
    identifier: str
    final_snapshot: bool
    family: str
    parameters: list[aws.rds.ParameterGroupParameterArgs]


class Postgres(Component):
    """A private, encrypted RDS for PostgreSQL instance reachable only from given security groups."""

    address: pulumi.Output[str]
    """The instance's DNS host name."""
    endpoint: pulumi.Output[str]
    """``host:port``."""
    port: pulumi.Output[int]
    """The database port."""
    database_name: pulumi.Output[str]
    """The database created with the instance."""
    username: pulumi.Output[str]
    """The master user name."""
    secret_arn: pulumi.Output[str]
    """ARN of the RDS-managed Secrets Manager secret holding the master ``username`` and ``password``
    (JSON), for ECS ``secrets[].valueFrom`` (e.g. ``f"{arn}:password::"``)."""
    security_group_id: pulumi.Output[str]
    """The database's security group."""
    arn: pulumi.Output[str]
    """The DB instance ARN."""
    identifier: pulumi.Output[str]
    """The DB instance identifier."""
    resource_id: pulumi.Output[str]
    """The instance's resource id (``db-…``), used in ``rds-db:connect`` IAM policies."""

    def __init__(self, name: str, args: PostgresArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        resolved = _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        self._name = name
        self._args = args
        self._identifier = resolved.identifier
        self._access = DataTierAccess(
            self,
            name,
            kind=Postgres.KIND,
            physical=self._identifier,
            vpc_id=args.vpc_id,
            port=args.port,
            protocol_label="PostgreSQL",
            tags=args.tags,
        )
        for label, sg_id in args.allowed_security_group_ids.items():
            self._access.admit(label, sg_id)
        subnet_group = self._create_subnet_group()
        parameter_group = self._create_parameter_group(resolved)
        log_groups = self._create_log_groups()
        monitoring_role_arn = self._create_monitoring_role()
        instance = self._create_instance(resolved, subnet_group, parameter_group, log_groups, monitoring_role_arn)

        self.address = instance.address
        self.endpoint = instance.endpoint
        self.port = instance.port
        self.database_name = instance.db_name
        self.username = instance.username
        self.secret_arn = instance.master_user_secrets.apply(_master_secret_arn)
        aws.secretsmanager.SecretRotation(
            f"{name}-secret-rotation",
            secret_id=self.secret_arn,
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                automatically_after_days=args.master_password_rotation_days
            ),
            rotate_immediately=False,
            opts=self.child_opts(),
        )
        self.security_group_id = self._access.group.id
        self.arn = instance.arn
        self.identifier = instance.identifier
        self.resource_id = instance.resource_id
        self.register_outputs(
            {
                "address": self.address,
                "endpoint": self.endpoint,
                "port": self.port,
                "database_name": self.database_name,
                "username": self.username,
                "secret_arn": self.secret_arn,
                "security_group_id": self.security_group_id,
                "arn": self.arn,
                "identifier": self.identifier,
                "resource_id": self.resource_id,
            }
        )

    # -- public API ------------------------------------------------------------------------------
    def allow_from(self, label: str, security_group_id: pulumi.Input[str]) -> aws.vpc.SecurityGroupIngressRule:
        """Admit the database port from one more security group (e.g. a service created after the
        database, because it needs its endpoint). ``label`` names the rule ``<name>-from-<label>``."""
        return self._access.admit(label, security_group_id)

    # -- children --------------------------------------------------------------------------------
    def _tags(self, name_tag: str) -> dict[str, str]:
        return self.tags(name_tag)

    def _create_subnet_group(self) -> aws.rds.SubnetGroup:
        return aws.rds.SubnetGroup(
            f"{self._name}-subnets",
            name=self._identifier,
            description=f"Isolated subnets of Postgres {self._identifier}",
            subnet_ids=[s.id for s in self._args.subnets],
            tags=self._tags(f"{self._identifier}-subnets"),
            opts=self.child_opts(),
        )

    def _create_parameter_group(self, resolved: _Resolved) -> aws.rds.ParameterGroup:
        # The family is part of the name: a major upgrade creates the new group before deleting the old.
        return aws.rds.ParameterGroup(
            f"{self._name}-params",
            name=f"{resolved.identifier}-{resolved.family}",
            family=resolved.family,
            description=f"Postgres {resolved.identifier} ({resolved.family}): TLS required, slow-query logging",
            parameters=resolved.parameters,
            tags=self._tags(f"{resolved.identifier}-{resolved.family}"),
            opts=self.child_opts(),
        )

    def _create_log_groups(self) -> list[aws.cloudwatch.LogGroup]:
        return [
            aws.cloudwatch.LogGroup(
                f"{self._name}-log-{log}",
                name=f"/aws/rds/instance/{self._identifier}/{log}",
                retention_in_days=self._args.log_retention_days,
                kms_key_id=self._args.log_kms_key_arn,
                tags=self._tags(f"{self._identifier}-{log}"),
                opts=self.child_opts(),
            )
            for log in LOG_EXPORTS
        ]

    def _create_monitoring_role(self) -> pulumi.Output[str] | None:
        if self._args.monitoring_interval == 0:
            return None
        role = aws.iam.Role(
            f"{self._name}-monitoring-role",
            description=f"Enhanced Monitoring of Postgres {self._identifier}",
            assume_role_policy=pulumi.Output.json_dumps(
                service_trust_policy(
                    "monitoring.rds.amazonaws.com",
                    aws.get_caller_identity_output(opts=self.lookup_output_opts()).account_id,
                )
            ),
            tags=self._tags(f"{self._identifier}-monitoring"),
            opts=self.child_opts(),
        )
        partition = aws.get_partition_output(opts=self.lookup_output_opts()).partition
        aws.iam.RolePolicyAttachment(
            f"{self._name}-monitoring-policy",
            role=role.name,
            policy_arn=partition.apply(lambda p: f"arn:{p}:iam::aws:{ENHANCED_MONITORING_POLICY}"),
            opts=self.child_opts(),
        )
        return role.arn

    def _create_instance(
        self,
        resolved: _Resolved,
        subnet_group: aws.rds.SubnetGroup,
        parameter_group: aws.rds.ParameterGroup,
        log_groups: list[aws.cloudwatch.LogGroup],
        monitoring_role_arn: pulumi.Output[str] | None,
    ) -> aws.rds.Instance:
        a = self._args
        return aws.rds.Instance(
            f"{self._name}-db",
            identifier=resolved.identifier,
            engine="postgres",
            engine_version=a.engine_version,
            allow_major_version_upgrade=a.allow_major_version_upgrade,
            instance_class=a.instance_class,
            storage_type="gp3",
            allocated_storage=a.allocated_storage,
            max_allocated_storage=a.max_allocated_storage,
            storage_encrypted=True,
            kms_key_id=a.kms_key_id,
            db_name=a.database_name,
            username=a.username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=a.master_user_secret_kms_key_id,
            port=a.port,
            iam_database_authentication_enabled=a.iam_authentication,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self._access.group.id],
            publicly_accessible=False,
            parameter_group_name=parameter_group.name,
            ca_cert_identifier=CA_CERT_IDENTIFIER,
            multi_az=a.multi_az,
            backup_retention_period=a.backup_retention_days,
            backup_window=a.backup_window,
            maintenance_window=a.maintenance_window,
            copy_tags_to_snapshot=True,
            deletion_protection=a.deletion_protection,
            skip_final_snapshot=not resolved.final_snapshot,
            final_snapshot_identifier=f"{resolved.identifier}-final",
            performance_insights_enabled=a.performance_insights,
            performance_insights_retention_period=(
                a.performance_insights_retention_days if a.performance_insights else None
            ),
            performance_insights_kms_key_id=a.kms_key_id if a.performance_insights else None,
            monitoring_interval=a.monitoring_interval,
            monitoring_role_arn=monitoring_role_arn,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            auto_minor_version_upgrade=True,
            apply_immediately=a.apply_immediately,
            tags=self._tags(resolved.identifier),
            opts=self.child_opts(depends_on=list(log_groups)),
        )


def _master_secret_arn(secrets: Sequence[aws.rds.outputs.InstanceMasterUserSecret]) -> str:
    # With manage_master_user_password RDS always reports exactly one secret once the instance exists.
    return secrets[0].secret_arn or "" if secrets else ""


# -- replace-safety ------------------------------------------------------------------------------
#: The inputs of aws.rds.Instance that force a replacement (ForceNew in terraform-provider-aws
#: internal/service/rds/instance.go) and that this component sets, with the values every existing
#: identifier was created with. Any other value adds `replacement_suffix` to the identifier, so the
#: replacement is created under a name of its own before the old instance is deleted (in prod,
#: deletion protection then keeps the old one until its data is moved; see docs/operations.md).
INSTANCE_NAME_DEFAULTS: dict[str, object] = {
    "engine": "postgres",
    "storageEncrypted": True,
    "dbName": "app",
    "username": "app",
}


def instance_forcing_inputs(a: PostgresArgs) -> dict[str, object]:
    """The replacement-forcing inputs of the instance, as wire names and values."""
    forcing: dict[str, object] = {
        "engine": "postgres",
        "storageEncrypted": True,
        "dbName": a.database_name,
        "username": a.username,
    }
    if a.kms_key_id is not None:  # an Output ARN is not known when the name is chosen: see key_identity
        forcing["kmsKeyId"] = key_identity(a.kms_key_id)
    return forcing


# -- validation (before anything is registered) ---------------------------------------------------
def _validate(name: str, a: PostgresArgs) -> _Resolved:
    def fail(argument: str, message: str) -> NoReturn:
        Postgres.fail(name, argument, message)

    identifier = a.identifier if a.identifier is not None else derive_identifier(name, IDENTIFIER_MAX_LENGTH)
    problem = identifier_problem(identifier, IDENTIFIER_MAX_LENGTH)
    if problem:
        hint = "" if a.identifier is not None else " (derived from the component name; pass identifier explicitly)"
        fail("identifier", problem + hint)

    problem = isolated_subnets_problem(a.subnets)
    if problem:
        fail("subnets", problem)
    problem = labels_problem(a.allowed_security_group_ids)
    if problem:
        fail("allowed_security_group_ids", problem)

    if a.engine_version not in SUPPORTED_MAJOR_VERSIONS:
        fail(
            "engine_version",
            f"{a.engine_version!r} is not a supported major version; choose one of "
            f"{', '.join(SUPPORTED_MAJOR_VERSIONS)} (major only, e.g. '16').",
        )
    problem = instance_class_problem(a.instance_class)
    if problem:
        fail("instance_class", f"{problem}.")
    if not 20 <= a.allocated_storage <= 65536:
        fail("allocated_storage", f"{a.allocated_storage} GiB is outside 20-65536 (gp3 for PostgreSQL).")
    if a.max_allocated_storage != 0 and not a.allocated_storage <= a.max_allocated_storage <= 65536:
        fail(
            "max_allocated_storage",
            f"{a.max_allocated_storage} GiB must be at least allocated_storage "
            f"({a.allocated_storage}) and at most 65536, or 0 to turn storage "
            "autoscaling off.",
        )
    if isinstance(a.kms_key_id, str) and not a.kms_key_id.startswith("arn:"):
        fail(
            "kms_key_id",
            f"{a.kms_key_id!r} is not a KMS key ARN; RDS needs the full ARN "
            "('arn:aws:kms:<region>:<account>:key/<id>').",
        )

    if not re.match(_PG_NAME, a.username):
        fail(
            "username",
            f"{a.username!r} is not valid; use 1-63 lower-case letters, digits and underscores, "
            "starting with a letter, e.g. 'app'.",
        )
    if a.username in RESERVED_USERNAMES or a.username.startswith(("pg_", "rds")):
        fail("username", f"{a.username!r} is reserved by PostgreSQL or RDS; choose another name, e.g. 'app'.")
    if not re.match(_PG_NAME, a.database_name):
        fail(
            "database_name",
            f"{a.database_name!r} is not valid; use 1-63 lower-case letters, digits and "
            "underscores, starting with a letter, e.g. 'app'.",
        )
    if a.database_name in RESERVED_DATABASE_NAMES:
        fail("database_name", f"{a.database_name!r} already exists on every instance; choose another, e.g. 'app'.")
    if not 1150 <= a.port <= 65535:
        fail("port", f"{a.port} is outside 1150-65535, the ports RDS for PostgreSQL accepts.")

    if a.slow_query_threshold_ms < -1:
        fail(
            "slow_query_threshold_ms",
            f"{a.slow_query_threshold_ms} is not valid; use -1 (off), 0 (log "
            "every statement) or a threshold in milliseconds.",
        )
    if a.log_statement not in set(LogStatement):
        fail(
            "log_statement",
            f"{a.log_statement!r} is not valid; choose one of {', '.join(m.value for m in LogStatement)}.",
        )
    clashing = sorted(MANAGED_PARAMETERS & set(a.parameters))
    if clashing:
        fail(
            "parameters",
            f"{clashing} are set by the component; use slow_query_threshold_ms and "
            "log_statement instead (rds.force_ssl is always 1).",
        )

    if not 1 <= a.master_password_rotation_days <= 365:
        fail(
            "master_password_rotation_days",
            f"{a.master_password_rotation_days} is outside 1-365; the master secret must rotate (7 is RDS's default).",
        )
    if not 1 <= a.backup_retention_days <= 35:
        fail(
            "backup_retention_days",
            f"{a.backup_retention_days} is outside 1-35; automated backups cannot be turned off here.",
        )
    problem = daily_window_problem(a.backup_window, 30)
    if problem:
        fail("backup_window", problem)
    problem = weekly_window_problem(a.maintenance_window, 30)
    if problem:
        fail("maintenance_window", problem)
    if windows_overlap(a.backup_window, a.maintenance_window):
        fail(
            "maintenance_window",
            f"{a.maintenance_window!r} overlaps the daily backup window {a.backup_window!r}; move one of them.",
        )

    retention = a.performance_insights_retention_days
    if a.performance_insights and not (retention in (7, 731) or (0 < retention <= 713 and retention % 31 == 0)):
        fail(
            "performance_insights_retention_days",
            f"{retention} is not valid; use 7 (free), 731, or a multiple of 31 up to 713.",
        )
    if a.monitoring_interval not in MONITORING_INTERVALS:
        fail(
            "monitoring_interval",
            f"{a.monitoring_interval} is not valid; choose one of "
            f"{', '.join(str(i) for i in MONITORING_INTERVALS)} seconds.",
        )
    problem = log_retention_problem(a.log_retention_days)
    if problem:
        fail("log_retention_days", problem)

    family = f"postgres{a.engine_version}"
    parameters = [
        aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1"),
        aws.rds.ParameterGroupParameterArgs(name="log_min_duration_statement", value=str(a.slow_query_threshold_ms)),
        aws.rds.ParameterGroupParameterArgs(name="log_statement", value=LogStatement(a.log_statement).value),
    ] + [
        aws.rds.ParameterGroupParameterArgs(name=key, value=value, apply_method="pending-reboot")
        for key, value in sorted(a.parameters.items())
    ]
    final_snapshot = a.deletion_protection if a.final_snapshot is None else a.final_snapshot
    identifier = with_suffix(
        identifier,
        replacement_suffix(instance_forcing_inputs(a), INSTANCE_NAME_DEFAULTS),
        max_length=IDENTIFIER_MAX_LENGTH,
    )
    return _Resolved(identifier=identifier, final_snapshot=final_snapshot, family=family, parameters=parameters)
