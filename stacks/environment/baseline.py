"""The account baseline program (``baseline/``): one `AccountBaseline` from the stack's config.

Config keys (all optional, under the ``account-baseline`` namespace of ``baseline/Pulumi.<stack>.yaml``):
``logRetentionDays`` (365), ``cloudtrail``, ``guardduty``, ``securityHub``, ``accessAnalyzer`` (true; set false
where an organisation's delegated administrator already runs the service). ``aws:region`` is the
home region of the trail (it is multi-region either way) and of the regional services.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components import MANAGED_BY, AccountBaseline, AccountBaselineArgs, ComponentArgsError

NAMESPACE = "account-baseline"


def main() -> None:
    config = pulumi.Config(NAMESPACE)
    try:
        args = AccountBaselineArgs(
            log_retention_days=config.get_int("logRetentionDays") or 365,
            cloudtrail=config.get_bool("cloudtrail") is not False,
            guardduty=config.get_bool("guardduty") is not False,
            security_hub=config.get_bool("securityHub") is not False,
            access_analyzer=config.get_bool("accessAnalyzer") is not False,
        )
    except (ValueError, pulumi.ConfigTypeError) as exc:
        raise pulumi.RunError(f"Pulumi.{pulumi.get_stack()}.yaml: {exc}") from None
    provider = aws.Provider(
        "aws",
        region=pulumi.Config("aws").get("region") or "us-east-1",
        default_tags=aws.ProviderDefaultTagsArgs(
            tags={"Project": pulumi.get_project(), "Environment": pulumi.get_stack(), "ManagedBy": MANAGED_BY}
        ),
    )
    try:
        baseline = AccountBaseline("baseline", args, pulumi.ResourceOptions(providers={"aws": provider}))
    except ComponentArgsError as exc:
        raise pulumi.RunError(f"Pulumi.{pulumi.get_stack()}.yaml: {exc}") from None
    pulumi.export("trail_arn", baseline.trail_arn)
    pulumi.export("log_bucket_name", baseline.log_bucket_name)
    pulumi.export("detector_id", baseline.detector_id)
