"""The whole StreamingPlatform, given a provider for another region, builds everything there."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from stacks.environment.config import load_config
from stacks.environment.streaming_platform import StreamingPlatform, StreamingPlatformArgs
from stacks.offline.mocks import run_program


def test_the_platform_given_an_eu_west_1_provider_sends_every_resource_and_lookup_there() -> None:
    # GIVEN the dev platform embedded in a us-east-1 program with an eu-west-1 provider
    def program() -> None:
        eu = aws.Provider("eu", region="eu-west-1")
        config = load_config({}, env="dev", source="inline")
        StreamingPlatform(
            "streaming", StreamingPlatformArgs(config=config), pulumi.ResourceOptions(providers={"aws": eu})
        )

    run = run_program(program, project="streaming-platform", stack="dev", region="us-east-1")
    provider = next(r for r in run.registrations.values() if r.type == "pulumi:providers:aws")
    eu = f"{provider.urn}::{provider.id}"

    # THEN every AWS resource and every lookup went to eu-west-1
    aws_resources = [r for r in run.registrations.values() if r.custom and r.type.startswith("aws:")]
    assert len(aws_resources) > 80
    assert sorted(r.name for r in aws_resources if r.provider != eu) == []
    assert {(i.provider, i.region) for i in run.invocations if i.token.startswith("aws:")} == {(eu, "eu-west-1")}
    # AND the tasks are told their region is eu-west-1
    task = next(r for r in run.of_type("aws:ecs/taskDefinition:TaskDefinition"))
    assert '"name": "AWS_REGION", "value": "eu-west-1"' in task.inputs["containerDefinitions"]
