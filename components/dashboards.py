"""Dashboards: one CloudWatch dashboard per service and one for the whole environment.

Creates, for dashboard prefix ``p`` (e.g. ``streaming-prod``):

* ``<name>-<service>``: an ``aws.cloudwatch.Dashboard`` named ``p-<service>`` per entry of
  ``services``, with one line per *target* (a plain service has one; a blue-green pair has one
  per colour, so both colours sit on the same graphs): ALB requests and target 5xx
  (``AWS/ApplicationELB``, dimensions ``TargetGroup`` + ``LoadBalancer``), p50 and p99
  ``TargetResponseTime``, ``HealthyHostCount``, running vs desired tasks
  (``ECS/ContainerInsights``, ``ClusterName`` + ``ServiceName``: the cluster must have Container
  Insights on, as `Cluster` does by default) and CPU and memory utilisation (``AWS/ECS``);
* ``<name>-environment``: the dashboard ``p-environment`` with, for each part that is given:
  the edge (CloudFront ``Requests``, ``4xxErrorRate``, ``5xxErrorRate`` with ``DistributionId`` +
  ``Region=Global``, read in us-east-1 where CloudFront publishes them; WAF ``BlockedRequests``
  and ``AllowedRequests`` of the web ACL, ``Rule=ALL``, also us-east-1), the database (RDS
  ``CPUUtilization``, ``DatabaseConnections``, ``FreeStorageSpace``, ``ReplicaLag`` by
  ``DBInstanceIdentifier``) and the cache (ElastiCache ``EngineCPUUtilization``,
  ``DatabaseMemoryUsagePercentage``, ``Evictions``, ``CurrConnections`` per node,
  ``CacheClusterId`` = ``<replication group>-00N``, the ids ElastiCache gives a group's members).

Every metric's dimensions are the ids of the resources passed in (outputs of the other
components), so a dashboard always shows this environment's resources and nothing else.
Dashboards carry no tags (CloudWatch dashboards are not taggable).

Example::

    Dashboards("ops", DashboardsArgs(
        dashboard_prefix="shop-prod", cluster_name=cluster.name, load_balancer_arn_suffix=lb.arn_suffix,
        services=(ServiceDashboard(service="api", targets=(
            DashboardTarget(label="api", service_name=svc.service_name,
                            target_group_arn_suffix=lb.target_group("api").arn_suffix),)),),
        database_identifier=db.identifier,
    ))

Cost: $3.00 per dashboard-month beyond the account's first three (CloudWatch pricing; up to 50
metrics each); the metrics themselves are AWS's free vended metrics, except Container Insights'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.base import Component

__all__ = ["DashboardTarget", "Dashboards", "DashboardsArgs", "ServiceDashboard", "arn_suffix"]

#: CloudFront and CloudFront-scoped WAF publish their metrics in us-east-1 only.
GLOBAL_METRICS_REGION = "us-east-1"
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_WIDTH, _HEIGHT = 12, 6


def arn_suffix(arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """The part of an ELB ARN after the account (``targetgroup/<name>/<id>``, ``app/<name>/<id>``):
    the value CloudWatch's ``TargetGroup``/``LoadBalancer`` dimensions take."""
    return pulumi.Output.from_input(arn).apply(
        lambda a: a.split(":", 5)[5].removeprefix("loadbalancer/") if a.count(":") >= 5 else a
    )


@dataclass(frozen=True, kw_only=True)
class DashboardTarget:
    """One line on a service's graphs: an ECS service and its target group (a colour of a pair)."""

    label: str
    """The line's label (``catalog``, ``blue``). Default: required."""
    service_name: pulumi.Input[str]
    """The ECS service's name. Default: required."""
    target_group_arn_suffix: pulumi.Input[str]
    """The target group's ARN suffix (``targetgroup/<name>/<id>``; see `arn_suffix`). Default: required."""


@dataclass(frozen=True, kw_only=True)
class ServiceDashboard:
    """One service's dashboard."""

    service: str
    """The service's name, the dashboard's suffix ([A-Za-z0-9_-]). Default: required."""
    targets: tuple[DashboardTarget, ...]
    """Its lines: one target, or one per colour of a blue-green pair. Default: required."""


