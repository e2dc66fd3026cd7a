"""The body of the Pulumi program: read the stack's typed config and build the environment."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def main() -> None:
    config = pulumi.Config("aws")
    region = config.get("region") or "us-east-1"
    provider = aws.Provider(
        "aws",
        region=region,
        default_tags=aws.ProviderDefaultTagsArgs(
            tags={"Project": pulumi.get_project(), "Environment": pulumi.get_stack(), "ManagedBy": "pulumi"}
        ),
    )
    pulumi.export("region", provider.region)
