"""After a switch, the program planned with the written-back config has exactly the live weights."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from stacks.environment.config import load_config
from stacks.operations import switch as sw
from stacks.operations.config_writeback import read_blue_green, write_back
from tests.bluegreen import test_blue_green_component as bgc
from tests.bluegreen.aws_world import World
from tests.conftest import MockRuntime

STACK = """\
config:
  aws:region: us-east-1
  streaming-platform:blueGreen:
    catalog:
      activeColor: blue
      weights: {blue: 100, green: 0}
      blue: {image: "", desiredCount: 2}
      green: {image: "", desiredCount: 2}
"""


def planned_weights(pulumi_mocks: MockRuntime, stack_file: Path) -> dict[str, int]:
    # The written-back file goes through the stack's own config loader, as `pulumi up` would read it.
    written = json.dumps(read_blue_green(stack_file))
    values = {"streaming-platform:blueGreen": written, "streaming-platform:alarms": '{"email": "oncall@example.com"}'}
    config = load_config(values, env="prod", source=stack_file.name)
    run = pulumi_mocks.run(bgc.build(config.blue_green_settings("catalog")))
    groups = run.named("catalog-rule").inputs["actions"][0]["forward"]["targetGroups"]
    arns = {c: run.named(f"catalog-{c}-tg").outputs["arn"] for c in ("blue", "green")}
    return {c: next(g["weight"] for g in groups if g["arn"] == arns[c]) for c in ("blue", "green")}


def switch_and_write(harness, stack_file: Path, to: str, **kwargs: object) -> sw.Outcome:  # type: ignore[no-untyped-def]
    try:
        outcome = harness.switcher(**kwargs).switch(to, bake=0)
    except sw.GateFailedError as exc:
        outcome = sw.outcome_after_gate_failure(exc.restored)
    write_back(stack_file, service="catalog", active_color=outcome.active, weights=outcome.weights)
    return outcome


def test_after_a_switch_the_plan_has_the_live_weights(harness, world: World, tmp_path: Path, pulumi_mocks) -> None:
    # GIVEN a completed switch to green whose result was written back
    stack_file = tmp_path / "Pulumi.prod.yaml"
    stack_file.write_text(STACK)
    switch_and_write(harness, stack_file, "green")
    # WHEN the program is planned with the written-back config
    # THEN the listener rule's weights equal the live ones: `pulumi up` would change nothing
    assert planned_weights(pulumi_mocks, stack_file) == world.weights() == {"blue": 0, "green": 100}


def test_after_an_automatic_rollback_the_plan_has_the_restored_weights(
    harness, world: World, tmp_path: Path, pulumi_mocks
) -> None:
    stack_file = tmp_path / "Pulumi.prod.yaml"
    stack_file.write_text(STACK)

    def alarm(i: int, weights: Mapping[str, int]) -> None:
        world.set_alarm("green")

    switch_and_write(harness, stack_file, "green", on_step=alarm)
    assert planned_weights(pulumi_mocks, stack_file) == world.weights() == {"blue": 100, "green": 0}


@pytest.mark.parametrize("steps", [(10, 100), (25, 50, 75, 100)])
def test_a_switch_and_a_rollback_keep_plan_and_live_in_step(
    harness, world: World, tmp_path: Path, pulumi_mocks, steps: tuple[int, ...]
) -> None:
    stack_file = tmp_path / "Pulumi.prod.yaml"
    stack_file.write_text(STACK)
    harness.switcher().switch("green", steps=steps, bake=0)
    outcome = harness.switcher().rollback()
    write_back(stack_file, service="catalog", active_color=outcome.active, weights=outcome.weights)
    assert planned_weights(pulumi_mocks, stack_file) == world.weights() == {"blue": 100, "green": 0}
