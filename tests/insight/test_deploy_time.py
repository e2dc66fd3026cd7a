"""Deploy-time estimate: the longest path through the dependency graph, with the critical path."""

from __future__ import annotations

import pytest

from insight.deploy_time import CREATION_TIMES, estimate, render, timing
from tests.insight.plans import PlanBuilder, sample_environment


def small_graph() -> PlanBuilder:
    """vpc(5) → subnet(5) → nat(115); subnet → alb(132) → service(30); subnet → rds(300)."""
    b = PlanBuilder()
    vpc = b.add("aws:ec2/vpc:Vpc", "vpc")
    subnet = b.add("aws:ec2/subnet:Subnet", "subnet", deps=[vpc])
    b.add("aws:ec2/natGateway:NatGateway", "nat", deps=[subnet])
    alb = b.add("aws:lb/loadBalancer:LoadBalancer", "alb", deps=[subnet])
    b.add("aws:ecs/service:Service", "service", deps=[alb])
    b.add("aws:rds/instance:Instance", "db", deps=[subnet], multiAz=False)
    return b


def test_the_estimate_is_the_longest_weighted_path() -> None:
    # GIVEN the small graph WHEN estimated THEN vpc + subnet + rds = 5 + 5 + 300 s
    est = estimate(small_graph().plan())
    assert est.total_seconds == 310
    assert [s.name for s in est.critical_path] == ["vpc", "subnet", "db"]
    assert [(s.start, s.seconds) for s in est.critical_path] == [(0, 5), (5, 5), (10, 300)]


def test_a_multi_az_database_moves_the_critical_path() -> None:
    b = small_graph()
    b.resources[next(u for u in b.resources if u.endswith("::db"))]["inputs"]["multiAz"] = True
    assert estimate(b.plan()).total_seconds == 5 + 5 + 1080


def test_waiting_for_a_component_waits_for_all_its_children() -> None:
    # GIVEN a component whose slowest child is a NAT gateway, and a route that depends on the component
    b = PlanBuilder()
    net = b.component("Vpc", "net")
    vpc = b.add("aws:ec2/vpc:Vpc", "net-vpc", parent=net)
    b.add("aws:ec2/natGateway:NatGateway", "net-nat", parent=net, deps=[vpc])
    b.add("aws:ec2/route:Route", "after", deps=[net])
    est = estimate(b.plan())
    # THEN the route starts after the NAT gateway: 5 + 115 + 3
    assert est.total_seconds == 123
    assert [s.name for s in est.critical_path] == ["net-vpc", "net-nat", "after"]


def test_removing_an_edge_on_the_critical_path_reports_the_saving() -> None:
    # GIVEN a service that waits for a 2-minute ALB it need not wait for
    b = PlanBuilder()
    alb = b.add("aws:lb/loadBalancer:LoadBalancer", "alb")
    b.add("aws:ecs/service:Service", "service", deps=[alb])
    est = estimate(b.plan())
    assert est.total_seconds == 132 + 30
    (saving,) = est.savings
    assert (saving.dependent.endswith("::service"), saving.dependency.endswith("::alb"), saving.seconds) == (
        True,
        True,
        30,
    )  # then both run in parallel: max(132, 30)
    assert "-0m30s  service (aws:ecs/service:Service, and its twins) waits for alb" in render(est, b.plan())


def test_input_dependent_timings() -> None:
    assert (
        timing({"type": "aws:cloudfront/distribution:Distribution", "inputs": {"waitForDeployment": False}}).seconds
        == 10
    )
    assert timing({"type": "aws:cloudfront/distribution:Distribution", "inputs": {}}).seconds == 195
    assert timing({"type": "aws:ecs/service:Service", "inputs": {"waitForSteadyState": True}}).seconds == 180
    assert (
        timing(
            {"type": "aws:elasticache/replicationGroup:ReplicationGroup", "inputs": {"numCacheClusters": 2.0}}
        ).seconds
        == 555
    )
    assert timing({"type": "streaming:index:Vpc", "inputs": {}}).seconds == 0
    assert timing({"type": "aws:unknown/thing:Thing", "inputs": {}}).seconds == 2


def test_every_timing_names_its_source() -> None:
    assert all(t.source and t.seconds > 0 for t in CREATION_TIMES.values())


def test_a_cycle_is_reported() -> None:
    b = PlanBuilder()
    b.add("aws:ec2/vpc:Vpc", "a", deps=["urn:pulumi:dev::streaming-platform::aws:ec2/vpc:Vpc::b"])
    b.add("aws:ec2/vpc:Vpc", "b", deps=["urn:pulumi:dev::streaming-platform::aws:ec2/vpc:Vpc::a"])
    with pytest.raises(ValueError, match="dependency cycle"):
        estimate(b.plan())


def test_the_sample_environment_is_bounded_by_its_cache() -> None:
    est = estimate(sample_environment())
    assert est.critical_path[-1].name == "cache-group"
    assert est.total_seconds == 5 + 5 + 2 + 360
