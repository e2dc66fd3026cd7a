"""WebAcl: a WAFv2 web ACL for a CloudFront distribution, with AWS managed rules and a rate limit.

Creates ``<name>-acl``: an ``aws.wafv2.WebAcl`` with scope ``CLOUDFRONT`` (so it must be created in
us-east-1: pass a us-east-1 provider through ``opts``), default action allow, and these rules, in
order: the AWS managed Common Rule Set (OWASP top-10 style), Known Bad Inputs, the Amazon IP
reputation list, and a per-IP rate limit that blocks an address sending more than
``rate_limit_per_5_minutes`` requests in a five-minute window. CloudWatch metrics and sampled
requests are on for every rule.

Example::

    east = aws.Provider("us-east-1", region="us-east-1")
    acl = WebAcl("edge", WebAclArgs(rate_limit_per_5_minutes=2000), pulumi.ResourceOptions(provider=east))
    Cdn("cdn", CdnArgs(web_acl_id=acl.arn, ...))

Cost (us-east-1): $5.00/month per web ACL + $1.00/month per rule (4 rules: $4.00) + $0.60 per
million requests inspected; the managed rule groups used here carry no subscription fee.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components._waf_groups import rule_group_problem
from components.aws_formats import LOG_RETENTION_DAYS
from components.base import Component

__all__ = ["MANAGED_RULE_GROUPS", "WebAcl", "WebAclArgs"]

#: AWS managed rule groups without a subscription fee, in evaluation order.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)


@dataclass(frozen=True, kw_only=True)
class WebAclArgs:
    """Arguments of `WebAcl`."""

    rate_limit_per_5_minutes: int = 2000
    """Requests one IP may send in any five minutes before it is blocked (100 to 2,000,000,000). Default: 2000."""
    managed_rule_groups: tuple[str, ...] = MANAGED_RULE_GROUPS
    """AWS managed rule groups to apply, in order. Default: AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesAmazonIpReputationList."""
    logging: bool = False
    """Log every request WAF inspects to a CloudWatch log group ``aws-waf-logs-<name>`` (created here, in
    the ACL's region, us-east-1), with the ``authorization`` and ``cookie`` headers redacted. Default: False."""
    log_retention_days: int = 90
    """Days to keep the WAF logs (a CloudWatch Logs value). Default: 90."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags. Default: {}."""


class WebAcl(Component):
    """A CloudFront-scoped WAFv2 web ACL."""

    arn: pulumi.Output[str]
    """The web ACL's ARN (CloudFront's ``web_acl_id`` takes the ARN for WAFv2)."""
    metric_name: str
    """The web ACL's CloudWatch metric name: the ``WebACL`` dimension of its ``AWS/WAFV2`` metrics."""

    def __init__(self, name: str, args: WebAclArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(name, args)
        super().__init__(name, opts, tags=args.tags)

        def visibility(metric: str) -> aws.wafv2.WebAclVisibilityConfigArgs:
            return aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
            )

        rules = [
            aws.wafv2.WebAclRuleArgs(
                name=group,
                priority=i,
                override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                    none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()
                ),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                        name=group, vendor_name="AWS"
                    )
                ),
                visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
                    cloudwatch_metrics_enabled=True, metric_name=f"{name}-{group}", sampled_requests_enabled=True
                ),
            )
            for i, group in enumerate(args.managed_rule_groups)
        ]
        rules.append(
            aws.wafv2.WebAclRuleArgs(
                name="rate-limit-per-ip",
                priority=len(rules),
                action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                        limit=args.rate_limit_per_5_minutes, aggregate_key_type="IP"
                    )
                ),
                visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(
                    cloudwatch_metrics_enabled=True, metric_name=f"{name}-rate-limit", sampled_requests_enabled=True
                ),
            )
        )
        acl = aws.wafv2.WebAcl(
            f"{name}-acl",
            scope="CLOUDFRONT",
            description=f"{name}: managed rules and a per-IP rate limit in front of CloudFront",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=rules,
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            ),
            tags=self.tags(f"{name}-acl"),
            opts=self.child_opts(),
        )
        del visibility
        if args.logging:
            self._create_logging(name, acl, args)
        self.arn = acl.arn
        self.metric_name = name
        self.register_outputs({"arn": self.arn, "metric_name": self.metric_name})

    def _create_logging(self, name: str, acl: aws.wafv2.WebAcl, args: WebAclArgs) -> None:
        # WAF delivers only to groups named aws-waf-logs-*; it adds the log-delivery resource policy
        # itself when the deployer may call logs:PutResourcePolicy. CloudWatch Logs' own encryption:
        # the environment's KMS key lives in the stack's region, and this group must be in us-east-1.
        group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"aws-waf-logs-{pulumi.get_project()}-{pulumi.get_stack()}-{name}",
            retention_in_days=args.log_retention_days,
            tags=self.tags(f"{name}-logs"),
            opts=self.child_opts(),
        )

        def redacted(header: str) -> aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs:
            return aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
            )

        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging",
            resource_arn=acl.arn,
            log_destination_configs=[group.arn],
            redacted_fields=[redacted("authorization"), redacted("cookie")],
            opts=self.child_opts(),
        )


def _validate(name: str, args: WebAclArgs) -> None:
    if not 100 <= args.rate_limit_per_5_minutes <= 2_000_000_000:
        WebAcl.fail(
            name,
            "rate_limit_per_5_minutes",
            f"{args.rate_limit_per_5_minutes} is outside WAF's 100..2000000000; use e.g. 2000.",
        )
    for group in args.managed_rule_groups:
        problem = rule_group_problem(group)
        if problem:
            WebAcl.fail(name, "managed_rule_groups", f"{problem}.")
    if len(set(args.managed_rule_groups)) != len(args.managed_rule_groups):
        WebAcl.fail(name, "managed_rule_groups", "lists a group twice; list each group once.")
    if args.log_retention_days not in LOG_RETENTION_DAYS:
        WebAcl.fail(
            name,
            "log_retention_days",
            f"{args.log_retention_days} is not a CloudWatch Logs retention; use one of {list(LOG_RETENTION_DAYS)}.",
        )
