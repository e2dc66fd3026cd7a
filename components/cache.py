"""Cache: an encrypted ElastiCache (Valkey or Redis OSS) replication group with AUTH, in isolated subnets.

Creates (all children named ``<name>-<role>`` and parented to the component):

- ``<name>-sg``: a security group with no inline rules and no egress, and one standalone
  ``aws.vpc.SecurityGroupIngressRule`` ``<name>-from-<label>`` per client security group admitting
  6379 only from that group (never from a CIDR). More are added with `Cache.allow_from`.
- ``<name>-subnets``: a cache subnet group in the given (isolated) subnets.
- ``<name>-params``: a parameter group whose family follows engine and version (``valkey8``, ``redis7``).
- ``<name>-slow-log``: the CloudWatch log group the slow log is delivered to (JSON), with a retention.
- ``<name>-auth-token`` (``random.RandomPassword``, 64 alphanumerics), ``<name>-auth`` (a Secrets
  Manager secret at ``<project>/<stack>/<name>/auth``) and ``<name>-auth-value`` (its version holding
  the token). In ``CacheAuthMode.TOKEN`` the token is the replication group's AUTH token; in
  ``CacheAuthMode.RBAC`` it is the password of ``<name>-user`` (user ``rbac_username``), which joins
  ``<name>-default-user`` (user ``default``, switched off) in ``<name>-users``.
- ``<name>-rg``: the replication group (cluster mode disabled): 1-6 nodes, encryption at rest
  (optional customer KMS key) and in transit (``required``) always on, automatic failover and
  Multi-AZ whenever there are 2 or more nodes, snapshots, maintenance window, port 6379.

The token is created by Pulumi, so it sits in the (encrypted) state as a secret; clients read it
from the secret (``auth_secret_arn``; the value is the raw token) and connect with TLS as user
``auth_username``.

Example::

    cache = Cache("sessions", CacheArgs.in_vpc(net))   # net: a Vpc (its id and isolated subnets)
    cache.allow_from("catalog", service.security_group_id)

Cost (us-east-1, on demand, monthly): Valkey cache.t4g.micro $0.0128/h per node = **$9.34** per
node (Redis OSS $0.016/h = $11.68); the secret $0.40; backups of one snapshot per node free up to the
node's memory; slow-log ingestion $0.50/GB. Dev default (1 Valkey node) ≈ **$9.74/mo**; 2 nodes ≈ $19.08.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NoReturn

import pulumi
import pulumi_aws as aws
import pulumi_random as random

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
from components._naming import key_identity, physical_name, replacement_suffix, with_suffix
from components.base import Component
from components.subnet import SubnetRef

__all__ = [
    "DEFAULT_ENGINE_VERSIONS",
    "DEFAULT_USER_ACCESS",
    "PORT",
    "REPLICATION_GROUP_ID_MAX_LENGTH",
    "TOKEN_LENGTH",
    "Cache",
    "CacheArgs",
    "CacheAuthMode",
    "CacheEngine",
]

PORT = 6379
REPLICATION_GROUP_ID_MAX_LENGTH = 40
TOKEN_LENGTH = 64
DEFAULT_USER_ACCESS = "off -@all"


class CacheEngine(StrEnum):
    """The cache engine."""

    VALKEY = "valkey"
    REDIS = "redis"


class CacheAuthMode(StrEnum):
    """How clients authenticate."""

    TOKEN = "token"  # noqa: S105 (a mode name, not a password)
    """One AUTH token for the replication group (clients send ``AUTH <token>``)."""
    RBAC = "rbac"
    """A user group: one application user with a password and the ``default`` user switched off."""


#: engine -> {version: parameter-group family}
ENGINE_VERSIONS: dict[CacheEngine, dict[str, str]] = {
    CacheEngine.VALKEY: {"7.2": "valkey7", "8.0": "valkey8", "8.1": "valkey8", "8.2": "valkey8"},
    CacheEngine.REDIS: {"6.2": "redis6.x", "7.0": "redis7", "7.1": "redis7"},
}
DEFAULT_ENGINE_VERSIONS = {CacheEngine.VALKEY: "8.0", CacheEngine.REDIS: "7.1"}


@dataclass(frozen=True, kw_only=True)
class CacheArgs:
    """Arguments of `Cache`."""

    vpc_id: pulumi.Input[str]
    """The VPC the security group is created in. Default: required."""

    subnets: Sequence[SubnetRef]
    """The isolated subnets (no route to the internet) of the cache subnet group, at least 2 in distinct
    AZs, e.g. `Vpc.isolated_subnets` (wrap plain ids as ``SubnetRef(az=..., id=...)``). Default: required."""

    allowed_security_group_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Client security groups admitted to port 6379, keyed by a short stable label
    (``{"catalog": sg_id}``); the label names the rule, so adding one never renames another. More can
    be added later with `Cache.allow_from`. Default: ``{}`` (nothing admitted)."""

    replication_group_id: str | None = None
    """The replication group id (also names the subnet group, parameter group, log group and RBAC
    users): 1-40 lower-case letters, digits and hyphens, starting with a letter. Set it per environment
    when several stacks share one account and region. Default: the component name, lower-cased and
    shortened to 40 characters."""

    engine: CacheEngine = CacheEngine.VALKEY
    """Valkey (about 20% cheaper per node) or Redis OSS. Default: ``CacheEngine.VALKEY``."""

    engine_version: str | None = None
    """The pinned engine version: Valkey 7.2, 8.0, 8.1 or 8.2; Redis OSS 6.2, 7.0 or 7.1.
    Default: ``None`` (Valkey ``"8.0"``, Redis OSS ``"7.1"``)."""

    node_type: str = "cache.t4g.micro"
    """The node type (``cache.*``). Default: ``"cache.t4g.micro"``."""

    num_nodes: int = 1
    """Nodes in the (single) shard: 1 primary + up to 5 replicas (1-6). Default: ``1``."""

    automatic_failover_enabled: bool | None = None
    """Promote a replica when the primary fails (FSBP ElastiCache.3). Must be True with 2 or more
    nodes and False with 1. Default: ``None`` (derived: ``num_nodes >= 2``)."""

    multi_az_enabled: bool | None = None
    """Place replicas in other AZs and fail over across AZs. Must be True with 2 or more nodes and
    False with 1. Default: ``None`` (derived: ``num_nodes >= 2``)."""

    kms_key_id: pulumi.Input[str] | None = None
    """ARN of a customer-managed KMS key for encryption at rest (always on). Default: ``None``
    (the AWS-owned key)."""

    auth_mode: CacheAuthMode = CacheAuthMode.TOKEN
    """AUTH token or RBAC user group. Default: ``CacheAuthMode.TOKEN``."""

    rbac_username: str = "app"
    """RBAC only: the application user's name (1-40 lower-case letters, digits and hyphens, starting
    with a letter; not ``default``). Default: ``"app"``."""

    rbac_access_string: str = "on ~* +@all -@dangerous"
    """RBAC only: the application user's ACL (must start with ``on``): all keys, no dangerous commands.
    Default: ``"on ~* +@all -@dangerous"``."""

    parameters: Mapping[str, str] = field(default_factory=dict)
    """Extra parameter-group settings, e.g. ``{"maxmemory-policy": "allkeys-lru"}``. Default: ``{}``."""

    snapshot_retention_limit: int = 1
    """Days of automatic snapshots (0-35; 0 turns them off, FSBP ElastiCache.1 wants at least 1).
    Default: ``1``."""

    snapshot_window: str = "03:00-04:00"
    """Daily snapshot window, ``hh24:mi-hh24:mi`` UTC, at least 60 minutes, not overlapping the
    maintenance window. Default: ``"03:00-04:00"``."""

    maintenance_window: str = "sun:05:00-sun:06:00"
    """Weekly maintenance window, ``ddd:hh24:mi-ddd:hh24:mi`` UTC, 60 minutes to 24 hours.
    Default: ``"sun:05:00-sun:06:00"``."""

    log_retention_days: int = 30
    """Retention of the slow-log log group (a CloudWatch Logs value). Default: ``30``."""

    log_kms_key_arn: pulumi.Input[str] | None = None
    """ARN of a customer-managed KMS key encrypting the slow-log group (its key policy must let
    ``logs.<region>.amazonaws.com`` use it). Default: ``None`` (CloudWatch Logs' own encryption)."""

    secret_recovery_window_days: int = 7
    """Days Secrets Manager keeps the deleted auth secret recoverable (0 = delete at once, else 7-30).
    Default: ``7``."""

    secret_kms_key_id: pulumi.Input[str] | None = None
    """KMS key (ARN, id or alias) encrypting the auth secret. Default: ``None`` (``aws/secretsmanager``)."""

    apply_immediately: bool = False
    """Apply modifications now instead of in the maintenance window. Default: ``False``."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every taggable child (after Name and the common tags). Default: ``{}``."""

    @classmethod
    def in_vpc(cls, vpc: IsolatedVpc, **kwargs: Any) -> CacheArgs:
        """Args in ``vpc``'s isolated subnets: ``CacheArgs.in_vpc(net, allowed_security_group_ids={...})``."""
        return cls(vpc_id=vpc.vpc_id, subnets=list(vpc.isolated_subnets), **kwargs)


