"""Awake hours of a scheduled service, as the cost estimate counts them."""

from __future__ import annotations

import pytest

from insight.schedule import ScheduleError, awake_fraction, awake_hours_per_week


@pytest.mark.parametrize(
    ("wakes", "sleeps", "hours"),
    [
        (["cron(0 7 ? * MON-FRI *)"], ["cron(0 20 ? * MON-FRI *)"], 65.0),  # 13 h x 5 working days
        (["cron(0 8 ? * * *)"], ["cron(0 18 ? * * *)"], 70.0),  # 10 h every day
        (["cron(0 7 ? * MON *)"], ["cron(0 20 ? * FRI *)"], 109.0),  # Monday 07:00 to Friday 20:00
        (["cron(30 22 ? * SUN *)"], ["cron(30 1 ? * MON *)"], 3.0),  # across midnight and the week's end
        (["cron(0 9 ? * SAT-MON *)"], ["cron(0 17 ? * SAT-MON *)"], 24.0),  # a range that wraps
        ([], [], 168.0),
    ],
)
def test_awake_hours_count_each_wake_to_the_next_sleep(wakes: list[str], sleeps: list[str], hours: float) -> None:
    assert awake_hours_per_week(wakes, sleeps) == hours


def test_the_fraction_is_of_a_168_hour_week() -> None:
    assert awake_fraction(["cron(0 7 ? * MON-FRI *)"], ["cron(0 20 ? * MON-FRI *)"]) == pytest.approx(65 / 168)


@pytest.mark.parametrize(
    "expression", ["rate(1 hour)", "cron(0 7 * * ? *)", "cron(0 24 ? * * *)", "cron(0 7 ? * FUN *)"]
)
def test_an_expression_outside_the_component_s_form_is_unreadable(expression: str) -> None:
    with pytest.raises(ScheduleError):
        awake_hours_per_week([expression], ["cron(0 20 ? * * *)"])
