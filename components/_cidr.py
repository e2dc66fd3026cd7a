"""Subnet CIDR maths for `Vpc`: pure, resource-free and property-tested.

Layout (it depends only on the VPC CIDR, never on the number of AZs, so adding an AZ never moves
an existing subnet):

* the VPC is cut into quarters: quarter 0 holds the **public** tier, quarter 1 the **isolated**
  tier, quarters 2-3 (one half) the **private** tier, where the workloads (and most addresses) live;
* each tier block is cut into `AZ_SLOTS` equal slots and AZ *i* always gets slot *i*.

For a /16: public and isolated subnets are /21 (2,043 usable addresses each), private subnets are
/20 (4,091 usable). The smallest VPC that fits is /23 (public and isolated /28, private /27).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

#: Slots reserved per tier. No AWS region has more than 6 AZs; 8 keeps the maths in powers of two.
AZ_SLOTS = 8
#: The largest and smallest VPC prefixes AWS allows, and the smallest our layout fits.
MIN_VPC_PREFIX = 16
MAX_VPC_PREFIX = 23
#: Bits from the VPC prefix down to a subnet: 2 (quarters) + 3 (8 slots) for public and isolated,
#: 1 (halves) + 3 for private.
_EDGE_BITS = 2 + 3
_PRIVATE_BITS = 1 + 3


@dataclass(frozen=True)
class SubnetPlan:
    """The CIDR blocks of each tier, one per AZ, in AZ order."""

    public: tuple[str, ...]
    private: tuple[str, ...]
    isolated: tuple[str, ...]

    def all(self) -> tuple[str, ...]:
        """Every block of the plan (public, private, isolated)."""
        return self.public + self.private + self.isolated


def cidr_problem(cidr: str) -> str | None:
    """Why ``cidr`` cannot be a VPC CIDR for this layout, or ``None`` when it can."""
    try:
        net = ipaddress.ip_network(cidr, strict=True)
    except ValueError as exc:
        return f"{cidr!r} is not a valid IPv4 network ({exc}); use a block such as '10.0.0.0/16'"
    if not isinstance(net, ipaddress.IPv4Network):
        return f"{cidr!r} is IPv6; use an IPv4 block such as '10.0.0.0/16'"
    if not MIN_VPC_PREFIX <= net.prefixlen <= MAX_VPC_PREFIX:
        return (
            f"{cidr!r} has prefix /{net.prefixlen}; use a prefix between /{MIN_VPC_PREFIX} and "
            f"/{MAX_VPC_PREFIX} (3 tiers x {AZ_SLOTS} AZ slots need at least /{MAX_VPC_PREFIX})"
        )
    return None


def plan_subnets(vpc_cidr: str, az_count: int) -> SubnetPlan:
    """Return the public, private and isolated CIDRs for the first ``az_count`` AZs.

    Raises ``ValueError`` when the CIDR is invalid (see `cidr_problem`) or ``az_count`` is outside
    ``1..AZ_SLOTS``.
    """
    problem = cidr_problem(vpc_cidr)
    if problem:
        raise ValueError(problem)
    if not 1 <= az_count <= AZ_SLOTS:
        raise ValueError(f"az_count {az_count} is outside 1..{AZ_SLOTS}")
    net = ipaddress.IPv4Network(vpc_cidr)
    public_q, isolated_q, *_ = net.subnets(prefixlen_diff=2)
    _, private_h = net.subnets(prefixlen_diff=1)

    def slots(block: ipaddress.IPv4Network) -> tuple[str, ...]:
        subnets = block.subnets(prefixlen_diff=3)
        return tuple(str(s) for s, _ in zip(subnets, range(az_count), strict=False))

    return SubnetPlan(public=slots(public_q), private=slots(private_h), isolated=slots(isolated_q))