@dataclass(frozen=True, kw_only=True)
class DashboardsArgs:
    """Arguments of `Dashboards`."""

    dashboard_prefix: str
    """Prefix of every dashboard's name (dashboard names are unique per account: include the stack). Default: required."""
    cluster_name: pulumi.Input[str]
    """The ECS cluster the services run in. Default: required."""
    load_balancer_arn_suffix: pulumi.Input[str]
    """The ALB's ARN suffix (``app/<name>/<id>``). Default: required."""
    services: tuple[ServiceDashboard, ...]
    """One dashboard per entry. Default: required."""
    distribution_id: pulumi.Input[str] | None = None
    """The CloudFront distribution's id; None leaves CloudFront off the environment dashboard. Default: None."""
    web_acl_metric_name: pulumi.Input[str] | None = None
    """The CloudFront web ACL's metric name (its ``visibility_config.metric_name``); None: no WAF widget. Default: None."""
    database_identifier: pulumi.Input[str] | None = None
    """The RDS instance identifier; None: no database widgets. Default: None."""
    cache_replication_group_id: pulumi.Input[str] | None = None
    """The ElastiCache replication group id; None: no cache widgets. Default: None."""
    cache_nodes: int = 1
    """Nodes of the replication group (one line per node). Default: 1."""
    period_seconds: int = 300
    """Period of every graph (a multiple of 60). Default: 300."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags (validated; dashboards themselves are not taggable). Default: {}."""


Metric = list[Any]


