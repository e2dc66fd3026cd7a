"""Vpc under the recording mocks: tiers, NAT modes, endpoints, flow logs, tags, validation."""

from __future__ import annotations

import inspect
import ipaddress
import json
import re

import pulumi_aws as aws
import pytest

from components.tags import REQUIRED_TAG_KEYS
from components.vpc import NatMode, Vpc, VpcArgs
from stacks.offline.mocks import ProgramRun, Registration
from tests.conftest import MockRuntime

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
NAT = "aws:ec2/natGateway:NatGateway"


def taggable(token: str) -> bool:
    """Whether the pulumi-aws resource behind ``token`` accepts ``tags``."""
    if not token.startswith("aws:"):
        return False
    module, cls = token.split(":")[1].split("/")[0], token.split(":")[2]
    resource = getattr(getattr(aws, module), cls)
    return "tags" in inspect.signature(resource._internal_init).parameters


def by_name(run: ProgramRun, token: str) -> dict[str, Registration]:
    return {r.name: r for r in run.of_type(token)}


def uses(reg: Registration, *others: Registration) -> bool:
    """Whether ``reg`` references every one of ``others`` (the engine records them as dependencies)."""
    return all(o.urn in reg.dependencies for o in others)


def default_route(run: ProgramRun, table: str) -> Registration | None:
    """The 0.0.0.0/0 route of route table ``table``, if any."""
    found = [r for r in run.of_type(ROUTE) if uses(r, run.named(table))]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.fixture
def prod(pulumi_mocks: MockRuntime) -> ProgramRun:
    return pulumi_mocks.run(
        lambda: Vpc(
            "net",
            VpcArgs(
                az_count=3,
                nat=NatMode.PER_AZ,
                flow_logs=True,
                flow_log_retention_days=365,
                interface_endpoints=["ecr.api", "ecr.dkr", "logs", "secretsmanager"],
                tags={"CostCenter": "streaming"},
            ),
        )
    )


def test_a_prod_like_vpc_has_three_tiers_in_three_azs_with_one_nat_gateway_per_az(prod: ProgramRun) -> None:
    # GIVEN the prod-like VPC (fixture) THEN 9 subnets, 3 per tier, one per AZ
    subnets = by_name(prod, SUBNET)
    assert sorted(subnets) == sorted(f"net-{t}-{i}" for t in ("public", "private", "isolated") for i in (1, 2, 3))
    assert [subnets[f"net-private-{i}"].inputs["availabilityZone"] for i in (1, 2, 3)] == [
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
    ]
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets.values())
    # AND one NAT gateway with its own EIP in each public subnet
    nats = by_name(prod, NAT)
    assert len(nats) == 3 and len(prod.of_type("aws:ec2/eip:Eip")) == 3
    for i in (1, 2, 3):
        assert uses(nats[f"net-nat-{i}"], subnets[f"net-public-{i}"], prod.named(f"net-nat-eip-{i}"))
        assert nats[f"net-nat-{i}"].inputs["connectivityType"] == "public"


def test_each_private_route_table_routes_to_the_nat_gateway_in_its_own_az(prod: ProgramRun) -> None:
    for i in (1, 2, 3):
        route = default_route(prod, f"net-private-rt-{i}")
        assert route is not None and route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert uses(route, prod.named(f"net-nat-{i}"))
        assert uses(
            prod.named(f"net-private-rta-{i}"), prod.named(f"net-private-rt-{i}"), prod.named(f"net-private-{i}")
        )
    # AND the isolated table has no route to the internet at all
    assert default_route(prod, "net-isolated-rt") is None
    # AND the public table routes to the internet gateway
    public = default_route(prod, "net-public-rt")
    assert public is not None and uses(public, prod.named("net-igw"))


def test_the_s3_gateway_endpoint_serves_the_private_and_isolated_route_tables_only(prod: ProgramRun) -> None:
    endpoint = prod.named("net-s3-endpoint")

    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert len(endpoint.inputs["routeTableIds"]) == 4
    assert uses(endpoint, *(prod.named(f"net-private-rt-{i}") for i in (1, 2, 3)), prod.named("net-isolated-rt"))
    assert not uses(endpoint, prod.named("net-public-rt"))


