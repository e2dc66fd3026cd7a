"""The frozen list of taggable types matches the installed pulumi-aws."""

from __future__ import annotations

from policies.rules import _taggable
from stacks.devtools import taggable


def test_taggable_types_list_matches_the_installed_pulumi_aws() -> None:
    # GIVEN the list the tag rule uses WHEN regenerated from pulumi_aws THEN identical
    # (after a pulumi-aws upgrade: python -m stacks.devtools.taggable)
    assert sorted(_taggable.load()) == taggable.generate()


def test_taggable_types_include_the_platforms_resources_and_exclude_untaggable_ones() -> None:
    taggable = _taggable.load()
    assert {
        "aws:s3/bucket:Bucket",
        "aws:rds/instance:Instance",
        "aws:ecs/service:Service",
        "aws:lb/listener:Listener",
    } <= taggable
    assert not {"aws:s3/bucketPolicy:BucketPolicy", "aws:iam/rolePolicy:RolePolicy", "aws:ec2/route:Route"} & taggable
