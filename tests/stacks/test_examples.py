"""examples/: the StreamingPlatform embedded in another program plans offline."""

from __future__ import annotations

import runpy

from stacks.offline.mocks import run_program
from tests.paths import REPO_ROOT


def test_the_embedded_example_builds_a_platform_beside_its_own_resources() -> None:
    run = run_program(
        lambda: runpy.run_path(str(REPO_ROOT / "examples/embedded/__main__.py"), run_name="__main__"),
        project="streaming-embedded",
        stack="dev",
    )

    vpc = run.named("streaming-net-vpc")
    assert vpc.inputs["cidrBlock"] == "10.42.0.0/16"
    assert vpc.inputs["tags"]["Team"] == "video" and vpc.inputs["tags"]["Environment"] == "dev"
    assert run.named("audit-exports").type == "aws:s3/bucket:Bucket"
    assert {
        g.inputs["retentionInDays"]
        for g in run.of_type("aws:cloudwatch/logGroup:LogGroup")
        if g.inputs["name"].startswith("/ecs/")
    } == {14}
    assert run.outputs["url"].startswith("https://d") and run.outputs["url"].endswith(".cloudfront.net")
