"""Cluster: Container Insights and the Fargate capacity providers."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
import pytest

from components.cluster import Cluster, ClusterArgs, ContainerInsights
from components.errors import ComponentArgsError
from components.tags import REQUIRED_TAG_KEYS
from tests.conftest import MockRuntime

CLUSTER = "aws:ecs/cluster:Cluster"
PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"


def test_a_cluster_has_container_insights_enabled_by_default(pulumi_mocks: MockRuntime) -> None:
    # GIVEN default args WHEN the cluster is created
    run = pulumi_mocks.run(lambda: Cluster("app", ClusterArgs()))

    # THEN the one ECS cluster carries the containerInsights setting (FSBP ECS.12)
    [cluster] = run.of_type(CLUSTER)
    assert cluster.name == "app-cluster"
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enabled"}]


@pytest.mark.parametrize(
    ("mode", "value"),
    [
        (True, "enabled"),
        (False, "disabled"),
        ("enhanced", "enhanced"),
        (ContainerInsights.ENHANCED, "enhanced"),
    ],
)
def test_container_insights_accepts_booleans_strings_and_modes(
    pulumi_mocks: MockRuntime,
    mode: ContainerInsights | bool,
    value: str,
) -> None:
    run = pulumi_mocks.run(lambda: Cluster("app", ClusterArgs(container_insights=mode)))
    assert run.named("app-cluster").inputs["settings"] == [{"name": "containerInsights", "value": value}]


def test_fargate_and_fargate_spot_are_associated_with_an_on_demand_default(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(lambda: Cluster("app", ClusterArgs()))

    [providers] = run.of_type(PROVIDERS)
    assert providers.name == "app-capacity-providers"
    assert providers.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert providers.inputs["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 0}
    ]
    assert providers.inputs["clusterName"] == run.named("app-cluster").outputs["name"]


def test_a_consumer_of_the_arn_waits_for_the_capacity_providers(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a resource fed by the cluster's arn output
    def program() -> None:
        cluster = Cluster("app", ClusterArgs())
        aws.ecs.Service("svc", cluster=cluster.arn)
        pulumi.export("arn", cluster.arn)
        pulumi.export("name", cluster.name)

    run = pulumi_mocks.run(program)

    # THEN it depends on the capacity-provider association as well as the cluster
    deps = run.named("svc").dependencies
    assert run.named("app-capacity-providers").urn in deps
    assert run.named("app-cluster").urn in deps
    assert re.fullmatch(r"arn:aws:ecs:us-east-1:123456789012:cluster/app-cluster-[0-9a-f]{7}", run.outputs["arn"])
    assert run.outputs["name"] == run.outputs["arn"].rsplit("/", 1)[1]


def test_a_cluster_name_can_be_set(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(lambda: Cluster("app", ClusterArgs(cluster_name="streaming-prod")))
    assert run.named("app-cluster").inputs["name"] == "streaming-prod"


def test_every_child_is_parented_named_after_the_component_and_tagged(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(lambda: Cluster("app", ClusterArgs(tags={"Team": "media"})))

    component = run.named("app")
    children = [r for r in run.registrations.values() if r.parent == component.urn]
    assert sorted(c.name for c in children) == ["app-capacity-providers", "app-cluster"]
    tags = run.named("app-cluster").inputs["tags"]
    assert set(REQUIRED_TAG_KEYS) <= set(tags)
    assert tags["Name"] == "app" and tags["Component"] == "Cluster" and tags["Team"] == "media"


@pytest.mark.parametrize(
    ("args", "argument", "match"),
    [
        (ClusterArgs(container_insights="on"), "container_insights", "'on' is not a mode"),  # type: ignore[arg-type]
        (ClusterArgs(cluster_name="prod cluster"), "cluster_name", "'prod cluster' is not a valid cluster name"),
    ],
)
def test_invalid_args_are_refused_before_anything_is_registered(
    pulumi_mocks: MockRuntime,
    args: ClusterArgs,
    argument: str,
    match: str,
) -> None:
    # GIVEN bad args WHEN the component is constructed inside a program
    def program() -> None:
        with pytest.raises(ComponentArgsError, match=rf"^Cluster 'app': \[{argument}\] {match}"):
            Cluster("app", args)

    run = pulumi_mocks.run(program)

    # THEN the error names the instance and argument, and nothing at all was registered
    assert run.registrations == {}
