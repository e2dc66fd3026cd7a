"""AWS regions: which names ``aws:region`` may hold, from botocore's bundled endpoint data.

botocore (installed with boto3) ships ``botocore/data/endpoints.json``, the partitions and their
regions the AWS SDKs know (the same data ``boto3.session.Session().get_available_regions`` reads);
it is read offline, so a region is checked without credentials or network.
"""

from __future__ import annotations

import re
from functools import cache

#: The region the AWS provider uses when a stack file sets none (the provider's own default here).
DEFAULT_REGION = "us-east-1"

_AZ_SHAPED = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)([a-z])$")
_REGION_SHAPED = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")


@cache
def partitions() -> dict[str, tuple[str, ...]]:
    """Partition name (``aws``, ``aws-cn``, ``aws-us-gov``, …) -> its region names, sorted."""
    import botocore.loaders

    data = botocore.loaders.create_loader().load_data("endpoints")
    return {p["partition"]: tuple(sorted(p.get("regions", {}))) for p in data["partitions"]}


def commercial_regions() -> tuple[str, ...]:
    """The regions of the commercial partition (``aws``)."""
    return partitions()["aws"]


def region_problem(region: object) -> str | None:
    """Why ``region`` is not a region name any AWS partition has, or ``None``; says what to write."""
    if not isinstance(region, str) or not region:
        return f"{region!r} is not a region name; set it to a region such as {DEFAULT_REGION!r} or 'eu-west-1'"
    known = {r for regions in partitions().values() for r in regions}
    if region in known:
        return None
    az = _AZ_SHAPED.fullmatch(region)
    if az and az.group(1) in known:
        return (
            f"{region!r} is an availability zone, not a region; set aws:region to {az.group(1)!r} "
            "(the Vpc picks the zones itself)"
        )
    shaped = "looks like a region but " if _REGION_SHAPED.fullmatch(region) else ""
    return (
        f"{region!r} {shaped}is not a region of any AWS partition; commercial regions: "
        f"{', '.join(commercial_regions())}"
    )
