"""ElastiCache (Redis/Valkey replication groups): encryption, AUTH/RBAC, failover, Multi-AZ."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._core import ResourceView, as_list, as_number, is_true, is_unknown, resource_rule

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


@resource_rule(
    "elasticache-encryption-at-rest",
    control="ElastiCache.4",
    description="Replication groups encrypt data at rest (atRestEncryptionEnabled true).",
    types=(REPLICATION_GROUP,),
)
def encryption_at_rest(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("atRestEncryptionEnabled")
    if not is_true(value) and not is_unknown(value):
        yield f"{r.label}: data at rest is not encrypted. Set at_rest_encryption_enabled=True (replaces the group; set it at creation)."


@resource_rule(
    "elasticache-encryption-in-transit",
    control="ElastiCache.5",
    description="Replication groups encrypt traffic in transit (transitEncryptionEnabled true, mode required if set).",
    types=(REPLICATION_GROUP,),
)
def encryption_in_transit(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("transitEncryptionEnabled")
    if not is_true(value) and not is_unknown(value):
        yield f"{r.label}: clients talk to the cache in plain text. Set transit_encryption_enabled=True."
    elif r.props.get("transitEncryptionMode") == "preferred":
        yield f'{r.label}: transit_encryption_mode="preferred" still accepts plain-text clients. Set it to "required".'


@resource_rule(
    "elasticache-auth-required",
    control="ElastiCache.6",
    description="Clients must authenticate: an AUTH token (authToken) or RBAC user groups (userGroupIds).",
    types=(REPLICATION_GROUP,),
)
def auth_required(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    if (
        r.props.get("authToken")
        or r.props.get("authTokenWo")
        or as_list(r.props.get("userGroupIds"))
        or is_unknown(r.props.get("userGroupIds"))
    ):
        return
    yield (
        f"{r.label}: any client that reaches the port can read and write the cache. Set user_group_ids=[<RBAC user "
        f"group>] (preferred) or auth_token from a Secrets Manager secret (requires transit encryption)."
    )


@resource_rule(
    "elasticache-automatic-failover",
    control="ElastiCache.3",
    description="Replication groups have automatic failover on with at least 2 nodes (a replica to promote).",
    types=(REPLICATION_GROUP,),
    category="reliability",
)
def automatic_failover(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    failover = r.props.get("automaticFailoverEnabled")
    clusters = as_number(r.props.get("numCacheClusters"))
    replicas = as_number(r.props.get("replicasPerNodeGroup"))
    nodes = clusters if clusters is not None else (1 + replicas if replicas is not None else 1.0)
    unknown = any(
        is_unknown(r.props.get(k)) for k in ("automaticFailoverEnabled", "numCacheClusters", "replicasPerNodeGroup")
    )
    if not unknown and (not is_true(failover) or nodes < 2):
        yield (
            f"{r.label}: automatic failover is {'on' if is_true(failover) else 'off'} with {nodes:g} node(s); losing the "
            f"primary loses the cache. Set num_cache_clusters=2 (or more) and automatic_failover_enabled=True."
        )


@resource_rule(
    "elasticache-multi-az",
    description="Replication groups are Multi-AZ (multiAzEnabled true), so the replica sits in another AZ. Prod: mandatory.",
    types=(REPLICATION_GROUP,),
    category="reliability",
)
def multi_az(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("multiAzEnabled")
    if not is_true(value) and not is_unknown(value):
        yield f"{r.label}: not Multi-AZ. Set multi_az_enabled=True (needs automatic failover and 2+ nodes)."
