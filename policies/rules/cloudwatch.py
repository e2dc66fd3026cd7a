"""CloudWatch alarms: every alarm notifies someone (Security Hub CloudWatch.15: alarms have specified actions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._core import ResourceView, as_list, is_unknown, resource_rule

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"


@resource_rule(
    "cloudwatch-alarm-has-actions",
    control="CloudWatch.15",
    description=(
        "Every alarm has actions enabled and at least one alarmActions target (the environment's alarm "
        "topic), so an alarm reaches a person. Prod: mandatory."
    ),
    types=(METRIC_ALARM, COMPOSITE_ALARM),
    category="operations",
)
def alarm_has_actions(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    enabled, actions = r.props.get("actionsEnabled"), r.props.get("alarmActions")
    if enabled is False:
        yield f"{r.label}: actions_enabled=False, so the alarm notifies no one. Remove it (the default is True)."
    if is_unknown(actions):
        return
    if not [a for a in as_list(actions) if a]:
        yield (
            f"{r.label}: alarm_actions is empty, so the alarm notifies no one. Point it at the alarm topic "
            "(components.AlarmTopic(...).alarm_actions; the platform sets alarms.email or alarms.topicArn)."
        )
