"""The resource-free rules shared by Postgres and Cache: labels, identifiers, windows, log retention."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components._data_rules import (
    DAYS,
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    daily_window_problem,
    derive_identifier,
    identifier_problem,
    label_problem,
    log_retention_problem,
    parse_daily_window,
    parse_weekly_window,
    weekly_window_problem,
    windows_overlap,
)


# -- labels ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("label", ["catalog", "a", "svc-2", "x" * 32])
def test_a_short_lower_case_label_is_accepted(label: str) -> None:
    assert label_problem(label) is None


@pytest.mark.parametrize(
    "label", ["", "Catalog", "-catalog", "catalog-", "cat_alog", "cat alog", "x" * 33, "10.0.0.0/8"]
)
def test_a_label_with_other_characters_or_too_long_is_rejected_with_the_rule(label: str) -> None:
    assert label_problem(label) == (
        f"label {label!r} is not valid; use 1-32 lower-case letters, digits and hyphens, "
        "not starting or ending with a hyphen, e.g. 'catalog'."
    )


def test_a_label_already_taken_is_rejected() -> None:
    assert label_problem("catalog", ["accounts", "catalog"]) == (
        "label 'catalog' is already used; give each client security group its own label."
    )


# -- identifiers -----------------------------------------------------------------------------------
def test_a_short_name_becomes_its_own_lower_case_identifier() -> None:
    assert derive_identifier("Orders_DB", 63) == "orders-db"


def test_a_long_name_is_shortened_deterministically_with_a_hash_suffix() -> None:
    # GIVEN a 70-character name
    name = "orders-" + "x" * 63
    # WHEN it is shortened to 40
    first, second = derive_identifier(name, 40), derive_identifier(name, 40)
    # THEN it fits, is stable, and ends in a 7-character hash
    assert first == second
    assert len(first) == 40
    assert first.startswith("orders-xxxx")
    assert identifier_problem(first, 40) is None


@pytest.mark.parametrize("identifier", ["1db", "db--x", "db-", "Db", "db_x", "", "a" * 41])
def test_an_invalid_identifier_is_rejected_with_the_rule(identifier: str) -> None:
    assert identifier_problem(identifier, 40) == (
        f"{identifier!r} is not a valid identifier; use 1-40 lower-case letters, digits and hyphens, "
        "starting with a letter, without '--' or a trailing '-'."
    )


@given(st.from_regex(r"[a-z][a-zA-Z0-9_ .-]{0,90}", fullmatch=True), st.sampled_from([40, 63]))
def test_any_name_starting_with_a_letter_derives_a_valid_identifier(name: str, max_length: int) -> None:
    identifier = derive_identifier(name, max_length)
    assert identifier_problem(identifier, max_length) is None
    assert derive_identifier(name, max_length) == identifier


# -- windows ---------------------------------------------------------------------------------------
def test_a_daily_window_parses_to_its_start_and_duration_even_across_midnight() -> None:
    assert parse_daily_window("03:00-04:30") == (180, 90)
    assert parse_daily_window("23:30-00:30") == (23 * 60 + 30, 60)


def test_a_weekly_window_parses_from_monday_and_wraps_from_sunday_to_monday() -> None:
    assert parse_weekly_window("mon:00:00-mon:00:30") == (0, 30)
    assert parse_weekly_window("sun:23:30-mon:00:30") == (6 * MINUTES_PER_DAY + 23 * 60 + 30, 60)


@pytest.mark.parametrize("value", ["3:00-04:00", "03:00-24:00", "03:00 - 04:00", "sun:03:00-sun:04:00", ""])
def test_a_malformed_daily_window_is_rejected_with_an_example(value: str) -> None:
    assert daily_window_problem(value, 30) == (
        f"{value!r} is not a daily window; use 'hh24:mi-hh24:mi' in UTC, e.g. '03:00-04:00'."
    )


def test_a_daily_window_shorter_than_the_minimum_is_rejected() -> None:
    assert daily_window_problem("03:00-03:20", 30) == (
        "'03:00-03:20' lasts 20 minutes; make it at least 30 minutes long."
    )
    assert daily_window_problem("03:00-03:30", 30) is None


@pytest.mark.parametrize("value", ["Sun:05:00-Sun:06:00", "sunday:05:00-sunday:06:00", "sun:05:00", "05:00-06:00"])
def test_a_malformed_weekly_window_is_rejected_with_an_example(value: str) -> None:
    assert weekly_window_problem(value, 30) == (
        f"{value!r} is not a weekly window; use 'ddd:hh24:mi-ddd:hh24:mi' in UTC with lower-case days, "
        "e.g. 'sun:05:00-sun:06:00'."
    )


def test_a_weekly_window_outside_the_allowed_duration_is_rejected() -> None:
    assert weekly_window_problem("sun:05:00-sun:05:40", 60) == (
        "'sun:05:00-sun:05:40' lasts 40 minutes; make it between 60 and 1440 minutes long."
    )
    assert weekly_window_problem("sat:05:00-sun:06:00", 30) == (
        "'sat:05:00-sun:06:00' lasts 1500 minutes; make it between 30 and 1440 minutes long."
    )


@pytest.mark.parametrize(
    ("daily", "weekly", "overlap"),
    [
        ("03:00-04:00", "sun:05:00-sun:06:00", False),
        ("03:00-04:00", "sun:03:30-sun:04:30", True),
        ("03:00-04:00", "wed:04:00-wed:05:00", False),  # touching ends do not overlap
        ("23:30-00:30", "mon:00:00-mon:01:00", True),  # daily window crossing midnight
        ("01:00-02:00", "sun:23:00-mon:01:30", True),  # weekly window wrapping to Monday
    ],
)
def test_windows_overlap_when_they_share_a_minute_on_any_day(daily: str, weekly: str, overlap: bool) -> None:
    assert windows_overlap(daily, weekly) is overlap


_hhmm = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")


@given(_hhmm, _hhmm, st.sampled_from(DAYS), _hhmm, st.sampled_from(DAYS), _hhmm)
def test_windows_overlap_agrees_with_a_minute_by_minute_check(
    d_start: str, d_end: str, w_day1: str, w_start: str, w_day2: str, w_end: str
) -> None:
    daily, weekly = f"{d_start}-{d_end}", f"{w_day1}:{w_start}-{w_day2}:{w_end}"
    ds, dl = parse_daily_window(daily)
    ws, wl = parse_weekly_window(weekly)
    daily_minutes = {(day * MINUTES_PER_DAY + ds + i) % MINUTES_PER_WEEK for day in range(7) for i in range(dl)}
    weekly_minutes = {(ws + i) % MINUTES_PER_WEEK for i in range(wl)}
    assert windows_overlap(daily, weekly) is bool(daily_minutes & weekly_minutes)


# -- log retention ---------------------------------------------------------------------------------
def test_a_cloudwatch_retention_value_is_accepted_and_never_expire_is_not() -> None:
    assert log_retention_problem(30) is None
    assert log_retention_problem(0) is not None
    assert log_retention_problem(31) == (
        "31 is not a CloudWatch Logs retention period; choose one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, "
        "365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
    )
