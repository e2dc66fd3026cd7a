"""The recording mock runtime: realistic outputs, wire inputs, dependencies, secrets, unknowns."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
import pytest

from tests.conftest import MockRuntime


def test_a_subnet_lists_its_vpc_as_a_dependency_and_gets_a_vpc_id_in_aws_format(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a VPC and a subnet fed by its id
    def program() -> None:
        vpc = aws.ec2.Vpc("net", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("net-public-1", vpc_id=vpc.id, cidr_block="10.0.0.0/24")

    # WHEN it runs under the mocks
    run = pulumi_mocks.run(program)

    # THEN the subnet depends on the VPC and received an id shaped like AWS's
    vpc, subnet = run.named("net"), run.named("net-public-1")
    assert subnet.dependencies == (vpc.urn,)
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", subnet.inputs["vpcId"])
    assert subnet.inputs["cidrBlock"] == "10.0.0.0/24"


def test_secrets_are_masked_and_unknown_outputs_are_marked_not_invented(pulumi_mocks: MockRuntime) -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("net", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet(
            "net-a",
            vpc_id=vpc.id,
            cidr_block="10.0.0.0/24",
            tags={"secret": pulumi.Output.secret("hunter2"), "assoc": vpc.ipv6_association_id, "arn": vpc.arn},
        )

    tags = pulumi_mocks.run(program).named("net-a").inputs["tags"]

    assert tags["secret"] == "[secret]"
    assert tags["assoc"] == "[unknown]"
    assert re.fullmatch(r"arn:aws:ec2:us-east-1:123456789012:vpc/vpc-[0-9a-f]{17}", tags["arn"])


def test_two_runs_record_identical_ids(pulumi_mocks: MockRuntime) -> None:
    def program() -> None:
        aws.rds.Instance(
            "db",
            identifier="app-db",
            engine="postgres",
            instance_class="db.t4g.micro",
            manage_master_user_password=True,
            allocated_storage=20,
        )

    first, second = pulumi_mocks.run(program), pulumi_mocks.run(program)

    assert first.named("db").outputs == second.named("db").outputs
    assert (
        first.named("db")
        .outputs["masterUserSecrets"][0]["secretArn"]
        .startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-")
    )


def test_availability_zones_follow_the_region(pulumi_mocks: MockRuntime) -> None:
    def program() -> None:
        pulumi.export("azs", aws.get_availability_zones(state="available").names)

    assert pulumi_mocks.run(program, region="eu-west-1").outputs["azs"][:3] == [
        "eu-west-1a",
        "eu-west-1b",
        "eu-west-1c",
    ]


def test_an_error_in_the_program_propagates(pulumi_mocks: MockRuntime) -> None:
    def program() -> None:
        raise ValueError("bad argument")

    with pytest.raises(ValueError, match="bad argument"):
        pulumi_mocks.run(program)


def test_explicit_depends_on_is_listed_with_the_dependencies_that_feed_inputs(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a route table fed by the VPC and explicitly ordered after an internet gateway
    def program() -> None:
        vpc = aws.ec2.Vpc("net", cidr_block="10.0.0.0/16")
        gateway = aws.ec2.InternetGateway("net-igw")
        aws.ec2.RouteTable("net-public", vpc_id=vpc.id, opts=pulumi.ResourceOptions(depends_on=[gateway]))

    # WHEN it runs under the mocks
    run = pulumi_mocks.run(program)

    # THEN both the input's source and the explicit dependency are listed
    assert set(run.named("net-public").dependencies) == {run.named("net").urn, run.named("net-igw").urn}
    assert run.named("net-igw").dependencies == ()
