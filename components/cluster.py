"""Cluster: an ECS cluster for Fargate services, with Container Insights and both Fargate capacity providers.

Creates:

- ``aws.ecs.Cluster`` ``<name>-cluster`` with the ``containerInsights`` setting (FSBP ECS.12);
- ``aws.ecs.ClusterCapacityProviders`` ``<name>-capacity-providers`` associating FARGATE and
  FARGATE_SPOT, with a default strategy of on-demand FARGATE (each service sets its own mix).

The ``arn`` and ``name`` outputs resolve only after the capacity providers are associated, so a
service that uses them (``FargateServiceArgs(cluster_arn=cluster.arn)``) is never created before
FARGATE_SPOT is available in the cluster.

Example::

    cluster = Cluster("app", ClusterArgs(container_insights=ContainerInsights.ENHANCED))
    FargateService("catalog", FargateServiceArgs(cluster_arn=cluster.arn, ...))

Cost: the cluster itself is free. Container Insights bills its metrics as CloudWatch custom
metrics and its performance events as log ingestion ($0.50/GB ingested, $0.03/GB-month stored):
for one small service expect a few dollars a month (standard) and more with ENHANCED, which adds
per-task and per-container metrics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
import pulumi_aws as aws

from components.base import Component

__all__ = ["FARGATE", "FARGATE_SPOT", "Cluster", "ClusterArgs", "ContainerInsights", "insights_mode"]

FARGATE = "FARGATE"
FARGATE_SPOT = "FARGATE_SPOT"


class ContainerInsights(StrEnum):
    """The cluster's Container Insights mode (the ``containerInsights`` cluster setting)."""

    ENABLED = "enabled"
    """Cluster- and service-level metrics."""
    ENHANCED = "enhanced"
    """Also task- and container-level metrics (costs more)."""
    DISABLED = "disabled"
    """No Container Insights (fails FSBP ECS.12)."""


@dataclass(frozen=True, kw_only=True)
class ClusterArgs:
    """Arguments of `Cluster`."""

    container_insights: ContainerInsights | bool = ContainerInsights.ENABLED
    """Container Insights mode; ``True`` means ENABLED, ``False`` DISABLED, and the strings "enabled", "enhanced", "disabled" are accepted. Default: ENABLED."""
    cluster_name: str | None = None
    """Physical cluster name (letters, digits, '-' and '_', up to 255). Default: ``<name>-`` plus a random suffix (Pulumi autonaming)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every taggable child, over the common ones. Default: none."""


def insights_mode(value: ContainerInsights | bool | str) -> ContainerInsights:
    """Normalise the boolean and string shorthands; raises ValueError for anything else."""
    if isinstance(value, bool):
        return ContainerInsights.ENABLED if value else ContainerInsights.DISABLED
    return ContainerInsights(str(value).lower())


class Cluster(Component):
    """An ECS cluster with Container Insights and the FARGATE and FARGATE_SPOT capacity providers."""

    arn: pulumi.Output[str]
    """The cluster's ARN (known once the capacity providers are associated)."""
    name: pulumi.Output[str]
    """The cluster's physical name (the ``ClusterName`` metric dimension)."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        mode = insights_mode(args.container_insights)
        child = self.child_opts()

        cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            name=args.cluster_name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value=mode.value)],
            tags=self.tags(name),
            opts=child,
        )
        providers = aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity-providers",
            cluster_name=cluster.name,
            capacity_providers=[FARGATE, FARGATE_SPOT],
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                    capacity_provider=FARGATE,
                    weight=1,
                    base=0,
                ),
            ],
            opts=child,
        )

        # Route the outputs through the association so that consumers depend on it.
        self.arn = pulumi.Output.all(cluster.arn, providers.id).apply(lambda v: str(v[0]))
        self.name = pulumi.Output.all(cluster.name, providers.id).apply(lambda v: str(v[0]))
        self.register_outputs({"arn": self.arn, "name": self.name})


def _validate(name: str, args: ClusterArgs) -> None:
    try:
        insights_mode(args.container_insights)
    except ValueError:
        Cluster.fail(
            name,
            "container_insights",
            f"{args.container_insights!r} is not a mode; use True, False or ContainerInsights.ENABLED/ENHANCED/DISABLED.",
        )
    if args.cluster_name is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", args.cluster_name):
        Cluster.fail(
            name,
            "cluster_name",
            f"{args.cluster_name!r} is not a valid cluster name; use 1-255 letters, digits, '-' or '_'.",
        )
