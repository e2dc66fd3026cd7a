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
        "certificateArn": None,
        "albDomainName": None,
        "cdnDomainNames": [],
        "cdnCertificateArn": None,
        "albIngressCidrs": ["0.0.0.0/0"],
        "priceClass": "PriceClass_100",
        "waf": False,
        "wafLogging": False,
        "wafWebAclArn": None,
        "geoRestriction": {"mode": "none", "countries": []},
        "signedMediaUrls": True,
    },
    "services": {
        "architecture": "ARM64",
        "image": None,
        "containerPort": 8000,
        "enableExecuteCommand": False,
        "containerInsights": "enabled",
        "schedule": None,
    },
    "database": {
        "engineVersion": "16",
        "allocatedStorage": 20,
        "performanceInsights": True,
        "monitoringInterval": 0,
        "iamAuthentication": False,
    },
    "cache": {
        "enabled": True,
        "engine": "valkey",
    },
    "alarms": {"email": None},
    "encryption": {"customerManagedKey": False},
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
        # Saves about $13.20/month of CloudWatch custom metrics; gives up the per-task CPU/memory
        # metrics and the Container Insights dashboards (service-level ECS metrics stay, free).
        "containerInsights": "disabled",
        "logRetentionDays": 7,
        # Dev sleeps outside working hours: 0 tasks from 20:00 to 07:00 UTC and over the weekend.
        "schedule": {"sleep": "cron(0 20 ? * MON-FRI *)", "wake": "cron(0 7 ? * MON-FRI *)", "timezone": "UTC"},
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
    # No ElastiCache in dev: the app falls back to its in-process cache (one per task), which saves the
    # node, its AUTH secret and its log group (about $10/month). Set cache.enabled: true to test Redis.
    "cache": {"enabled": False, "nodeType": "cache.t4g.micro", "nodes": 1, "snapshotRetentionDays": 0},
    "budgetMonthlyUsd": 85,  # lowered to 50 once the private ALB lands
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
    "budgetMonthlyUsd": 200,
}

_PROD: dict[str, Any] = {
    "network": {"azCount": 3, "natMode": "per_az", "flowLogs": True, "flowLogRetentionDays": 30},
    # Audit trails scanners look for (docs/security.md): WAF logs, S3 server access logs (with the
    # CloudFront logs), RDS enhanced monitoring and IAM database authentication.
    "edge": {
        "albAccessLogs": True,
        "albDeletionProtection": True,
        "cdnAccessLogs": True,
        "waf": True,
        "wafLogging": True,
    },
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
        "monitoringInterval": 60,
        "iamAuthentication": True,
    },
    "cache": {"nodeType": "cache.t4g.micro", "nodes": 2, "snapshotRetentionDays": 7},
    "encryption": {"customerManagedKey": True},
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
    Invariant("cache-enabled", "prod runs a shared cache (ElastiCache)", "cache.enabled", _is("cache.enabled", True)),
    Invariant(
        "always-on", "prod services never sleep on a schedule", "services.schedule", _is("services.schedule", None)
    ),
    Invariant(
        "customer-managed-key",
        "prod encrypts its data with its own KMS key",
        "encryption.customerManagedKey",
        _is("encryption.customerManagedKey", True),
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
        "container-insights",
        "prod keeps Container Insights on (FSBP ECS.12)",
        "services.containerInsights",
        lambda raw: lookup(raw, "services.containerInsights") in ("enabled", "enhanced"),
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
    Invariant("cache-enabled", "staging mirrors prod's shared cache", "cache.enabled", _is("cache.enabled", True)),
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
