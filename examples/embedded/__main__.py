"""StreamingPlatform inside another Pulumi program.

The settings come from this program's own code (a profile plus overrides) instead of
``Pulumi.<env>.yaml``; they are validated exactly as the platform's own stacks are. Run it with
``pulumi up`` from this directory (it installs the library from the checkout), or offline with
``python -m pytest tests/stacks/test_examples.py``.
"""

import json

import pulumi
import pulumi_aws as aws

from stacks import StreamingPlatform, StreamingPlatformArgs, load_config

config = load_config(
    {
        "streaming-platform:profile": "dev",
        "streaming-platform:network": json.dumps({"cidr": "10.42.0.0/16"}),
        "streaming-platform:services": json.dumps({"logRetentionDays": 14}),
    },
    env=pulumi.get_stack(),
    source="examples/embedded/__main__.py",
)

# The embedding program's own resources sit beside the platform.
audit = aws.s3.Bucket("audit-exports", force_destroy=True, tags={"Team": "analytics"})
aws.s3.BucketPublicAccessBlock(
    "audit-exports-block",
    bucket=audit.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)

platform = StreamingPlatform("streaming", StreamingPlatformArgs(config=config, tags={"Team": "video"}))

pulumi.export("url", platform.url)
pulumi.export("auditBucket", audit.bucket)
