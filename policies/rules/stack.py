"""Whole-stack rules: alarms for every load-balanced service, cost guardrails."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from insight.cost import CostError, budget_violation
from insight.plan import Plan

from ._core import (
    Level,
    ResourceView,
    StackFinding,
    as_list,
    get,
    is_false,
    is_unknown,
    matches_any,
    of_types,
    resource_rule,
    stack_rule,
)

SERVICE = "aws:ecs/service:Service"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TARGET_GROUPS = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
EC2_INSTANCE = "aws:ec2/instance:Instance"
RDS_INSTANCE = "aws:rds/instance:Instance"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


def _alarm_watches(alarm: ResourceView, service: ResourceView, target_groups: list[str]) -> bool:
    if service.urn in alarm.dependencies or any(tg in alarm.dependencies for tg in target_groups):
        return True
    name = service.props.get("name")
    dims = [alarm.props.get("dimensions")] + [
        get(q, "metric", "dimensions") for q in as_list(alarm.props.get("metricQueries"))
    ]
    return isinstance(name, str) and any(isinstance(d, Mapping) and d.get("ServiceName") == name for d in dims)


@stack_rule(
    "stack-load-balanced-services-have-alarms",
    description=(
        "Every ECS service behind the load balancer (loadBalancers set) has at least one CloudWatch metric "
        "alarm on it or on its target group (found by dependency or ServiceName dimension)."
    ),
    types=(SERVICE,),
    category="operations",
)
def services_have_alarms(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    alarms = of_types(resources, ALARM)
    tgs = {t.urn for t in of_types(resources, *TARGET_GROUPS)}
    for svc in of_types(resources, SERVICE):
        if not as_list(svc.props.get("loadBalancers")):
            continue
        mine = [d for d in svc.dependencies if d in tgs]
        if not any(_alarm_watches(a, svc, mine) for a in alarms):
            yield StackFinding(
                svc.urn,
                f"{svc.label}: serves traffic from the load balancer but nothing alarms on it. Add "
                f"aws.cloudwatch.MetricAlarm on the target group's HTTPCode_Target_5XX_Count, "
                f"TargetResponseTime and UnHealthyHostCount (dimensions TargetGroup/LoadBalancer "
                f"arn_suffix) and on the service's CPUUtilization, with alarm_actions=[<SNS topic>].",
            )


@stack_rule(
    "cost-nat-gateway-limit",
    description=(
        "Cost guardrail: at most maxNatGateways NAT gateways/instances in the stack (dev: 1, i.e. no NAT per "
        "AZ; a NAT gateway costs ~$33/month each plus data). NAT instances count (sourceDestCheck false)."
    ),
    types=(NAT_GATEWAY, EC2_INSTANCE),
    level=Level.ADVISORY,
    category="cost",
    params={"maxNatGateways": {"type": "integer", "default": 1}},
)
def nat_gateway_limit(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    nats = of_types(resources, NAT_GATEWAY) + [
        i for i in of_types(resources, EC2_INSTANCE) if is_false(i.props.get("sourceDestCheck"))
    ]
    limit = int(config["maxNatGateways"])
    if len(nats) > limit:
        yield StackFinding(
            nats[limit].urn,
            f"{nats[limit].label}: the stack has {len(nats)} NAT gateways/instances; this environment allows "
            f'{limit}. Use a single NAT (nat_mode="single") in this environment.',
        )


@resource_rule(
    "cost-instance-class-allowed",
    description=(
        "Cost guardrail: RDS instanceClass, ElastiCache nodeType and EC2 instanceType match the environment's "
        "allow-list (glob patterns). Unknown sizes pass."
    ),
    types=(RDS_INSTANCE, REPLICATION_GROUP, EC2_INSTANCE),
    level=Level.ADVISORY,
    category="cost",
    params={
        "allowed": {
            "type": "array",
            "items": {"type": "string"},
            "default": [
                "db.t4g.*",
                "db.m7g.*",
                "db.r7g.*",
                "cache.t4g.*",
                "cache.m7g.*",
                "cache.r7g.*",
                "t4g.*",
                "m7g.*",
                "c7g.*",
            ],
        }
    },
)
def instance_class_allowed(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    prop = {RDS_INSTANCE: "instanceClass", REPLICATION_GROUP: "nodeType", EC2_INSTANCE: "instanceType"}[r.type]
    value = r.props.get(prop)
    if isinstance(value, str) and not is_unknown(value) and not matches_any(value, config["allowed"]):
        yield (
            f"{r.label}: {prop}={value!r} is not allowed in this environment (allowed: {', '.join(config['allowed'])}). "
            f"Pick an allowed size in the stack config, or widen the allow-list in policies/config/<env>.json."
        )


#: The input by which a component states its environment's monthly budget (the StreamingPlatform
#: sets it from ``streaming-platform:budgetMonthlyUsd``); any component may carry it.
BUDGET_INPUT = "budgetMonthlyUsd"


@stack_rule(
    "cost-monthly-budget",
    description=(
        "Cost guardrail: the environment's estimated monthly cost (insight.cost: the bundled price table and "
        "the default usage profile) stays within the budget set in its config, "
        "streaming-platform:budgetMonthlyUsd, which the StreamingPlatform carries as its budgetMonthlyUsd input."
    ),
    types=(),
    category="cost",
)
def monthly_budget(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    for platform in resources:
        if BUDGET_INPUT not in platform.props:
            continue
        budget = platform.props.get(BUDGET_INPUT)
        if is_unknown(budget) or not isinstance(budget, int | float):
            continue
        stack, project = platform.urn.split("::")[0].removeprefix("urn:pulumi:"), platform.urn.split("::")[1]
        plan = Plan(
            {
                "project": project,
                "stack": stack,
                "resources": [
                    {
                        "urn": r.urn,
                        "type": r.type,
                        "name": r.name,
                        "parent": r.parent,
                        "dependencies": list(r.dependencies),
                        "inputs": dict(r.props),
                    }
                    for r in resources
                ],
            }
        )
        try:
            message = budget_violation(plan, float(budget))
        except CostError as exc:
            yield StackFinding(
                platform.urn,
                f"{platform.label}: cannot check the budget of ${float(budget):,.2f}/month: {exc}. The estimate "
                f"needs prices for the stack's region: add them to insight/prices/aws.json, or plan in a priced "
                f"region; until then this rule only advises.",
                cannot_evaluate=True,
            )
            continue
        if message is not None:
            yield StackFinding(
                platform.urn,
                f"{platform.label}: {message}. Shrink the environment (sizes, NAT mode, "
                f"node counts in Pulumi.{stack}.yaml) or raise "
                f"streaming-platform:budgetMonthlyUsd deliberately.",
            )
