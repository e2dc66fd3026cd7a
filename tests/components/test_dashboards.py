"""Dashboards: one per service and one per environment, every widget's metric tied to this plan's resources.

The dashboard bodies are parsed from the plan's inputs (what CloudWatch's PutDashboard receives);
each metric's dimensions are compared with the outputs the mocks gave the resources of the same
plan: target group and ALB ARN suffixes, ECS service and cluster names, the DB instance and cache
node ids, the distribution id and the web ACL's metric name.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components import Dashboards, DashboardsArgs, DashboardTarget, ServiceDashboard
from stacks.offline.mocks import ProgramRun
from stacks.offline.plan import run_platform
from tests.conftest import MockRuntime

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return run_platform("prod")


def _bodies(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {d.inputs["dashboardName"]: json.loads(d.inputs["dashboardBody"]) for d in run.of_type(DASHBOARD)}


def _metrics(body: dict[str, Any]) -> list[tuple[str, str, dict[str, str], str]]:
    """(namespace, metric, dimensions, widget region) of every metric line of a dashboard."""
    out = []
    for widget in body["widgets"]:
        props = widget["properties"]
        for line in props["metrics"]:
            parts = [p for p in line if not isinstance(p, dict)]
            namespace, metric, rest = parts[0], parts[1], parts[2:]
            out.append((namespace, metric, dict(zip(rest[::2], rest[1::2], strict=True)), props["region"]))
    return out


def test_prod_has_one_dashboard_per_service_and_one_for_the_environment(prod: ProgramRun) -> None:
    # GIVEN prod's plan THEN there are exactly the two services' dashboards and the environment's
    assert sorted(_bodies(prod)) == ["streaming-prod-accounts", "streaming-prod-catalog", "streaming-prod-environment"]
    # and dev, which saves the $3/month per dashboard, has none unless it opts in
    assert run_platform("dev").of_type(DASHBOARD) == []
    opted_in = run_platform("dev", overrides={"streaming-platform:alarms": {"dashboards": True}})
    assert len(opted_in.of_type(DASHBOARD)) == 3


def test_service_widgets_point_at_this_plans_target_groups_load_balancer_services_and_cluster(
    prod: ProgramRun,
) -> None:
    # GIVEN the plan's resources
    lb = prod.of_type("aws:lb/loadBalancer:LoadBalancer")[0].outputs["arnSuffix"]
    groups = {tg.name: tg.outputs["arnSuffix"] for tg in prod.of_type("aws:lb/targetGroup:TargetGroup")}
    services = {s.inputs["name"] for s in prod.of_type("aws:ecs/service:Service")}
    cluster = prod.of_type("aws:ecs/cluster:Cluster")[0].outputs["name"]
    region = "us-east-1"
    bodies = _bodies(prod)

    # WHEN the catalog (blue-green) and accounts dashboards are read
    catalog, accounts = _metrics(bodies["streaming-prod-catalog"]), _metrics(bodies["streaming-prod-accounts"])

    # THEN every ALB metric names the ALB and one of this service's target groups; blue and green both appear
    def alb_groups(lines: list[tuple[str, str, dict[str, str], str]]) -> set[str]:
        alb = [d for ns, _, d, _ in lines if ns == "AWS/ApplicationELB"]
        assert alb and all(d["LoadBalancer"] == lb and set(d) == {"TargetGroup", "LoadBalancer"} for d in alb)
        return {d["TargetGroup"] for d in alb}

    assert alb_groups(catalog) == {groups["streaming-catalog-blue-tg"], groups["streaming-catalog-green-tg"]}
    assert alb_groups(accounts) == {groups["streaming-lb-accounts-tg"]}
    # and every ECS metric names this plan's cluster and this service's ECS services
    for lines, expected in (
        (catalog, {"streaming-prod-catalog-blue", "streaming-prod-catalog-green"}),
        (accounts, {"streaming-prod-accounts"}),
    ):
        ecs = [(ns, m, d) for ns, m, d, _ in lines if ns in ("AWS/ECS", "ECS/ContainerInsights")]
        assert {d["ClusterName"] for _, _, d in ecs} == {cluster}
        assert {d["ServiceName"] for _, _, d in ecs} == expected <= services
        assert {m for _, m, _ in ecs} == {"RunningTaskCount", "DesiredTaskCount", "CPUUtilization", "MemoryUtilization"}
    # and the graphs cover requests, 5xx, p50/p99 latency and healthy targets, in the stack's region
    names = {m for _, m, _, _ in catalog}
    assert {"RequestCount", "HTTPCode_Target_5XX_Count", "TargetResponseTime", "HealthyHostCount"} <= names
    stats = {
        line[-1].get("stat")
        for w in bodies["streaming-prod-catalog"]["widgets"]
        for line in w["properties"]["metrics"]
        if line[1] == "TargetResponseTime"
    }
    assert stats == {"p50", "p99"}
    assert {r for *_, r in catalog} == {region}


def test_environment_widgets_point_at_this_plans_distribution_web_acl_database_and_cache(prod: ProgramRun) -> None:
    # GIVEN the plan's edge and data resources
    distribution = prod.of_type("aws:cloudfront/distribution:Distribution")[0].id
    acl = prod.of_type("aws:wafv2/webAcl:WebAcl")[0].inputs["visibilityConfig"]["metricName"]
    db = prod.of_type("aws:rds/instance:Instance")[0].inputs["identifier"]
    cache = prod.of_type("aws:elasticache/replicationGroup:ReplicationGroup")[0].outputs["memberClusters"]

    # WHEN the environment dashboard is read
    lines = _metrics(_bodies(prod)["streaming-prod-environment"])
    by_namespace: dict[str, list[tuple[str, dict[str, str], str]]] = {}
    for ns, metric, dims, region in lines:
        by_namespace.setdefault(ns, []).append((metric, dims, region))

    # THEN CloudFront's metrics are read in us-east-1 with Region=Global, for this distribution
    assert {m for m, _, _ in by_namespace["AWS/CloudFront"]} == {"Requests", "4xxErrorRate", "5xxErrorRate"}
    assert all(
        d == {"DistributionId": distribution, "Region": "Global"} and r == "us-east-1"
        for _, d, r in by_namespace["AWS/CloudFront"]
    )
    # and WAF's blocked requests are this web ACL's, also in us-east-1
    assert ("BlockedRequests", {"WebACL": acl, "Rule": "ALL"}, "us-east-1") in by_namespace["AWS/WAFV2"]
    # and the database widgets name this instance
    assert {m for m, _, _ in by_namespace["AWS/RDS"]} == {
        "CPUUtilization",
        "DatabaseConnections",
        "FreeStorageSpace",
        "ReplicaLag",
    }
    assert {d["DBInstanceIdentifier"] for _, d, _ in by_namespace["AWS/RDS"]} == {db}
    # and the cache widgets name each node of this replication group
    assert {m for m, _, _ in by_namespace["AWS/ElastiCache"]} == {
        "EngineCPUUtilization",
        "DatabaseMemoryUsagePercentage",
        "Evictions",
        "CurrConnections",
    }
    assert {d["CacheClusterId"] for _, d, _ in by_namespace["AWS/ElastiCache"]} == set(cache)


def _args(**changes: Any) -> DashboardsArgs:
    base: dict[str, Any] = {
        "dashboard_prefix": "shop-test",
        "cluster_name": "apps",
        "load_balancer_arn_suffix": "app/web/0123456789abcdef",
        "services": (
            ServiceDashboard(
                service="api",
                targets=(
                    DashboardTarget(
                        label="api", service_name="api", target_group_arn_suffix="targetgroup/api/0123456789abcdef"
                    ),
                ),
            ),
        ),
    }
    return DashboardsArgs(**{**base, **changes})


def test_service_widgets_follow_the_components_provider_and_cloudfront_stays_in_us_east_1(
    pulumi_mocks: MockRuntime,
) -> None:
    # GIVEN dashboards built under an eu-west-1 provider in a us-east-1 stack
    def program() -> None:
        eu = aws.Provider("eu", region="eu-west-1")
        Dashboards("ops", _args(distribution_id="E123"), pulumi.ResourceOptions(providers={"aws": eu}))

    run = pulumi_mocks.run(program)
    bodies = _bodies(run)

    # THEN the service's metrics are read in eu-west-1 (the lookup went to the component's provider)
    assert {r for *_, r in _metrics(bodies["shop-test-api"])} == {"eu-west-1"}
    # and CloudFront's in us-east-1, where CloudFront publishes them
    assert {r for *_, r in _metrics(bodies["shop-test-environment"])} == {"us-east-1"}
    # and every child's name starts with the component's
    assert all(r.name.startswith("ops") for r in run.registrations.values() if r.type == DASHBOARD)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"dashboard_prefix": "shop prod"}, r"Dashboards 'ops'.*\[dashboard_prefix\].*'shop prod'.*A-Z"),
        ({"services": ()}, r"\[services\].*at least one"),
        ({"period_seconds": 90}, r"\[period_seconds\].*90.*multiple of 60"),
        ({"cache_nodes": 0}, r"\[cache_nodes\].*0.*1\.\.6"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_created(
    pulumi_mocks: MockRuntime, changes: dict[str, Any], message: str
) -> None:

    # GIVEN a bad argument WHEN the component is built
    text, run = pulumi_mocks.refusal(lambda: Dashboards("ops", _args(**changes)))
    # THEN the refusal names the instance, the argument and the rule, and nothing was registered
    assert re.search(message, text), text
    assert run.of_type(DASHBOARD) == [] and not [r for r in run.registrations.values() if "Dashboards" in r.type]
