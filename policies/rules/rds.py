"""RDS: encryption, no public access, backups, deletion protection, Multi-AZ, SSL, managed password."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._core import (
    ResourceView,
    StackFinding,
    as_list,
    as_number,
    get,
    is_false,
    is_true,
    is_unknown,
    linked,
    of_types,
    resource_rule,
    stack_rule,
)

INSTANCE = "aws:rds/instance:Instance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"


def _is_replica(r: ResourceView) -> bool:
    return bool(r.props.get("replicateSourceDb"))


@resource_rule(
    "rds-storage-encrypted",
    control="RDS.3",
    description="DB instances encrypt storage at rest (storageEncrypted true). Unknown passes.",
    types=(INSTANCE,),
)
def storage_encrypted(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("storageEncrypted")
    if not is_true(value) and not is_unknown(value):
        yield f"{r.label}: storage is not encrypted (it cannot be turned on later without a restore). Set storage_encrypted=True (and kms_key_id for a customer key)."


@resource_rule(
    "rds-not-publicly-accessible",
    control="RDS.2",
    description="DB instances are not publicly accessible.",
    types=(INSTANCE,),
)
def not_public(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    if is_true(r.props.get("publiclyAccessible")):
        yield f"{r.label}: publicly_accessible=True gives the database a public endpoint. Set publicly_accessible=False and keep it in private subnets."


@resource_rule(
    "rds-backup-retention",
    control="RDS.11",
    description="Automated backups are kept at least minDays days (FSBP: 7; prod: 14). Unset counts as AWS's default of 1. Replicas are not assessed.",
    types=(INSTANCE,),
    category="reliability",
    params={"minDays": {"type": "integer", "default": 7}},
)
def backup_retention(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("backupRetentionPeriod")
    if is_unknown(value) or _is_replica(r):
        return
    days = as_number(value)
    days = 1.0 if days is None else days
    if days < int(config["minDays"]):
        yield f"{r.label}: backups are kept {days:g} day(s); this environment needs at least {config['minDays']}. Set backup_retention_period={config['minDays']}."


@resource_rule(
    "rds-deletion-protection",
    control="RDS.8",
    description="DB instances have deletion protection on. Prod: mandatory.",
    types=(INSTANCE,),
    category="reliability",
)
def deletion_protection(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("deletionProtection")
    if not is_true(value) and not is_unknown(value):
        yield f"{r.label}: the database can be deleted by a `pulumi destroy` or a replacement. Set deletion_protection=True."


@resource_rule(
    "rds-multi-az",
    control="RDS.5",
    description="DB instances are Multi-AZ (a synchronous standby in another AZ). Prod: mandatory.",
    types=(INSTANCE,),
    category="reliability",
)
def multi_az(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("multiAz")
    if not is_true(value) and not is_unknown(value):
        yield f"{r.label}: single-AZ; an AZ failure takes the database down. Set multi_az=True."


_FORCE_SSL = {"postgres": "rds.force_ssl", "mysql": "require_secure_transport", "mariadb": "require_secure_transport"}


def _postgres_default_forces_ssl(version: Any) -> bool:
    """PostgreSQL 15+ default parameter groups set rds.force_ssl=1; unset version means the latest."""
    if version is None or is_unknown(version):
        return True
    m = re.match(r"(\d+)", str(version))
    return m is not None and int(m.group(1)) >= 15


@stack_rule(
    "rds-ssl-enforced",
    description=(
        "Connections must use TLS: the instance's parameter group sets rds.force_ssl=1 (PostgreSQL) or "
        "require_secure_transport=1 (MySQL/MariaDB); PostgreSQL 15+ defaults to on and passes unless set to 0."
    ),
    types=(INSTANCE,),
)
def ssl_enforced(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    groups = of_types(resources, PARAMETER_GROUP)
    for db in of_types(resources, INSTANCE):
        engine = str(db.props.get("engine") or "")
        param = _FORCE_SSL.get(engine)
        if param is None or _is_replica(db):
            continue
        mine = [g for g in groups if linked(db, g, prop="parameterGroupName", target_keys=("name", "id"))]
        values = [get(p, "value") for g in mine for p in as_list(g.props.get("parameters")) if get(p, "name") == param]
        known = [str(v).lower() for v in values if v is not None and not is_unknown(v)]
        if known:
            ok = all(v in ("1", "on", "true") for v in known)
        else:
            ok = engine == "postgres" and _postgres_default_forces_ssl(db.props.get("engineVersion"))
            ok = ok or any(is_unknown(v) for v in values)
        if not ok:
            where = mine[0] if mine else db
            yield StackFinding(
                where.urn,
                f"{db.label}: clients may connect without TLS. Use an aws.rds.ParameterGroup with "
                f'parameters=[{{"name": "{param}", "value": "1"}}] and set parameter_group_name.',
            )


@resource_rule(
    "rds-master-password-managed",
    description=(
        "The master password is generated and rotated by RDS in Secrets Manager (manageMasterUserPassword "
        "true); no password input at all (a [secret] still lands in state and config). Replicas and restores are not assessed."
    ),
    types=(INSTANCE,),
)
def master_password_managed(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    if _is_replica(r) or r.props.get("snapshotIdentifier"):
        return
    given = [p for p in ("password", "passwordWo") if r.props.get(p) is not None]
    if given:
        yield (
            f"{r.label}: the master password is passed as {' and '.join(given)}, so it lives in config and state. "
            f"Remove it and set manage_master_user_password=True; apps read the generated secret by ARN."
        )
    elif not is_true(r.props.get("manageMasterUserPassword")) and not is_unknown(
        r.props.get("manageMasterUserPassword")
    ):
        yield f"{r.label}: manage_master_user_password is not set. Set manage_master_user_password=True."


@resource_rule(
    "rds-auto-minor-version-upgrade",
    control="RDS.13",
    description="Minor engine upgrades are applied automatically (autoMinorVersionUpgrade not false).",
    types=(INSTANCE,),
)
def auto_minor_upgrade(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    if is_false(r.props.get("autoMinorVersionUpgrade")):
        yield f"{r.label}: security patches (minor versions) are not applied. Set auto_minor_version_upgrade=True."
