"""The AWS managed rule groups of WAFv2 (vendor ``AWS``), resource-free.

From "AWS Managed Rules rule groups list" in the AWS WAF Developer Guide
(https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html), 2026.
The names are case-sensitive (``AWSManagedRulesSQLiRuleSet``, not ``…SQLiRuleset``). The last four
carry a subscription fee on top of the web ACL's price.
"""

from __future__ import annotations

from difflib import get_close_matches

AWS_MANAGED_RULE_GROUPS: tuple[str, ...] = (
    # Baseline
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    # Use-case specific
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesLinuxRuleSet",
    "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet",
    "AWSManagedRulesPHPRuleSet",
    "AWSManagedRulesWordPressRuleSet",
    # IP reputation
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesAnonymousIpList",
    # Paid (subscription fee)
    "AWSManagedRulesBotControlRuleSet",
    "AWSManagedRulesATPRuleSet",
    "AWSManagedRulesACFPRuleSet",
    "AWSManagedRulesAntiDDoSRuleSet",
)


def rule_group_problem(group: object) -> str | None:
    """Why ``group`` is not an AWS managed rule group's name, or ``None``; names the closest one."""
    if isinstance(group, str) and group in AWS_MANAGED_RULE_GROUPS:
        return None
    text = group if isinstance(group, str) else ""
    near = get_close_matches(text, AWS_MANAGED_RULE_GROUPS, n=1, cutoff=0.6) or [
        g for g in AWS_MANAGED_RULE_GROUPS if g.lower() == text.lower()
    ]
    hint = f"did you mean {near[0]!r}? " if near else ""
    return f"{group!r} is not an AWS managed rule group (names are case-sensitive); {hint}known: {', '.join(AWS_MANAGED_RULE_GROUPS)}"
