"""Fixtures: a moto account (in-process) holding a tagged blue-green pair, and a quiet switcher."""

from __future__ import annotations

import io
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from stacks.operations import switch as sw
from tests.bluegreen.aws_world import REGION, World, build_world


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture
def world(aws_env: None) -> Iterator[World]:
    with mock_aws():
        yield build_world(boto3.session.Session(region_name=REGION))


class Harness:
    """A switcher over the moto world with a fake clock (bakes take no real time) and captured output."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.now = 1_000_000.0
        self.out = io.StringIO()
        self.sleeps: list[float] = []
        self.aws = sw.AwsLive(world.session, retry_sleep=lambda s: None)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def pair(self) -> sw.Pair:
        return sw.discover(self.aws, "prod", "catalog")

    def switcher(self, health: sw.HealthSource | None = None, **kwargs: object) -> sw.Switcher:
        return sw.Switcher(
            self.aws,
            self.pair(),
            health=health,
            out=self.out,
            clock=self.clock,
            sleep=self.sleep,
            poll_seconds=1.0,
            settle_seconds=0.5,
            **kwargs,  # type: ignore[arg-type]
        )


@pytest.fixture
def harness(world: World) -> Harness:
    return Harness(world)
