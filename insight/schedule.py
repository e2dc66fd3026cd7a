"""Weekly awake hours of a service that sleeps on a schedule (Application Auto Scaling scheduled actions).

A `ScaleSchedule` (components/fargate_service.py) plans two ``aws:appautoscaling/scheduledAction``
resources on a service's scalable target: one sets min and max capacity to 0 (sleep), the other
restores them (wake). The cost estimate prices the service's tasks for the hours between a wake and
the next sleep. Only the cron form the component accepts is read here,
``cron(<minute> <hour> ? * <days> *)``; anything else is reported as unreadable, and the caller
then prices the service as always on (the safe side of an estimate).

Example::

    awake_hours_per_week(["cron(0 7 ? * MON-FRI *)"], ["cron(0 20 ? * MON-FRI *)"])  # 65.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["HOURS_PER_WEEK", "ScheduleError", "awake_fraction", "awake_hours_per_week"]

HOURS_PER_WEEK = 168.0
_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_CRON = re.compile(r"^cron\((?P<minute>\d{1,2}) (?P<hour>\d{1,2}) \? \* (?P<days>[A-Z,\-*]+) \*\)$")


class ScheduleError(ValueError):
    """A schedule expression this module cannot read."""


def _days(field: str) -> list[int]:
    if field == "*":
        return list(range(7))
    days: list[int] = []
    for part in field.split(","):
        first, _, last = part.partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise ScheduleError(f"unknown day in {field!r}")
        start, end = _DAYS.index(first), _DAYS.index(last or first)
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
        days.extend(span)
    return days


def _minutes_of_week(expression: str) -> list[int]:
    """The minutes since Monday 00:00 at which ``expression`` fires."""
    match = _CRON.fullmatch(expression.strip())
    if match is None:
        raise ScheduleError(f"{expression!r} is not of the form 'cron(<minute> <hour> ? * <days> *)'")
    minute, hour = int(match["minute"]), int(match["hour"])
    if minute > 59 or hour > 23:
        raise ScheduleError(f"{expression!r} has no such time of day")
    return [day * 1440 + hour * 60 + minute for day in _days(match["days"])]


def awake_hours_per_week(wakes: Iterable[str], sleeps: Iterable[str]) -> float:
    """Hours per week between each wake and the next sleep (the week wraps around)."""
    events = sorted(
        [(m, True) for w in wakes for m in _minutes_of_week(w)]
        + [(m, False) for s in sleeps for m in _minutes_of_week(s)]
    )
    if not events:
        return HOURS_PER_WEEK
    week = 7 * 1440
    awake = 0
    for i, (minute, is_wake) in enumerate(events):
        following = events[(i + 1) % len(events)][0] + (week if i + 1 == len(events) else 0)
        if is_wake:
            awake += following - minute
    return awake / 60


def awake_fraction(wakes: Iterable[str], sleeps: Iterable[str]) -> float:
    """The share of the week a scheduled service runs (1.0 when it never sleeps)."""
    return awake_hours_per_week(wakes, sleeps) / HOURS_PER_WEEK
