"""What Postgres and Cache share: placed in a real Vpc's isolated subnets by ``in_vpc``.

(That every argument of both is documented with its default is checked for all components in
tests/stacks/test_docs.py.)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from components.cache import Cache, CacheArgs
from components.postgres import Postgres, PostgresArgs
from components.vpc import NatMode, Vpc, VpcArgs
from tests.conftest import MockRuntime

PLACED: list[tuple[str, Callable[[Vpc], object]]] = [
    ("sessions", lambda net: Cache("sessions", CacheArgs.in_vpc(net))),
    ("orders-db", lambda net: Postgres("orders-db", PostgresArgs.in_vpc(net))),
]


@pytest.mark.parametrize(("name", "place"), PLACED, ids=["cache", "postgres"])
def test_in_a_real_vpc_it_uses_exactly_the_isolated_subnets(
    pulumi_mocks: MockRuntime, name: str, place: Callable[[Vpc], object]
) -> None:
    # GIVEN a two-AZ Vpc
    def program() -> None:
        place(Vpc("net", VpcArgs(az_count=2, nat=NatMode.NONE)))

    # WHEN the component is placed with in_vpc
    run = pulumi_mocks.run(program)
    # THEN its subnet group holds the isolated subnets and no others, and its group is in that VPC
    isolated = [
        r.outputs["arn"].rsplit("/", 1)[1]
        for r in run.of_type("aws:ec2/subnet:Subnet")
        if r.name.startswith("net-isolated-")
    ]
    assert len(isolated) == 2
    assert run.named(f"{name}-subnets").inputs["subnetIds"] == isolated
    vpc_arn = run.of_type("aws:ec2/vpc:Vpc")[0].outputs["arn"]
    assert run.named(f"{name}-sg").inputs["vpcId"] == vpc_arn.rsplit("/", 1)[1]