@dataclass(frozen=True)
class _Resolved:
    replication_group_id: str
    engine: CacheEngine
    engine_version: str
    family: str
    failover: bool
    multi_az: bool


class Cache(Component):
    """An encrypted Valkey/Redis OSS replication group with AUTH, reachable only from given security groups."""

    primary_endpoint: pulumi.Output[str]
    """The primary (read-write) endpoint host name."""
    reader_endpoint: pulumi.Output[str]
    """The reader endpoint host name (spreads reads over the replicas)."""
    port: pulumi.Output[int]
    """The port (6379)."""
    auth_secret_arn: pulumi.Output[str]
    """ARN of the Secrets Manager secret whose value is the AUTH token / RBAC password (raw string)."""
    auth_username: pulumi.Output[str]
    """The user clients authenticate as: ``default`` with an AUTH token, or ``rbac_username``."""
    security_group_id: pulumi.Output[str]
    """The cache's security group."""
    arn: pulumi.Output[str]
    """The replication group ARN."""

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        resolved = _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        self._name = name
        self._args = args
        self._rgid = resolved.replication_group_id
        self._engine = resolved.engine
        self._access = DataTierAccess(
            self,
            name,
            kind=Cache.KIND,
            physical=self._rgid,
            vpc_id=args.vpc_id,
            port=PORT,
            protocol_label="Cache",
            tags=args.tags,
        )
        for label, sg_id in args.allowed_security_group_ids.items():
            self._access.admit(label, sg_id)
        subnet_group = self._create_subnet_group()
        parameter_group = self._create_parameter_group(resolved)
        log_group = self._create_log_group()
        token, secret = self._create_auth_secret()
        user_group = self._create_user_group(token) if args.auth_mode == CacheAuthMode.RBAC else None
        group = self._create_replication_group(resolved, subnet_group, parameter_group, log_group, token, user_group)

        self.primary_endpoint = group.primary_endpoint_address
        self.reader_endpoint = group.reader_endpoint_address
        self.port = pulumi.Output.from_input(PORT)
        self.auth_secret_arn = secret.arn
        self.auth_username = pulumi.Output.from_input(
            args.rbac_username if args.auth_mode == CacheAuthMode.RBAC else "default"
        )
        self.security_group_id = self._access.group.id
        self.arn = group.arn
        self.register_outputs(
            {
                "primary_endpoint": self.primary_endpoint,
                "reader_endpoint": self.reader_endpoint,
                "port": self.port,
                "auth_secret_arn": self.auth_secret_arn,
                "auth_username": self.auth_username,
                "security_group_id": self.security_group_id,
                "arn": self.arn,
            }
        )

    # -- public API ------------------------------------------------------------------------------
    def allow_from(self, label: str, security_group_id: pulumi.Input[str]) -> aws.vpc.SecurityGroupIngressRule:
        """Admit port 6379 from one more security group (e.g. a service created after the cache).
        ``label`` names the rule ``<name>-from-<label>``."""
        return self._access.admit(label, security_group_id)

    # -- children --------------------------------------------------------------------------------
    def _tags(self, name_tag: str) -> dict[str, str]:
        return self.tags(name_tag)

    def _opts(self) -> pulumi.ResourceOptions:
        return self.child_opts()

    def _create_subnet_group(self) -> aws.elasticache.SubnetGroup:
        return aws.elasticache.SubnetGroup(
            f"{self._name}-subnets",
            name=self._rgid,
            description=f"Isolated subnets of cache {self._rgid}",
            subnet_ids=[s.id for s in self._args.subnets],
            tags=self._tags(f"{self._rgid}-subnets"),
            opts=self._opts(),
        )

    def _create_parameter_group(self, resolved: _Resolved) -> aws.elasticache.ParameterGroup:
        # The family is part of the name: a major upgrade creates the new group before deleting the old.
        family_slug = resolved.family.replace(".", "-")
        return aws.elasticache.ParameterGroup(
            f"{self._name}-params",
            name=f"{self._rgid}-{family_slug}",
            family=resolved.family,
            description=f"Cache {self._rgid} ({resolved.family})",
            parameters=[
                aws.elasticache.ParameterGroupParameterArgs(name=key, value=value)
                for key, value in sorted(self._args.parameters.items())
            ],
            tags=self._tags(f"{self._rgid}-{family_slug}"),
            opts=self._opts(),
        )

    def _create_log_group(self) -> aws.cloudwatch.LogGroup:
        return aws.cloudwatch.LogGroup(
            f"{self._name}-slow-log",
            name=f"/aws/elasticache/{self._rgid}/slow-log",
            retention_in_days=self._args.log_retention_days,
            kms_key_id=self._args.log_kms_key_arn,
            tags=self._tags(f"{self._rgid}-slow-log"),
            opts=self._opts(),
        )

    def _create_auth_secret(self) -> tuple[pulumi.Output[str], aws.secretsmanager.Secret]:
        # Alphanumerics only: inside ElastiCache's allowed set, and safe in redis:// URLs and shells.
        token = random.RandomPassword(f"{self._name}-auth-token", length=TOKEN_LENGTH, special=False, opts=self._opts())
        secret = aws.secretsmanager.Secret(
            f"{self._name}-auth",
            name=f"{pulumi.get_project()}/{pulumi.get_stack()}/{self._name}/auth",
            description=f"{'AUTH token' if self._args.auth_mode == CacheAuthMode.TOKEN else 'RBAC password'} "
            f"of cache {self._rgid}",
            recovery_window_in_days=self._args.secret_recovery_window_days,
            kms_key_id=self._args.secret_kms_key_id,
            tags=self._tags(f"{self._rgid}-auth"),
            opts=self._opts(),
        )
        value: pulumi.Output[str] = pulumi.Output.secret(token.result)
        aws.secretsmanager.SecretVersion(
            f"{self._name}-auth-value", secret_id=secret.id, secret_string=value, opts=self._opts()
        )
        return value, secret

    def _create_user_group(self, token: pulumi.Output[str]) -> aws.elasticache.UserGroup:
        a = self._args
        # Valkey user groups admit only users with a password, so the disabled default user gets one too.
        default_password: pulumi.Output[str] = pulumi.Output.secret(
            random.RandomPassword(
                f"{self._name}-default-user-password", length=TOKEN_LENGTH, special=False, opts=self._opts()
            ).result
        )
        default_user = aws.elasticache.User(
            f"{self._name}-default-user",
            user_id=physical_name(self._rgid, "default", max_length=REPLICATION_GROUP_ID_MAX_LENGTH),
            user_name="default",
            engine=self._engine.value,
            access_string=DEFAULT_USER_ACCESS,
            authentication_mode=aws.elasticache.UserAuthenticationModeArgs(
                type="password", passwords=[default_password]
            ),
            tags=self._tags(f"{self._rgid}-default"),
            opts=self._opts(),
        )
        app_user = aws.elasticache.User(
            f"{self._name}-user",
            user_id=physical_name(self._rgid, a.rbac_username, max_length=REPLICATION_GROUP_ID_MAX_LENGTH),
            user_name=a.rbac_username,
            engine=self._engine.value,
            access_string=a.rbac_access_string,
            authentication_mode=aws.elasticache.UserAuthenticationModeArgs(type="password", passwords=[token]),
            tags=self._tags(f"{self._rgid}-{a.rbac_username}"),
            opts=self._opts(),
        )
        return aws.elasticache.UserGroup(
            f"{self._name}-users",
            user_group_id=physical_name(self._rgid, "users", max_length=REPLICATION_GROUP_ID_MAX_LENGTH),
            engine=self._engine.value,
            user_ids=[default_user.user_id, app_user.user_id],
            tags=self._tags(f"{self._rgid}-users"),
            opts=self._opts(),
        )

    def _create_replication_group(
        self,
        resolved: _Resolved,
        subnet_group: aws.elasticache.SubnetGroup,
        parameter_group: aws.elasticache.ParameterGroup,
        log_group: aws.cloudwatch.LogGroup,
        token: pulumi.Output[str],
        user_group: aws.elasticache.UserGroup | None,
    ) -> aws.elasticache.ReplicationGroup:
        a = self._args
        return aws.elasticache.ReplicationGroup(
            f"{self._name}-rg",
            replication_group_id=resolved.replication_group_id,
            description=f"{self._engine.value} cache {resolved.replication_group_id}",
            engine=self._engine.value,
            engine_version=resolved.engine_version,
            node_type=a.node_type,
            num_cache_clusters=a.num_nodes,
            port=PORT,
            parameter_group_name=parameter_group.name,
            subnet_group_name=subnet_group.name,
            security_group_ids=[self._access.group.id],
            automatic_failover_enabled=resolved.failover,
            multi_az_enabled=resolved.multi_az,
            at_rest_encryption_enabled=True,
            kms_key_id=a.kms_key_id,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=token if user_group is None else None,
            user_group_ids=[user_group.user_group_id] if user_group is not None else None,
            snapshot_retention_limit=a.snapshot_retention_limit,
            snapshot_window=a.snapshot_window,
            maintenance_window=a.maintenance_window,
            log_delivery_configurations=[
                aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                    destination=log_group.name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type="slow-log",
                )
            ],
            auto_minor_version_upgrade=True,
            apply_immediately=a.apply_immediately,
            tags=self._tags(resolved.replication_group_id),
            opts=self._opts(),
        )


