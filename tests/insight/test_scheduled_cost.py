"""A service that sleeps on a schedule is priced for the hours it is awake."""

from __future__ import annotations

import pytest

from insight.cost import estimate
from insight.plan import Plan
from tests.insight.plans import PlanBuilder

ARM_TASK_HOUR = 0.25 * 0.03238 + 0.5 * 0.00356  # us-east-1 Fargate ARM64, 0.25 vCPU + 0.5 GB


def scheduled_service(*actions: tuple[str, str, int]) -> Plan:
    b = PlanBuilder()
    td = b.add(
        "aws:ecs/taskDefinition:TaskDefinition",
        "td",
        cpu="256",
        memory="512",
        runtimePlatform={"cpuArchitecture": "ARM64"},
    )
    svc = b.add("aws:ecs/service:Service", "svc", deps=[td], desiredCount=2.0)
    target = b.add("aws:appautoscaling/target:Target", "svc-scaling-target", deps=[svc], minCapacity=2.0)
    for name, schedule, high in actions:
        b.add(
            "aws:appautoscaling/scheduledAction:ScheduledAction",
            name,
            deps=[target],
            schedule=schedule,
            scalableTargetAction={"minCapacity": float(min(high, 2)), "maxCapacity": float(high)},
        )
    return b.plan()


def item(plan: Plan) -> tuple[float, str]:
    report = estimate(plan)
    (svc,) = [i for i in report.items if i.name == "svc"]
    return svc.monthly, svc.basis


def test_tasks_are_priced_for_the_awake_share_of_the_month() -> None:
    # GIVEN a service that wakes at 07:00 and sleeps at 20:00 on weekdays (65 of 168 hours)
    plan = scheduled_service(("svc-wake", "cron(0 7 ? * MON-FRI *)", 4), ("svc-sleep", "cron(0 20 ? * MON-FRI *)", 0))

    monthly, basis = item(plan)

    # THEN its tasks cost 65/168 of an always-on month, and the basis says why
    assert monthly == pytest.approx(2 * 730 * 65 / 168 * ARM_TASK_HOUR)
    assert "282.44 h awake (65 of 168 h a week)" in basis


def test_without_a_sleep_action_the_service_is_always_on() -> None:
    monthly, basis = item(scheduled_service(("svc-wake", "cron(0 7 ? * MON-FRI *)", 4)))
    assert monthly == pytest.approx(2 * 730 * ARM_TASK_HOUR)
    assert "awake" not in basis


def test_an_unreadable_schedule_is_priced_always_on_and_says_so() -> None:
    plan = scheduled_service(("svc-wake", "rate(12 hours)", 4), ("svc-sleep", "cron(0 20 ? * MON-FRI *)", 0))
    monthly, basis = item(plan)
    assert monthly == pytest.approx(2 * 730 * ARM_TASK_HOUR)
    assert "schedule not read: priced always on" in basis
