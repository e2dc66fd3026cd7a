"""What the stack file says about the rules: accepted invariant overrides and the keys that fix a finding.

The StreamingPlatform carries ``invariantOverrides`` (the stack file's
``streaming-platform:invariantOverrides``) as an input, as it carries ``budgetMonthlyUsd``. An
override the typed config accepted (it names an invariant of the stack's profile) relaxes the
rules that check the same property to advisory, and the finding says so: the stack file records the
decision once, and the pack does not fail it a second time. A finding of a rule whose property the
stack file sets names the key to change, not the component argument behind it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._core import ResourceView, as_list, is_unknown

#: The input by which a component states the stack's accepted invariant overrides.
OVERRIDES_INPUT = "invariantOverrides"
#: The input by which a component states that its environment is configured by a stack file.
BUDGET_INPUT = "budgetMonthlyUsd"
NAMESPACE = "streaming-platform"

#: Profile invariant (stacks/environment/profiles.py) -> the rules that check the same property.
INVARIANT_RULES: dict[str, tuple[str, ...]] = {
    "database-multi-az": ("rds-multi-az",),
    "database-deletion-protection": ("rds-deletion-protection",),
    "database-backups": ("rds-backup-retention",),
    "cache-failover": ("elasticache-automatic-failover", "elasticache-multi-az"),
    "three-azs": ("stack-min-availability-zones",),
    "nat-per-az": (),
    "flow-logs": ("vpc-flow-logs-enabled",),
    "log-retention": ("logs-retention-set",),
    "catalog-two-tasks": (),
    "accounts-two-tasks": (),
    "alb-access-logs": ("alb-access-logs",),
    "waf": ("cloudfront-waf-enabled",),
    "cache-enabled": (),
    "always-on": (),
    "customer-managed-key": (),
    "container-insights": ("ecs-cluster-container-insights",),
    "alarm-subscriber": (),  # every alarm has the topic as its action either way
    "backups": (),
}

#: Rule -> the stack-file setting that fixes its finding in a stack built from a stack file.
RULE_KEYS: dict[str, str] = {
    "rds-multi-az": "database.multiAz: true",
    "rds-deletion-protection": "database.deletionProtection: true",
    "rds-backup-retention": "database.backupRetentionDays (at least the rule's minDays)",
    "elasticache-automatic-failover": "cache.nodes: 2 or more",
    "elasticache-multi-az": "cache.nodes: 2 or more",
    "stack-min-availability-zones": "network.azCount (at least the rule's minAzs)",
    "vpc-flow-logs-enabled": "network.flowLogs: true",
    "logs-retention-set": "services.logRetentionDays (at least the rule's minDays)",
    "alb-access-logs": "edge.albAccessLogs: true",
    "alb-deletion-protection": "edge.albDeletionProtection: true",
    "cloudfront-access-logging": "edge.cdnAccessLogs: true",
    "cloudfront-waf-enabled": "edge.waf: true (or edge.wafWebAclArn)",
    "cloudfront-origin-https": "edge.certificateArn and edge.albDomainName",
    "cost-instance-class-allowed": "database.instanceClass / cache.nodeType",
    "cost-nat-gateway-limit": "network.natMode: single",
    "ecs-cluster-container-insights": "services.containerInsights: enabled",
}


def stack_name(resources: Sequence[ResourceView]) -> str | None:
    """The stack's name when a component in ``resources`` says it is configured by a stack file."""
    for r in resources:
        if BUDGET_INPUT in r.props or OVERRIDES_INPUT in r.props:
            return r.urn.split("::")[0].removeprefix("urn:pulumi:")
    return None


def accepted_overrides(resources: Sequence[ResourceView]) -> list[str]:
    """The invariant overrides the stack file accepted (from the components that carry them)."""
    found: list[str] = []
    for r in resources:
        value = r.props.get(OVERRIDES_INPUT)
        if value is None or is_unknown(value):
            continue
        found += [v for v in as_list(value) if isinstance(v, str) and v not in found]
    return found


def relaxed_rules(resources: Sequence[ResourceView]) -> dict[str, str]:
    """Rule -> the accepted override that relaxes it to advisory."""
    return {rule: name for name in accepted_overrides(resources) for rule in INVARIANT_RULES.get(name, ())}


def with_stack_key(rule: str, message: str, stack: str | None) -> str:
    """``message`` plus the stack-file key that fixes it, when the stack is built from a stack file."""
    key = RULE_KEYS.get(rule)
    if stack is None or key is None:
        return message
    return f"{message} In the stack file: set {NAMESPACE}:{key} in Pulumi.{stack}.yaml."


def relaxed_note(override: str, stack: str | None) -> str:
    where = f"Pulumi.{stack}.yaml" if stack else "the stack file"
    return f" (Relaxed to advisory: {where} accepts the risk with {NAMESPACE}:invariantOverrides '{override}'.)"
