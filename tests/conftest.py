"""Shared fixtures: the recording mock runtime every component test uses."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from stacks.mocks import ProgramRun, run_program


class MockRuntime:
    """Runs a callable as a Pulumi program under the realistic recording mocks.

    GIVEN a component constructor, ``run(lambda: Vpc("net", VpcArgs(...)))`` returns a
    `ProgramRun` whose registrations hold each resource's type, name, parent, dependencies and
    wire inputs (camelCase, secrets as "[secret]", unknowns as "[unknown]").
    """

    def __init__(self) -> None:
        self.project = "test-project"
        self.stack = "test"

    def run(
        self,
        program: Callable[[], object],
        *,
        config: Mapping[str, str] | None = None,
        region: str = "us-east-1",
    ) -> ProgramRun:
        return run_program(program, project=self.project, stack=self.stack, config=config, region=region)


@pytest.fixture
def pulumi_mocks() -> MockRuntime:
    return MockRuntime()