def test_interface_endpoints_sit_in_the_private_subnets_behind_an_https_from_the_vpc_group(prod: ProgramRun) -> None:
    endpoints = {r.name: r for r in prod.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if r.name != "net-s3-endpoint"}
    sg = prod.named("net-endpoints-sg")

    assert sorted(endpoints) == [
        "net-ecr-api-endpoint",
        "net-ecr-dkr-endpoint",
        "net-logs-endpoint",
        "net-secretsmanager-endpoint",
    ]
    ecr = endpoints["net-ecr-api-endpoint"].inputs
    assert ecr["serviceName"] == "com.amazonaws.us-east-1.ecr.api"
    assert (ecr["vpcEndpointType"], ecr["privateDnsEnabled"]) == ("Interface", True)
    assert len(ecr["subnetIds"]) == 3 and len(ecr["securityGroupIds"]) == 1
    assert uses(endpoints["net-ecr-api-endpoint"], sg, *(prod.named(f"net-private-{i}") for i in (1, 2, 3)))
    assert not uses(endpoints["net-ecr-api-endpoint"], prod.named("net-public-1"))
    rule = prod.named("net-endpoints-ingress-https")
    assert uses(rule, sg)
    assert (rule.inputs["cidrIpv4"], rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (
        "10.0.0.0/16",
        443,
        443,
        "tcp",
    )
    assert not [r for r in prod.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") if uses(r, sg)]


def test_flow_logs_capture_all_traffic_into_a_log_group_with_the_chosen_retention(prod: ProgramRun) -> None:
    flow, group, role = prod.named("net-flow-log"), prod.named("net-flow-logs"), prod.named("net-flow-logs-role")

    assert group.inputs["retentionInDays"] == 365
    assert flow.inputs["trafficType"] == "ALL"
    assert flow.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow.inputs["logDestination"] == group.outputs["arn"]
    assert uses(flow, prod.named("net-vpc"))
    assert flow.inputs["iamRoleArn"] == role.outputs["arn"]


def test_the_flow_log_role_trusts_only_vpc_flow_logs_of_this_account_and_writes_only_its_group(
    prod: ProgramRun,
) -> None:
    trust = json.loads(prod.named("net-flow-logs-role").inputs["assumeRolePolicy"])["Statement"][0]
    policy = json.loads(prod.named("net-flow-logs-policy").inputs["policy"])["Statement"]
    group_arn = prod.named("net-flow-logs").outputs["arn"]

    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"] == "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"
    assert policy == [
        {
            "Sid": "WriteFlowLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [f"{group_arn}:*"],
        }
    ]


def test_dns_is_on_and_the_default_security_group_keeps_no_rules(prod: ProgramRun) -> None:
    vpc = prod.named("net-vpc").inputs
    default_sg = prod.named("net-default-sg").inputs

    assert (vpc["cidrBlock"], vpc["enableDnsSupport"], vpc["enableDnsHostnames"]) == ("10.0.0.0/16", True, True)
    assert uses(prod.named("net-default-sg"), prod.named("net-vpc"))
    assert default_sg.get("ingress", []) == [] and default_sg.get("egress", []) == []


def test_every_taggable_child_is_tagged_and_every_child_is_named_after_the_vpc(prod: ProgramRun) -> None:
    children = [r for r in prod.registrations.values() if r.type != "streaming:index:Vpc"]
    component = prod.named("net")

    assert all(r.name.startswith("net-") and r.parent == component.urn for r in children)
    tagged = [r for r in children if taggable(r.type)]
    assert len(tagged) > 30
    for r in tagged:
        assert set(REQUIRED_TAG_KEYS) <= set(r.inputs["tags"]), r.name
        assert r.inputs["tags"]["Component"] == "Vpc" and r.inputs["tags"]["CostCenter"] == "streaming", r.name
    assert not [r.name for r in children if re.search(r"us-east-1|10\.0\.", r.name)]


def test_a_dev_like_vpc_uses_one_arm_nat_instance_reached_through_its_network_interface(
    pulumi_mocks: MockRuntime,
) -> None:
    # GIVEN the cheap dev setup
    run = pulumi_mocks.run(lambda: Vpc("net", VpcArgs(nat=NatMode.INSTANCE, flow_logs=False)))

    # THEN no NAT gateway, one fck-nat instance in the first public subnet
    assert run.of_type(NAT) == [] and run.of_type("aws:ec2/flowLog:FlowLog") == []
    instance = run.named("net-nat-instance")
    assert instance.inputs["instanceType"] == "t4g.nano"
    assert instance.inputs["sourceDestCheck"] is False
    assert instance.inputs["associatePublicIpAddress"] is True
    assert uses(instance, run.named("net-public-1"), run.named("net-nat-sg"))
    assert instance.inputs["ami"].startswith("ami-")
    assert instance.inputs["metadataOptions"]["httpTokens"] == "required"
    # AND its security group admits only the VPC CIDR
    ingress = [r.inputs for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    assert ingress == [{**ingress[0], "cidrIpv4": "10.0.0.0/16", "ipProtocol": "-1"}]
    # AND both private tables route through the instance's primary network interface
    eni = instance.outputs["primaryNetworkInterfaceId"]
    for i in (1, 2):
        route = default_route(run, f"net-private-rt-{i}")
        assert route is not None and route.inputs["networkInterfaceId"] == eni and uses(route, instance)


def test_a_single_nat_gateway_serves_every_private_table(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(lambda: Vpc("net", VpcArgs(az_count=3, nat=NatMode.SINGLE)))

    assert len(run.of_type(NAT)) == 1
    for i in (1, 2, 3):
        route = default_route(run, f"net-private-rt-{i}")
        assert route is not None and uses(route, run.named("net-nat-1"))


def test_without_nat_private_tables_have_no_internet_route(pulumi_mocks: MockRuntime) -> None:
    run = pulumi_mocks.run(lambda: Vpc("net", VpcArgs(nat=NatMode.NONE)))

    assert run.of_type(NAT) == [] and run.of_type("aws:ec2/instance:Instance") == []
    assert [r.name for r in run.of_type(ROUTE)] == ["net-public-default-route"]


def test_explicit_azs_are_used_in_order_and_exposed_as_plain_values(pulumi_mocks: MockRuntime) -> None:
    made: list[Vpc] = []
    run = pulumi_mocks.run(
        lambda: made.append(
            Vpc("net", VpcArgs(cidr="10.20.0.0/20", availability_zones=["us-east-1c", "us-east-1a"], nat=NatMode.NONE))
        )
    )
    vpc = made[0]

    assert vpc.availability_zones == ["us-east-1c", "us-east-1a"]
    assert vpc.cidr_block == "10.20.0.0/20"
    assert [s.az for s in vpc.public_subnets] == ["us-east-1c", "us-east-1a"]
    assert [s.cidr_block for s in vpc.private_subnets] == ["10.20.8.0/24", "10.20.9.0/24"]
    assert run.named("net-isolated-2").inputs["cidrBlock"] == "10.20.4.128/25"
    assert len(vpc.public_subnet_ids) == len(vpc.private_subnet_ids) == len(vpc.isolated_subnet_ids) == 2
    blocks = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in run.of_type(SUBNET)]
    assert all(b.subnet_of(ipaddress.ip_network("10.20.0.0/20")) for b in blocks)


# -- validation: one test per rule, each refusing before anything is registered -------------------
@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (
            VpcArgs(cidr="10.0.0.0/25"),
            r"Vpc 'net': \[cidr\] '10.0.0.0/25' has prefix /25; use a prefix between /16 and /23",
        ),
        (VpcArgs(cidr="10.0.0.1/16"), r"\[cidr\] '10.0.0.1/16' is not a valid IPv4 network"),
        (
            VpcArgs(az_count=2, availability_zones=["us-east-1a", "us-east-1b"]),
            r"\[az_count\] Only one of \[az_count\] and \[availability_zones\] can be specified",
        ),
        (VpcArgs(az_count=7), r"\[az_count\] 7 is outside 1..6"),
        (VpcArgs(availability_zones=["us-east-1a", "east"]), r"\[availability_zones\] 'east' is not an AZ name"),
        (VpcArgs(availability_zones=["us-east-1a", "us-east-1a"]), r"\[availability_zones\] .* lists an AZ twice"),
        (VpcArgs(flow_log_retention_days=45), r"\[flow_log_retention_days\] 45 is not a retention CloudWatch accepts"),
        (VpcArgs(interface_endpoints=["com.amazonaws.us-east-1.logs"]), r"\[interface_endpoints\] .* short name"),
        (VpcArgs(interface_endpoints=["logs", "logs"]), r"\[interface_endpoints\] 'logs' is listed twice"),
        (
            VpcArgs(nat=NatMode.INSTANCE, nat_instance_type="t3.nano"),
            r"\[nat_instance_type\] 't3.nano' is not a Graviton",
        ),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_registered(
    pulumi_mocks: MockRuntime, args: VpcArgs, pattern: str
) -> None:
    message, run = pulumi_mocks.refusal(lambda: Vpc("net", args))

    assert re.search(pattern, message), message
    assert run.registrations == {}
