"""Shared fixtures: the recording mock runtime every component test uses."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
from hypothesis import settings

from components.errors import ComponentArgsError
from stacks.offline.mocks import ProgramRun, run_program

# Property tests judge results, never speed: hypothesis's default 200 ms deadline per example fails
# them on a loaded 2-core CI machine (seen: test_cidr beside parallel builds), so it is off.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


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

    def refusal(self, build: Callable[[], object]) -> tuple[str, ProgramRun]:
        """Run ``build`` expecting a `ComponentArgsError`; return its message and the run.

        The run's registrations show what was created before the refusal (nothing, if the
        component validates before registering itself).
        """
        caught: list[ComponentArgsError] = []

        def program() -> None:
            try:
                build()
            except ComponentArgsError as exc:
                caught.append(exc)

        run = self.run(program)
        assert len(caught) == 1, "expected a ComponentArgsError"
        return str(caught[0]), run


@pytest.fixture
def pulumi_mocks() -> MockRuntime:
    return MockRuntime()
