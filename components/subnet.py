"""`SubnetRef`: how a `Vpc` hands its subnets to other components (plain AZ, id as an Output)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SubnetRef"]

import pulumi


@dataclass(frozen=True)
class SubnetRef:
    """One subnet: its AZ name (plain, so consumers can validate AZ spread), id and CIDR."""

    az: str
    """Availability zone name, e.g. ``us-east-1a``. Default: required."""
    id: pulumi.Input[str]
    """The subnet id (usually an Output from `aws.ec2.Subnet`). Default: required."""
    cidr_block: str = ""
    """The subnet's IPv4 CIDR when known at plan time. Default: "" (unknown)."""
