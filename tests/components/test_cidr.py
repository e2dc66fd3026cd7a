"""Subnet CIDR maths: examples and Hypothesis properties (never overlap, inside the VPC, stable)."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components._cidr import AZ_SLOTS, cidr_problem, plan_subnets


def test_a_slash_16_with_three_azs_gets_public_and_isolated_slash_21s_and_private_slash_20s() -> None:
    # GIVEN the default VPC CIDR WHEN three AZs are planned
    plan = plan_subnets("10.0.0.0/16", 3)

    # THEN each tier has its own block and AZ i has slot i
    assert plan.public == ("10.0.0.0/21", "10.0.8.0/21", "10.0.16.0/21")
    assert plan.isolated == ("10.0.64.0/21", "10.0.72.0/21", "10.0.80.0/21")
    assert plan.private == ("10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20")


def test_the_smallest_allowed_vpc_still_fits_every_slot() -> None:
    plan = plan_subnets("192.168.0.0/23", AZ_SLOTS)

    assert plan.public[-1] == "192.168.0.112/28"
    assert plan.private[0] == "192.168.1.0/27"


@pytest.mark.parametrize(
    ("cidr", "fragment"),
    [
        ("10.0.0.0/24", "prefix /24"),
        ("10.0.0.0/15", "prefix /15"),
        ("10.0.0.1/16", "not a valid"),
        ("fd00::/56", "IPv6"),
        ("banana", "not a valid"),
    ],
)
def test_an_unusable_cidr_is_explained(cidr: str, fragment: str) -> None:
    problem = cidr_problem(cidr)

    assert problem is not None and fragment in problem
    with pytest.raises(ValueError, match=fragment):
        plan_subnets(cidr, 2)


def test_an_az_count_outside_the_slots_is_refused() -> None:
    with pytest.raises(ValueError, match=r"outside 1\.\.8"):
        plan_subnets("10.0.0.0/16", AZ_SLOTS + 1)


vpc_cidrs = st.builds(
    lambda addr, prefix: str(ipaddress.IPv4Network((addr, prefix), strict=False)),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=16, max_value=23),
)


@given(vpc_cidrs, st.integers(min_value=1, max_value=AZ_SLOTS))
def test_subnets_never_overlap_and_stay_inside_the_vpc(cidr: str, az_count: int) -> None:
    vpc = ipaddress.IPv4Network(cidr)
    blocks = [ipaddress.IPv4Network(b) for b in plan_subnets(cidr, az_count).all()]

    assert len(blocks) == 3 * az_count
    assert all(b.subnet_of(vpc) for b in blocks)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(blocks, 2))


@given(vpc_cidrs, st.integers(min_value=1, max_value=AZ_SLOTS - 1))
def test_adding_an_az_never_moves_an_existing_subnet(cidr: str, az_count: int) -> None:
    before, after = plan_subnets(cidr, az_count), plan_subnets(cidr, az_count + 1)

    assert after.public[:az_count] == before.public
    assert after.private[:az_count] == before.private
    assert after.isolated[:az_count] == before.isolated


@given(vpc_cidrs, st.integers(min_value=1, max_value=AZ_SLOTS))
def test_private_subnets_are_twice_the_size_of_public_and_isolated_ones(cidr: str, az_count: int) -> None:
    plan = plan_subnets(cidr, az_count)
    prefix = ipaddress.IPv4Network(cidr).prefixlen

    assert {ipaddress.IPv4Network(b).prefixlen for b in plan.public + plan.isolated} == {prefix + 5}
    assert {ipaddress.IPv4Network(b).prefixlen for b in plan.private} == {prefix + 4}
