"""CloudWatch Logs: a retention on every log group (no FSBP control; CloudWatch.16 is NIST-only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._core import ResourceView, as_number, is_unknown, resource_rule

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
VALID_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


@resource_rule(
    "logs-retention-set",
    description="Every log group has a retention (retentionInDays set, not 0 = never expire) of at least minDays (prod: 30).",
    types=(LOG_GROUP,),
    category="cost",
    params={"minDays": {"type": "integer", "default": 30}},
)
def retention_set(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("retentionInDays")
    if is_unknown(value):
        return
    days = as_number(value) or 0
    want = int(config["minDays"])
    suggestion = next((d for d in VALID_DAYS if d >= want), 3653)
    if days <= 0:
        yield f"{r.label}: logs are kept forever (no retention), billed at $0.03/GB-month indefinitely. Set retention_in_days={suggestion}."
    elif days < want:
        yield f"{r.label}: logs are kept {days:g} days; this environment needs at least {want}. Set retention_in_days={suggestion}."