# -- validation (before anything is registered) ---------------------------------------------------
#: The inputs of aws.elasticache.ReplicationGroup that force a replacement (ForceNew in
#: terraform-provider-aws internal/service/elasticache/replication_group.go) and that this
#: component sets (the subnet group is named after the id itself), with the values every existing
#: id was created with; any other value adds `replacement_suffix` to the id.
REPLICATION_GROUP_NAME_DEFAULTS: dict[str, object] = {"port": PORT, "atRestEncryptionEnabled": True}


def replication_group_forcing_inputs(a: CacheArgs) -> dict[str, object]:
    """The replacement-forcing inputs of the replication group, as wire names and values."""
    forcing: dict[str, object] = {"port": PORT, "atRestEncryptionEnabled": True}
    if a.kms_key_id is not None:  # an Output ARN is not known when the name is chosen: see key_identity
        forcing["kmsKeyId"] = key_identity(a.kms_key_id)
    return forcing


def _validate(name: str, a: CacheArgs) -> _Resolved:
    def fail(argument: str, message: str) -> NoReturn:
        Cache.fail(name, argument, message)

    secret_name = f"{pulumi.get_project()}/{pulumi.get_stack()}/{name}/auth"
    if not re.match(r"^[A-Za-z0-9/_+=.@-]{1,512}$", secret_name):
        fail(
            "name",
            f"the auth secret name {secret_name!r} has characters Secrets Manager rejects; name "
            "the component with letters, digits and '-_+=.@'.",
        )

    max_len = REPLICATION_GROUP_ID_MAX_LENGTH
    rgid = a.replication_group_id if a.replication_group_id is not None else derive_identifier(name, max_len)
    problem = identifier_problem(rgid, max_len)
    if problem:
        hint = (
            ""
            if a.replication_group_id is not None
            else " (derived from the component name; pass replication_group_id explicitly)"
        )
        fail("replication_group_id", problem + hint)

    problem = isolated_subnets_problem(a.subnets)
    if problem:
        fail("subnets", problem)
    problem = labels_problem(a.allowed_security_group_ids)
    if problem:
        fail("allowed_security_group_ids", problem)

    if a.engine not in set(CacheEngine):
        fail("engine", f"{a.engine!r} is not valid; choose CacheEngine.VALKEY or CacheEngine.REDIS.")
    engine = CacheEngine(a.engine)
    version = a.engine_version if a.engine_version is not None else DEFAULT_ENGINE_VERSIONS[engine]
    families = ENGINE_VERSIONS[engine]
    if version not in families:
        fail(
            "engine_version",
            f"{version!r} is not a supported {engine.value} version; choose one of {', '.join(families)}.",
        )

    if not re.match(r"^cache\.[a-z0-9-]+\.[a-z0-9]+$", a.node_type):
        fail(
            "node_type",
            f"{a.node_type!r} is not an ElastiCache node type; use 'cache.<family>.<size>', e.g. 'cache.t4g.micro'.",
        )
    if not 1 <= a.num_nodes <= 6:
        fail("num_nodes", f"{a.num_nodes} is outside 1-6 (one primary and up to five replicas).")
    replicated = a.num_nodes >= 2
    for argument, value in (
        ("automatic_failover_enabled", a.automatic_failover_enabled),
        ("multi_az_enabled", a.multi_az_enabled),
    ):
        if value is not None and value != replicated:
            fix = (
                "set it to True or leave it unset"
                if replicated
                else "leave it unset, or use num_nodes >= 2 to get a replica to fail over to"
            )
            fail(
                argument,
                f"{value} with num_nodes={a.num_nodes}: it must be {replicated} "
                f"({'required with 2 or more nodes' if replicated else 'impossible with 1 node'}); "
                f"{fix}.",
            )
    if isinstance(a.kms_key_id, str) and not a.kms_key_id.startswith("arn:"):
        fail(
            "kms_key_id",
            f"{a.kms_key_id!r} is not a KMS key ARN; ElastiCache needs the full ARN "
            "('arn:aws:kms:<region>:<account>:key/<id>').",
        )

    if a.auth_mode not in set(CacheAuthMode):
        fail("auth_mode", f"{a.auth_mode!r} is not valid; choose CacheAuthMode.TOKEN or CacheAuthMode.RBAC.")
    if a.auth_mode == CacheAuthMode.RBAC:
        if not re.match(r"^[a-z][a-z0-9-]{0,39}$", a.rbac_username) or a.rbac_username == "default":
            fail(
                "rbac_username",
                f"{a.rbac_username!r} is not valid; use 1-40 lower-case letters, digits "
                "and hyphens starting with a letter, other than 'default', e.g. 'app'.",
            )
        if a.rbac_access_string.split(" ", 1)[0] != "on":
            fail(
                "rbac_access_string",
                f"{a.rbac_access_string!r} must start with 'on' or the user cannot "
                "log in; e.g. 'on ~* +@all -@dangerous'.",
            )

    if not 0 <= a.snapshot_retention_limit <= 35:
        fail("snapshot_retention_limit", f"{a.snapshot_retention_limit} is outside 0-35.")
    problem = daily_window_problem(a.snapshot_window, 60)
    if problem:
        fail("snapshot_window", problem)
    problem = weekly_window_problem(a.maintenance_window, 60)
    if problem:
        fail("maintenance_window", problem)
    if windows_overlap(a.snapshot_window, a.maintenance_window):
        fail(
            "maintenance_window",
            f"{a.maintenance_window!r} overlaps the daily snapshot window {a.snapshot_window!r}; move one of them.",
        )
    problem = log_retention_problem(a.log_retention_days)
    if problem:
        fail("log_retention_days", problem)
    if not (a.secret_recovery_window_days == 0 or 7 <= a.secret_recovery_window_days <= 30):
        fail(
            "secret_recovery_window_days",
            f"{a.secret_recovery_window_days} is not valid; use 0 (delete at once) or 7-30 days.",
        )

    rgid = with_suffix(
        rgid,
        replacement_suffix(replication_group_forcing_inputs(a), REPLICATION_GROUP_NAME_DEFAULTS),
        max_length=max_len,
    )
    return _Resolved(
        replication_group_id=rgid,
        engine=engine,
        engine_version=version,
        family=families[version],
        failover=replicated,
        multi_az=replicated,
    )