class Dashboards(Component):
    """Per-service and per-environment CloudWatch dashboards."""

    dashboard_names: dict[str, pulumi.Output[str]]
    """Dashboard names by service, plus ``"environment"``."""

    def __init__(self, name: str, args: DashboardsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(name, args)
        super().__init__(name, opts, tags=args.tags)
        self._args = args
        region = aws.get_region(opts=self.lookup_opts()).region
        self.dashboard_names = {}
        for service in args.services:
            body = self._body(self._service_widgets(service, region))
            board = aws.cloudwatch.Dashboard(
                f"{name}-{service.service}",
                dashboard_name=f"{args.dashboard_prefix}-{service.service}",
                dashboard_body=body,
                opts=self.child_opts(),
            )
            self.dashboard_names[service.service] = board.dashboard_name
        environment = aws.cloudwatch.Dashboard(
            f"{name}-environment",
            dashboard_name=f"{args.dashboard_prefix}-environment",
            dashboard_body=self._body(self._environment_widgets(region)),
            opts=self.child_opts(),
        )
        self.dashboard_names["environment"] = environment.dashboard_name
        self.register_outputs({"dashboard_names": self.dashboard_names})

    # -- widgets -----------------------------------------------------------------------------------

    def _widget(
        self, title: str, region: str, metrics: Sequence[Metric], *, stat: str = "Sum", **extra: Any
    ) -> dict[str, Any]:
        return {
            "type": "metric",
            "width": _WIDTH,
            "height": _HEIGHT,
            "properties": {
                "title": title,
                "region": region,
                "view": "timeSeries",
                "stat": stat,
                "period": self._args.period_seconds,
                "metrics": list(metrics),
                **extra,
            },
        }

    def _service_widgets(self, service: ServiceDashboard, region: str) -> list[dict[str, Any]]:
        a = self._args
        lb = a.load_balancer_arn_suffix

        def alb(metric: str, **options: str) -> list[Metric]:
            return [
                [
                    "AWS/ApplicationELB",
                    metric,
                    "TargetGroup",
                    t.target_group_arn_suffix,
                    "LoadBalancer",
                    lb,
                    {"label": f"{t.label} {options.get('stat', '')}".strip(), **options},
                ]
                for t in service.targets
            ]

        def ecs(namespace: str, metric: str, label: str = "") -> list[Metric]:
            return [
                [
                    namespace,
                    metric,
                    "ClusterName",
                    a.cluster_name,
                    "ServiceName",
                    t.service_name,
                    {"label": f"{t.label} {label}".strip()},
                ]
                for t in service.targets
            ]

        return [
            self._widget(f"{service.service}: requests", region, alb("RequestCount")),
            self._widget(f"{service.service}: target 5xx", region, alb("HTTPCode_Target_5XX_Count")),
            self._widget(
                f"{service.service}: response time p50 / p99 (s)",
                region,
                [*alb("TargetResponseTime", stat="p50"), *alb("TargetResponseTime", stat="p99")],
                stat="p50",
            ),
            self._widget(f"{service.service}: healthy targets", region, alb("HealthyHostCount"), stat="Minimum"),
            self._widget(
                f"{service.service}: running vs desired tasks",
                region,
                [
                    *ecs("ECS/ContainerInsights", "RunningTaskCount", "running"),
                    *ecs("ECS/ContainerInsights", "DesiredTaskCount", "desired"),
                ],
                stat="Average",
            ),
            self._widget(
                f"{service.service}: CPU and memory (%)",
                region,
                [*ecs("AWS/ECS", "CPUUtilization", "CPU"), *ecs("AWS/ECS", "MemoryUtilization", "memory")],
                stat="Average",
            ),
        ]

    def _environment_widgets(self, region: str) -> list[dict[str, Any]]:
        a = self._args
        widgets: list[dict[str, Any]] = []
        if a.distribution_id is not None:
            cf = ("DistributionId", a.distribution_id, "Region", "Global")
            widgets.append(
                self._widget("CloudFront: requests", GLOBAL_METRICS_REGION, [["AWS/CloudFront", "Requests", *cf]])
            )
            widgets.append(
                self._widget(
                    "CloudFront: error rates (%)",
                    GLOBAL_METRICS_REGION,
                    [["AWS/CloudFront", "4xxErrorRate", *cf], ["AWS/CloudFront", "5xxErrorRate", *cf]],
                    stat="Average",
                )
            )
        if a.web_acl_metric_name is not None:
            acl = ("WebACL", a.web_acl_metric_name, "Rule", "ALL")
            widgets.append(
                self._widget(
                    "WAF: blocked vs allowed requests",
                    GLOBAL_METRICS_REGION,
                    [["AWS/WAFV2", "BlockedRequests", *acl], ["AWS/WAFV2", "AllowedRequests", *acl]],
                )
            )
        if a.database_identifier is not None:
            db = ("DBInstanceIdentifier", a.database_identifier)
            for title, metric, stat in (
                ("Database: CPU (%)", "CPUUtilization", "Average"),
                ("Database: connections", "DatabaseConnections", "Maximum"),
                ("Database: free storage (bytes)", "FreeStorageSpace", "Minimum"),
                ("Database: replica lag (s)", "ReplicaLag", "Maximum"),
            ):
                widgets.append(self._widget(title, region, [["AWS/RDS", metric, *db]], stat=stat))
        if a.cache_replication_group_id is not None:
            group = pulumi.Output.from_input(a.cache_replication_group_id)
            nodes = [pulumi.Output.concat(group, f"-{i + 1:03d}") for i in range(a.cache_nodes)]
            for title, metric, stat in (
                ("Cache: engine CPU (%)", "EngineCPUUtilization", "Average"),
                ("Cache: memory used (%)", "DatabaseMemoryUsagePercentage", "Average"),
                ("Cache: evictions", "Evictions", "Sum"),
                ("Cache: connections", "CurrConnections", "Maximum"),
            ):
                widgets.append(
                    self._widget(
                        title,
                        region,
                        [["AWS/ElastiCache", metric, "CacheClusterId", node] for node in nodes],
                        stat=stat,
                    )
                )
        return widgets

    @staticmethod
    def _body(widgets: list[dict[str, Any]]) -> pulumi.Output[str]:
        """The dashboard body: widgets laid out two per row, rendered as JSON once every id is known."""
        for i, widget in enumerate(widgets):
            widget["x"], widget["y"] = (i % 2) * _WIDTH, (i // 2) * _HEIGHT
        return pulumi.Output.json_dumps({"widgets": widgets})


def _validate(name: str, args: DashboardsArgs) -> None:
    if not _NAME.match(args.dashboard_prefix) or len(args.dashboard_prefix) > 200:
        Dashboards.fail(
            name,
            "dashboard_prefix",
            f"{args.dashboard_prefix!r} is not a dashboard name prefix: use up to 200 of A-Z, a-z, 0-9, - and _.",
        )
    if not args.services:
        Dashboards.fail(name, "services", "is empty; give at least one ServiceDashboard.")
    seen: set[str] = set()
    for service in args.services:
        if not _NAME.match(service.service) or service.service == "environment":
            Dashboards.fail(
                name,
                "services",
                f"service {service.service!r} must be of A-Z, a-z, 0-9, - and _ and not 'environment' "
                "(the environment dashboard's name).",
            )
        if service.service in seen:
            Dashboards.fail(name, "services", f"lists {service.service!r} twice; list each service once.")
        seen.add(service.service)
        if not service.targets:
            Dashboards.fail(name, "services", f"{service.service!r} has no targets; give at least one DashboardTarget.")
    if args.period_seconds < 60 or args.period_seconds % 60:
        Dashboards.fail(name, "period_seconds", f"{args.period_seconds} is not a multiple of 60; use e.g. 300.")
    if not 1 <= args.cache_nodes <= 6:
        Dashboards.fail(name, "cache_nodes", f"{args.cache_nodes} is outside 1..6 (a replication group's nodes).")
