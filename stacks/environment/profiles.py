"""Per-environment profiles: the defaults each environment starts from, and the invariants it keeps.

A stack's ``Pulumi.<env>.yaml`` overrides any value here (deep-merged, key by key). A profile's
invariants are properties the environment must keep whatever the file says (prod's database is
Multi-AZ, …); breaking one stops the plan unless the invariant's name is listed, on purpose, in
``streaming-platform:invariantOverrides``.

The values are in the config file's own shape (camelCase keys), so a profile reads like the
``Pulumi.<env>.yaml`` that would spell it out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_COMMON: dict[str, Any] = {
    "network": {
        "cidr": "10.0.0.0/16",
        "interfaceEndpoints": [],
    },
    "edge": {
        "domain": None,
        "hostedZoneId": None,
        "hostedZoneName": None,
        "certificateArn": None,
        "albDomainName": None,
        "cdnDomainNames": [],
        "cdnCertificateArn": None,
        "albIngressCidrs": ["0.0.0.0/0"],
        "priceClass": "PriceClass_100",
        "waf": False,
        "wafWebAclArn": None,
        "geoRestriction": {"mode": "none", "countries": []},
        "signedMediaUrls": True,
    },
    "services": {
        "architecture": "ARM64",
        "image": None,
        "containerPort": 8000,
        "enableExecuteCommand": False,
    },
    "database": {
        "engineVersion": "16",
        "allocatedStorage": 20,
        "performanceInsights": True,
    },
    "cache": {
        "engine": "valkey",
    },
    "alarms": {"email": None, "dashboards": True},
    "backup": {"enabled": False, "schedule": "cron(0 3 * * ? *)", "retentionDays": 7},
    "blueGreen": {},
    "budgetMonthlyUsd": None,
    "invariantOverrides": [],
}

_DEV: dict[str, Any] = {
    "network": {"azCount": 2, "natMode": "instance", "flowLogs": False, "flowLogRetentionDays": 7},
    "edge": {"albAccessLogs": False, "albDeletionProtection": False, "cdnAccessLogs": False},
    "services": {
        "architecture": "X86_64",
        "capacity": "spot",
        "logRetentionDays": 7,
        "catalog": {"cpu": 256, "memory": 512, "desiredCount": 1, "minCount": 1, "maxCount": 2},
        "accounts": {"cpu": 256, "memory": 512, "desiredCount": 1, "minCount": 1, "maxCount": 2},
    },
    "database": {
        "instanceClass": "db.t4g.micro",
        "maxAllocatedStorage": 50,
        "multiAz": False,
        "backupRetentionDays": 7,
        "deletionProtection": False,
    },
    "cache": {"nodeType": "cache.t4g.micro", "nodes": 1, "snapshotRetentionDays": 0},
    # Dashboards cost $3/month each beyond the account's first three: dev opts in when it wants them.
    "alarms": {"dashboards": False},
    # The target is $55; the estimate is about $81 (see README "What it costs"), so the
    # budget guards against growth from here rather than pretending to meet the target.
    "budgetMonthlyUsd": 85,
}

_STAGING: dict[str, Any] = {
    "network": {"azCount": 3, "natMode": "single", "flowLogs": True, "flowLogRetentionDays": 14},
    "edge": {"albAccessLogs": True, "albDeletionProtection": False, "cdnAccessLogs": False, "waf": True},
    "services": {
        "architecture": "X86_64",
        "capacity": "mixed",
        "logRetentionDays": 14,
        "catalog": {"cpu": 256, "memory": 512, "desiredCount": 2, "minCount": 2, "maxCount": 4},
        "accounts": {"cpu": 256, "memory": 512, "desiredCount": 2, "minCount": 2, "maxCount": 4},
    },
    "database": {
        "instanceClass": "db.t4g.micro",
        "maxAllocatedStorage": 100,
        "multiAz": True,
        "backupRetentionDays": 7,
        "deletionProtection": False,
    },
    "cache": {"nodeType": "cache.t4g.micro", "nodes": 2, "snapshotRetentionDays": 1},
    "backup": {"enabled": True, "retentionDays": 14},
    "budgetMonthlyUsd": 200,
}

_PROD: dict[str, Any] = {
    "network": {"azCount": 3, "natMode": "per_az", "flowLogs": True, "flowLogRetentionDays": 30},
    "edge": {"albAccessLogs": True, "albDeletionProtection": True, "cdnAccessLogs": True, "waf": True},
    "services": {
        "capacity": "on_demand",
        "logRetentionDays": 30,
        "catalog": {"cpu": 512, "memory": 1024, "desiredCount": 2, "minCount": 2, "maxCount": 6},
        "accounts": {"cpu": 256, "memory": 512, "desiredCount": 2, "minCount": 2, "maxCount": 6},
    },
    "database": {
        "instanceClass": "db.t4g.small",
        "maxAllocatedStorage": 200,
        "multiAz": True,
        "backupRetentionDays": 14,
        "deletionProtection": True,
    },
    "cache": {"nodeType": "cache.t4g.micro", "nodes": 2, "snapshotRetentionDays": 7},
    "backup": {"enabled": True, "retentionDays": 35},
    "budgetMonthlyUsd": 400,
}


@dataclass(frozen=True)
class Invariant:
    """A property a profile must keep: ``check`` gets the merged raw config and says whether it holds."""

    name: str
    rule: str
    key: str
    check: Callable[[dict[str, Any]], bool]


def lookup(raw: dict[str, Any], dotted: str) -> Any:
    value: Any = raw
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _min(dotted: str, minimum: int) -> Callable[[dict[str, Any]], bool]:
    return lambda raw: isinstance(lookup(raw, dotted), int) and lookup(raw, dotted) >= minimum


def _is(dotted: str, expected: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda raw: lookup(raw, dotted) == expected


_PROD_INVARIANTS = (
    Invariant("database-multi-az", "prod databases are Multi-AZ", "database.multiAz", _is("database.multiAz", True)),
    Invariant(
        "database-deletion-protection",
        "prod databases are protected from deletion",
        "database.deletionProtection",
        _is("database.deletionProtection", True),
    ),
    Invariant(
        "database-backups",
        "prod keeps at least 14 days of database backups",
        "database.backupRetentionDays",
        _min("database.backupRetentionDays", 14),
    ),
    Invariant(
        "cache-failover",
        "prod caches have at least 2 nodes with automatic failover",
        "cache.nodes",
        _min("cache.nodes", 2),
    ),
    Invariant("three-azs", "prod spans at least 3 availability zones", "network.azCount", _min("network.azCount", 3)),
    Invariant("nat-per-az", "prod has one NAT gateway per AZ", "network.natMode", _is("network.natMode", "per_az")),
    Invariant("flow-logs", "prod records VPC flow logs", "network.flowLogs", _is("network.flowLogs", True)),
    Invariant(
        "log-retention",
        "prod keeps service logs at least 30 days",
        "services.logRetentionDays",
        _min("services.logRetentionDays", 30),
    ),
    Invariant(
        "catalog-two-tasks",
        "prod runs at least 2 catalog tasks",
        "services.catalog.minCount",
        _min("services.catalog.minCount", 2),
    ),
    Invariant(
        "accounts-two-tasks",
        "prod runs at least 2 accounts tasks",
        "services.accounts.minCount",
        _min("services.accounts.minCount", 2),
    ),
    Invariant(
        "backups",
        "prod backs up its database and media to AWS Backup, kept at least 35 days",
        "backup.enabled",
        lambda raw: lookup(raw, "backup.enabled") is True and _min("backup.retentionDays", 35)(raw),
    ),
    Invariant(
        "alb-access-logs", "prod keeps load balancer access logs", "edge.albAccessLogs", _is("edge.albAccessLogs", True)
    ),
    Invariant(
        "waf",
        "prod's CloudFront sits behind a web ACL",
        "edge.waf",
        lambda raw: lookup(raw, "edge.waf") is True or lookup(raw, "edge.wafWebAclArn") is not None,
    ),
)

_STAGING_INVARIANTS = (
    Invariant(
        "database-multi-az",
        "staging mirrors prod's Multi-AZ database",
        "database.multiAz",
        _is("database.multiAz", True),
    ),
    Invariant("cache-failover", "staging mirrors prod's cache failover", "cache.nodes", _min("cache.nodes", 2)),
    Invariant(
        "three-azs", "staging mirrors prod's 3 availability zones", "network.azCount", _min("network.azCount", 3)
    ),
)


@dataclass(frozen=True)
class Profile:
    name: str
    defaults: dict[str, Any]
    invariants: tuple[Invariant, ...]


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` wins key by key; nested mappings merge, everything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "blueGreen":
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


PROFILES: dict[str, Profile] = {
    "dev": Profile("dev", deep_merge(_COMMON, _DEV), ()),
    "staging": Profile("staging", deep_merge(_COMMON, _STAGING), _STAGING_INVARIANTS),
    "prod": Profile("prod", deep_merge(_COMMON, _PROD), _PROD_INVARIANTS),
}
