"""Regions from botocore's bundled endpoint data (issue 15, item 4)."""

from __future__ import annotations

from stacks.environment.regions import commercial_regions, partitions, region_problem


def test_the_commercial_partition_holds_the_usual_regions_and_no_az() -> None:
    regions = commercial_regions()
    assert {"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2", "sa-east-1"} <= set(regions)
    assert all(not r[-1].isalpha() for r in regions)
    assert "cn-north-1" in partitions()["aws-cn"] and "us-gov-west-1" in partitions()["aws-us-gov"]


def test_every_partitions_regions_pass() -> None:
    assert all(region_problem(r) is None for regions in partitions().values() for r in regions)


def test_an_az_name_gets_its_region_and_a_made_up_region_the_list() -> None:
    assert "set aws:region to 'eu-west-1'" in str(region_problem("eu-west-1b"))
    assert "'us-east-9' looks like a region but is not a region of any AWS partition" in str(
        region_problem("us-east-9")
    )
    assert "is not a region name" in str(region_problem(""))
