"""ALB listener-rule rules, as pure functions: value syntax, limits, priorities, the 404 body.

Sources: Elastic Load Balancing user guide, "Condition types for listener rules" (up to three match
evaluations per condition, five per rule, five wildcards per rule; path patterns and host names up
to 128 characters, with the character sets below) and "Listener rules" (priorities 1-50000).
"""

from __future__ import annotations

import json
import re

#: Priority range of an ALB listener rule.
MIN_PRIORITY = 1
MAX_PRIORITY = 50_000
#: Automatic priorities: route i (0-based, in list order) gets BASE + STEP * i.
AUTO_PRIORITY_BASE = 100
AUTO_PRIORITY_STEP = 10
#: `LoadBalancer.reserve_priority()` without a number hands out priorities from here upwards.
EXTERNAL_PRIORITY_BASE = 40_000

MAX_VALUE_LENGTH = 128
MAX_VALUES_PER_CONDITION = 3
MAX_VALUES_PER_RULE = 5
MAX_WILDCARDS_PER_RULE = 5

# Path patterns: A-Z a-z 0-9 _ - . $ / ~ " ' @ : + ; & and the wildcards * ?
_PATH_CHARS = re.compile(r"""^[A-Za-z0-9_\-.$/~"'@:+;&*?]+$""")
# Host names: A-Z a-z 0-9 - . and the wildcards * ?; at least one '.', only letters after the last '.'.
_HOST_CHARS = re.compile(r"^[A-Za-z0-9\-.*?]+$")
_HOST_TLD = re.compile(r"\.[A-Za-z*?]+$")
_MATCHER = re.compile(r"^\d{3}(-\d{3})?$|^\d{3}(,\d{3})+$")
_CERTIFICATE_ARN = re.compile(
    r"^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


def path_pattern_problem(pattern: str) -> str | None:
    """Why ALB would reject ``pattern`` as a path-pattern value, or ``None``."""
    if not isinstance(pattern, str) or not pattern:
        return f"{pattern!r} is empty; use a pattern such as '/api/catalog/*'"
    if len(pattern) > MAX_VALUE_LENGTH:
        return f"{pattern[:40]!r}... is {len(pattern)} characters; ALB allows at most {MAX_VALUE_LENGTH}"
    if pattern[0] not in "/*?":
        return (
            f"{pattern!r} does not start with '/', so it can never match a request (ALB matches it against the "
            f"path, which always starts with '/'); write '/{pattern}'"
        )
    if not _PATH_CHARS.fullmatch(pattern):
        bad = sorted({c for c in pattern if not _PATH_CHARS.fullmatch(c)})
        return (
            f"{pattern!r} contains {''.join(bad)!r}, which ALB path patterns reject; use only "
            "A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + ; & and the wildcards * ?"
        )
    return None


def host_header_problem(host: str) -> str | None:
    """Why ALB would reject ``host`` as a host-header value, or ``None``."""
    if not isinstance(host, str) or not host:
        return f"{host!r} is empty; use a host name such as 'api.example.com'"
    if len(host) > MAX_VALUE_LENGTH:
        return f"{host[:40]!r}... is {len(host)} characters; ALB allows at most {MAX_VALUE_LENGTH}"
    if not _HOST_CHARS.fullmatch(host) or not _HOST_TLD.search(host):
        return (
            f"{host!r} is not a host name ALB accepts; use A-Z a-z 0-9 - . * ? with at least one '.' "
            "and only letters after the last '.', e.g. 'api.example.com' or '*.example.com'"
        )
    return None


def wildcard_count(values: list[str]) -> int:
    """How many wildcard characters ALB counts across ``values``."""
    return sum(v.count("*") + v.count("?") for v in values)


def matcher_problem(matcher: str) -> str | None:
    """Why ``matcher`` is not a valid ALB HTTP health-check matcher (200-499), or ``None``."""
    if not isinstance(matcher, str) or not _MATCHER.fullmatch(matcher):
        return f"{matcher!r} is not a matcher; use a code '200', a list '200,204' or a range '200-299'"
    codes = [int(c) for c in re.split(r"[,-]", matcher)]
    if any(not 200 <= c <= 499 for c in codes):
        return f"{matcher!r} has codes outside 200-499; ALB health checks accept only 200 to 499"
    if "-" in matcher and codes[0] > codes[1]:
        return f"{matcher!r} is a descending range; write it low-high, e.g. '200-299'"
    return None


def certificate_arn_problem(arn: str) -> str | None:
    """Why ``arn`` is not an ACM certificate ARN, or ``None``."""
    if not _CERTIFICATE_ARN.fullmatch(arn):
        return (
            f"{arn!r} is not an ACM certificate ARN; expected "
            "'arn:aws:acm:<region>:<12-digit account>:certificate/<uuid>'"
        )
    return None


def certificate_region(arn: str) -> str:
    """The region of a (valid) ACM certificate ARN."""
    return arn.split(":")[3]


def auto_priority(index: int) -> int:
    """The priority of the route at ``index`` (0-based) when it does not set one."""
    return AUTO_PRIORITY_BASE + AUTO_PRIORITY_STEP * index


def not_found_body(message: str = "No route matches this request.") -> str:
    """The JSON body of the default 404 action."""
    return json.dumps({"error": {"code": "not_found", "message": message}}, separators=(",", ":"))
