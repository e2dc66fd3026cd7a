"""Every component used with its own provider in another region sends every lookup and every child there.

The stack's default region is us-east-1; each component is given ``providers={"aws": eu}`` for
eu-west-1. The recording mocks answer each request from the region of the provider it names, and
record which provider every resource registration and every lookup went to: a child or a lookup
that forgot its parent would go to the default provider and show up here as ``None``/us-east-1.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_aws as aws
import pytest

from components import (
    AccountBaseline,
    AccountBaselineArgs,
    AlarmTopic,
    AlarmTopicArgs,
    Backup,
    BackupArgs,
    BlueGreen,
    BlueGreenArgs,
    BlueGreenMode,
    BlueGreenSettings,
    Cache,
    CacheArgs,
    Cdn,
    CdnArgs,
    Cluster,
    ClusterArgs,
    ContainerImage,
    ContainerImageArgs,
    FargateService,
    FargateServiceArgs,
    LoadBalancer,
    LoadBalancerArgs,
    NatMode,
    Postgres,
    PostgresArgs,
    Route,
    RuleMode,
    Vpc,
    VpcArgs,
    WebAcl,
    WebAclArgs,
)
from stacks.offline.mocks import ProgramRun, Registration
from tests.conftest import MockRuntime

REGION = "eu-west-1"
DIGEST = "sha256:" + "ab" * 32
IMAGE = f"123456789012.dkr.ecr.{REGION}.amazonaws.com/app@{DIGEST}"


Opts = pulumi.ResourceOptions


def _net(opts: Opts) -> Vpc:
    return Vpc("net", VpcArgs(az_count=3, nat=NatMode.INSTANCE, flow_logs=True, interface_endpoints=["logs"]), opts)


def _service_args(net: Vpc, lb: LoadBalancer, cluster: Cluster) -> FargateServiceArgs:
    return FargateServiceArgs(
        cluster_arn=cluster.arn,
        vpc_id=net.vpc_id,
        subnet_ids=net.private_subnet_ids,
        image=IMAGE,
        load_balancer_security_group_id=lb.security_group_id,
    )


def _lb(net: Vpc, opts: Opts, rule: RuleMode = RuleMode.FORWARD) -> LoadBalancer:
    return LoadBalancer(
        "web",
        LoadBalancerArgs.in_vpc(
            net, routes=[Route(name="catalog", path_patterns=["/api/catalog/*"], rule=rule)], access_logs=True
        ),
        opts,
    )


def build_vpc(opts: Opts) -> None:
    _net(opts)


def build_load_balancer(opts: Opts) -> None:
    _lb(_net(opts), opts)


def build_cluster(opts: Opts) -> None:
    Cluster("apps", ClusterArgs(), opts)


def build_fargate_service(opts: Opts) -> None:
    net = _net(opts)
    lb = _lb(net, opts)
    args = _service_args(net, lb, Cluster("apps", ClusterArgs(), opts))
    FargateService(
        "catalog",
        FargateServiceArgs(
            **{
                **{f: getattr(args, f) for f in ("cluster_arn", "vpc_id", "subnet_ids", "image")},
                "load_balancer_security_group_id": lb.security_group_id,
                "target_group_arn": lb.target_group_arns["catalog"],
                "target_group_arn_suffix": lb.target_group("catalog").arn_suffix,
                "load_balancer_arn_suffix": lb.arn_suffix,
            }
        ),
        opts,
    )


def build_blue_green(opts: Opts) -> None:
    net = _net(opts)
    lb = _lb(net, opts, RuleMode.EXTERNAL)
    BlueGreen(
        "catalog",
        BlueGreenArgs(
            service="catalog",
            settings=BlueGreenSettings(),
            load_balancer=lb,
            route="catalog",
            service_template=_service_args(net, lb, Cluster("apps", ClusterArgs(), opts)),
        ),
        opts,
    )


def build_blue_green_native(opts: Opts) -> None:
    net = _net(opts)
    lb = _lb(net, opts, RuleMode.EXTERNAL)
    BlueGreen(
        "catalog",
        BlueGreenArgs(
            service="catalog",
            settings=BlueGreenSettings(),
            load_balancer=lb,
            route="catalog",
            service_template=_service_args(net, lb, Cluster("apps", ClusterArgs(), opts)),
            mode=BlueGreenMode.ECS_NATIVE,
        ),
        opts,
    )


def build_postgres(opts: Opts) -> None:
    Postgres("orders-db", PostgresArgs.in_vpc(_net(opts), monitoring_interval=30), opts)


def build_cache(opts: Opts) -> None:
    Cache("sessions", CacheArgs.in_vpc(_net(opts), num_nodes=2), opts)


def build_cdn(opts: Opts) -> None:
    Cdn("edge", CdnArgs(api_origin_domain="origin.example.com", access_logs=True), opts)


def build_alarm_topic(opts: Opts) -> None:
    AlarmTopic("alarms", AlarmTopicArgs(emails=["oncall@example.com"]), opts)


def build_web_acl(opts: Opts) -> None:
    WebAcl("waf", WebAclArgs(), opts)


def build_container_image(opts: Opts) -> None:
    ContainerImage("image", ContainerImageArgs(prebuilt_image=DIGEST), opts)


def build_backup(opts: Opts) -> None:
    db = Postgres("orders-db", PostgresArgs.in_vpc(_net(opts)), opts)
    Backup("data", BackupArgs(resource_arns=(db.arn,), includes_s3=False), opts)


def build_account_baseline(opts: Opts) -> None:
    AccountBaseline("baseline", AccountBaselineArgs(), opts)


BUILDERS: dict[str, Callable[[Opts], None]] = {
    "Vpc": build_vpc,
    "LoadBalancer": build_load_balancer,
    "Cluster": build_cluster,
    "FargateService": build_fargate_service,
    "BlueGreen": build_blue_green,
    "BlueGreen (ECS_NATIVE)": build_blue_green_native,
    "Postgres": build_postgres,
    "Cache": build_cache,
    "Cdn": build_cdn,
    "WebAcl": build_web_acl,
    "AlarmTopic": build_alarm_topic,
    "ContainerImage": build_container_image,
    "Backup": build_backup,
    "AccountBaseline": build_account_baseline,
}


def run_in_eu_west_1(pulumi_mocks: MockRuntime, build: Callable[[Opts], None]) -> tuple[ProgramRun, str]:
    """Run ``build`` with an eu-west-1 provider given to each component (the stack's default is us-east-1)."""

    def program() -> None:
        eu = aws.Provider("eu", region=REGION)
        build(pulumi.ResourceOptions(providers={"aws": eu}))

    run = pulumi_mocks.run(program, region="us-east-1")
    provider = next(r for r in run.registrations.values() if r.type == "pulumi:providers:aws")
    return run, f"{provider.urn}::{provider.id}"


def aws_children(run: ProgramRun) -> list[Registration]:
    return [r for r in run.registrations.values() if r.custom and r.type.startswith("aws:")]


@pytest.mark.parametrize("component", list(BUILDERS))
def test_a_component_given_an_eu_west_1_provider_sends_every_lookup_and_child_to_it(
    pulumi_mocks: MockRuntime, component: str
) -> None:
    # GIVEN the component built under an eu-west-1 provider in a us-east-1 stack
    run, eu = run_in_eu_west_1(pulumi_mocks, BUILDERS[component])

    # THEN every AWS resource it created was registered with that provider
    children = aws_children(run)
    assert children, "the component creates AWS resources"
    strays = sorted(f"{r.type} {r.name}: {r.provider}" for r in children if r.provider != eu)
    assert strays == []
    # AND every lookup it made went to that provider and was answered from eu-west-1
    lookups = [i for i in run.invocations if i.token.startswith("aws:")]
    assert all(i.provider == eu and i.region == REGION for i in lookups), [
        (i.token, i.provider, i.region) for i in lookups if i.provider != eu
    ]
    # AND no regional ARN or endpoint it produced names the default region
    assert "us-east-1" not in repr([r.outputs for r in children if r.type != "aws:wafv2/webAcl:WebAcl"])


def test_a_vpc_given_an_eu_west_1_provider_takes_its_zones_and_endpoints_from_eu_west_1(
    pulumi_mocks: MockRuntime,
) -> None:
    # GIVEN a Vpc across 3 AZs under an eu-west-1 provider, in a stack whose default region is us-east-1
    run, _ = run_in_eu_west_1(pulumi_mocks, build_vpc)

    # THEN its subnets sit in eu-west-1's zones and its endpoints name eu-west-1's services
    zones = sorted({s.inputs["availabilityZone"] for s in run.of_type("aws:ec2/subnet:Subnet")})
    assert zones == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    services = sorted(e.inputs["serviceName"] for e in run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"))
    assert services == ["com.amazonaws.eu-west-1.logs", "com.amazonaws.eu-west-1.s3"]
    # AND the AZ lookup, made while validating (before the Vpc exists), already asked eu-west-1
    (azs,) = [i for i in run.invocations if i.token == "aws:index/getAvailabilityZones:getAvailabilityZones"]
    assert azs.region == REGION
    # AND the flow-log role trusts only this region's flow logs
    trust = run.named("net-flow-logs-role").inputs["assumeRolePolicy"]
    assert f"arn:aws:ec2:{REGION}:123456789012:vpc-flow-log/*" in trust


def test_a_component_given_the_provider_directly_as_opts_provider_uses_it_too(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a Vpc given `provider=` rather than `providers=`
    def program() -> None:
        eu = aws.Provider("eu", region=REGION)
        Vpc("net", VpcArgs(az_count=2, nat=NatMode.NONE, flow_logs=False), pulumi.ResourceOptions(provider=eu))

    run = pulumi_mocks.run(program, region="us-east-1")
    # THEN its zones and its children are eu-west-1's
    assert sorted({s.inputs["availabilityZone"] for s in run.of_type("aws:ec2/subnet:Subnet")}) == [
        "eu-west-1a",
        "eu-west-1b",
    ]
    assert {i.region for i in run.invocations} == {REGION}
