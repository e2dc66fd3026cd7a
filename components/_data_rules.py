"""Resource-free rules shared by the data components (`Postgres`, `Cache`).

- Access labels: the short, stable keys of ``allowed_security_group_ids`` / ``allow_from`` that
  become part of a security-group rule's logical name (so adding a client never renames another).
- AWS identifiers: RDS instance identifiers and ElastiCache replication-group ids derived from the
  component name (lower-case, letters/digits/hyphens, starting with a letter, length-limited).
- Windows: the daily backup/snapshot window ``hh24:mi-hh24:mi`` and the weekly maintenance window
  ``ddd:hh24:mi-ddd:hh24:mi``, their durations and whether they overlap (AWS rejects overlaps).
- CloudWatch Logs retention: the values the API accepts.

Every ``*_problem`` function returns ``None`` when the value is fine, or the sentence that a
`ComponentArgsError` should carry (the value, the rule and the fix).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from components._naming import physical_name
from components.aws_formats import LOG_RETENTION_DAYS
from components.subnet import SubnetRef

#: A label: 1-32 characters, lower-case letters, digits and hyphens, no hyphen at either end.
LABEL_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")

#: An RDS / ElastiCache identifier: starts with a letter, no "--", no trailing "-".
IDENTIFIER_PATTERN = re.compile(r"^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$")

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DAILY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_WEEKLY = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$"
)


# -- access labels ---------------------------------------------------------------------------------
def label_problem(label: str, taken: Iterable[str] = ()) -> str | None:
    """Why ``label`` cannot name a security-group rule, or ``None``."""
    if not isinstance(label, str) or not LABEL_PATTERN.match(label):
        return (
            f"label {label!r} is not valid; use 1-32 lower-case letters, digits and hyphens, "
            "not starting or ending with a hyphen, e.g. 'catalog'."
        )
    if label in set(taken):
        return f"label {label!r} is already used; give each client security group its own label."
    return None


def labels_problem(labels: Iterable[str]) -> str | None:
    """Why a set of client labels cannot name security-group rules, or ``None``."""
    seen: list[str] = []
    for label in labels:
        problem = label_problem(label, seen)
        if problem:
            return problem
        seen.append(label)
    return None


# -- subnets ---------------------------------------------------------------------------------------
def isolated_subnets_problem(subnets: Sequence[object]) -> str | None:
    """Why ``subnets`` cannot hold a data tier (at least 2 `SubnetRef` in distinct AZs), or ``None``."""
    refs = list(subnets)
    if any(not isinstance(s, SubnetRef) for s in refs):
        return "must be SubnetRef values (e.g. Vpc.isolated_subnets); wrap ids as SubnetRef(az='us-east-1a', id=...)."
    typed = [s for s in refs if isinstance(s, SubnetRef)]
    azs = sorted({s.az for s in typed})
    if len(azs) < 2:
        return (
            f"{len(typed)} subnet(s) in {len(azs)} AZ(s) {azs}; use at least 2 isolated "
            "subnets in distinct AZs: pass Vpc.isolated_subnets of a VPC with az_count >= 2."
        )
    plain = [s.id for s in typed if isinstance(s.id, str)]
    if len(set(plain)) != len(plain):
        return f"{plain} repeats a subnet; give each isolated subnet once."
    return None


# -- identifiers -----------------------------------------------------------------------------------
def derive_identifier(name: str, max_length: int) -> str:
    """The default physical identifier for component ``name``: lower-cased, invalid characters
    replaced by '-', and shortened deterministically (hash suffix) to ``max_length``."""
    return physical_name(name.lower().replace("_", "-"), max_length=max_length).lower()


def identifier_problem(identifier: str, max_length: int) -> str | None:
    """Why ``identifier`` is not a valid RDS/ElastiCache identifier, or ``None``."""
    if not identifier or len(identifier) > max_length or not IDENTIFIER_PATTERN.match(identifier):
        return (
            f"{identifier!r} is not a valid identifier; use 1-{max_length} lower-case letters, digits and "
            "hyphens, starting with a letter, without '--' or a trailing '-'."
        )
    return None


# -- windows ---------------------------------------------------------------------------------------
def parse_daily_window(value: str) -> tuple[int, int]:
    """``"03:00-04:30"`` -> (start minute of the day, duration in minutes); raises ValueError."""
    m = _DAILY.match(value)
    if not m:
        raise ValueError(value)
    start = int(m[1]) * 60 + int(m[2])
    end = int(m[3]) * 60 + int(m[4])
    return start, (end - start) % MINUTES_PER_DAY


def parse_weekly_window(value: str) -> tuple[int, int]:
    """``"sun:05:00-sun:06:00"`` -> (start minute of the week from Monday 00:00, duration in minutes)."""
    m = _WEEKLY.match(value)
    if not m:
        raise ValueError(value)
    start = DAYS.index(m[1]) * MINUTES_PER_DAY + int(m[2]) * 60 + int(m[3])
    end = DAYS.index(m[4]) * MINUTES_PER_DAY + int(m[5]) * 60 + int(m[6])
    return start, (end - start) % MINUTES_PER_WEEK


def daily_window_problem(value: str, min_minutes: int) -> str | None:
    """Why ``value`` is not a valid daily window of at least ``min_minutes``, or ``None``."""
    try:
        _, duration = parse_daily_window(value)
    except ValueError:
        return f"{value!r} is not a daily window; use 'hh24:mi-hh24:mi' in UTC, e.g. '03:00-04:00'."
    if duration < min_minutes:
        return f"{value!r} lasts {duration} minutes; make it at least {min_minutes} minutes long."
    return None


def weekly_window_problem(value: str, min_minutes: int, max_minutes: int = MINUTES_PER_DAY) -> str | None:
    """Why ``value`` is not a valid weekly window lasting ``min_minutes``..``max_minutes``, or ``None``."""
    try:
        _, duration = parse_weekly_window(value)
    except ValueError:
        return (
            f"{value!r} is not a weekly window; use 'ddd:hh24:mi-ddd:hh24:mi' in UTC with lower-case days, "
            "e.g. 'sun:05:00-sun:06:00'."
        )
    if duration < min_minutes or duration > max_minutes:
        return f"{value!r} lasts {duration} minutes; make it between {min_minutes} and {max_minutes} minutes long."
    return None


def _arcs_intersect(a: int, a_len: int, b: int, b_len: int, period: int) -> bool:
    """Whether [a, a+a_len) and [b, b+b_len) intersect on a circle of ``period`` minutes."""
    if a_len <= 0 or b_len <= 0:
        return False
    return (b - a) % period < a_len or (a - b) % period < b_len


def windows_overlap(daily: str, weekly: str) -> bool:
    """Whether the daily window (which recurs every day) overlaps the weekly window at any time."""
    d_start, d_len = parse_daily_window(daily)
    w_start, w_len = parse_weekly_window(weekly)
    return any(
        _arcs_intersect(day * MINUTES_PER_DAY + d_start, d_len, w_start, w_len, MINUTES_PER_WEEK) for day in range(7)
    )


# -- logs ------------------------------------------------------------------------------------------
def log_retention_problem(days: int) -> str | None:
    """Why ``days`` is not a CloudWatch Logs retention period, or ``None``."""
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        return f"{days} is not a CloudWatch Logs retention period; choose one of {allowed}."
    return None
