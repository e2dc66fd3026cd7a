"""ALB rule syntax helpers: path patterns, host names, matchers, certificate ARNs, priorities."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components._alb_rules import (
    auto_priority,
    certificate_arn_problem,
    certificate_region,
    host_header_problem,
    matcher_problem,
    not_found_body,
    path_pattern_problem,
    wildcard_count,
)

CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.mark.parametrize("pattern", ["/api/catalog/*", "/api/accounts/*", "/a-b_c.d$e~f'g@h:i+j;k&l?", "*"])
def test_path_patterns_alb_accepts_pass(pattern: str) -> None:
    assert path_pattern_problem(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("/api/{id}", "'{}'"),
        ("/api/ space", "' '"),
        ("/" + "a" * 128, "129 characters"),
        ("", "empty"),
        ("/api/%20", "'%'"),
    ],
)
def test_path_patterns_alb_rejects_are_explained(pattern: str, fragment: str) -> None:
    assert fragment in (path_pattern_problem(pattern) or "")


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("api.example.com", True),
        ("*.example.com", True),
        ("localhost", False),
        ("api.example.c0m", False),
        ("api_example.com", False),
    ],
)
def test_host_names_need_a_dot_and_a_letters_only_tld(host: str, ok: bool) -> None:
    assert (host_header_problem(host) is None) is ok


@pytest.mark.parametrize(
    ("matcher", "ok"),
    [
        ("200", True),
        ("200,204", True),
        ("200-299", True),
        ("199", False),
        ("500", False),
        ("299-200", False),
        ("2xx", False),
    ],
)
def test_health_check_matchers_follow_alb_syntax_and_range(matcher: str, ok: bool) -> None:
    assert (matcher_problem(matcher) is None) is ok


def test_certificate_arns_are_checked_and_their_region_read() -> None:
    assert certificate_arn_problem(CERT) is None
    assert certificate_region(CERT) == "eu-west-1"
    assert certificate_arn_problem("arn:aws:acm:us-east-1:123:certificate/abc") is not None


def test_the_default_404_body_is_the_error_envelope() -> None:
    assert json.loads(not_found_body("nope")) == {"error": {"code": "not_found", "message": "nope"}}


def test_wildcards_are_counted_across_values() -> None:
    assert wildcard_count(["/a/*", "/b/?*", "*.example.com"]) == 4


@given(st.integers(min_value=0, max_value=1000), st.integers(min_value=0, max_value=1000))
def test_automatic_priorities_are_distinct_and_increase_with_position(i: int, j: int) -> None:
    assert (auto_priority(i) < auto_priority(j)) == (i < j)
    assert auto_priority(i) >= 1
