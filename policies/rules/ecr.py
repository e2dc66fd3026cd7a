"""ECR: scan on push, immutable tags, a lifecycle policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._core import ResourceView, StackFinding, get, is_true, is_unknown, linked, of_types, resource_rule, stack_rule

REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"


@resource_rule(
    "ecr-scan-on-push",
    control="ECR.1",
    description="Repositories scan images on push (imageScanningConfiguration.scanOnPush true).",
    types=(REPOSITORY,),
)
def scan_on_push(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = get(r.props, "imageScanningConfiguration", "scanOnPush")
    if not is_true(value) and not is_unknown(value):
        yield f'{r.label}: images are not scanned. Set image_scanning_configuration={{"scan_on_push": True}}.'


@resource_rule(
    "ecr-immutable-tags",
    control="ECR.2",
    description="Repositories have immutable tags (imageTagMutability IMMUTABLE or IMMUTABLE_WITH_EXCLUSION).",
    types=(REPOSITORY,),
)
def immutable_tags(r: ResourceView, config: Mapping[str, Any]) -> Iterable[str]:
    value = r.props.get("imageTagMutability")
    if not is_unknown(value) and value not in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
        yield (
            f"{r.label}: image_tag_mutability={value or 'MUTABLE (default)'}, so a tag can be repointed at another "
            f'image. Set image_tag_mutability="IMMUTABLE" and deploy by digest or unique tag.'
        )


@stack_rule(
    "ecr-lifecycle-policy",
    control="ECR.3",
    description="Every repository has a lifecycle policy (aws.ecr.LifecyclePolicy) expiring old images.",
    types=(REPOSITORY,),
    category="cost",
)
def lifecycle_policy(resources: Sequence[ResourceView], config: Mapping[str, Any]) -> Iterable[StackFinding]:
    policies = of_types(resources, LIFECYCLE)
    for repo in of_types(resources, REPOSITORY):
        if not any(linked(p, repo, prop="repository", target_keys=("name", "id")) for p in policies):
            yield StackFinding(
                repo.urn,
                f"{repo.label}: no lifecycle policy, so images accumulate at $0.10/GB-month. Add "
                f"aws.ecr.LifecyclePolicy(repository=repo.name, policy=<keep the last N images, "
                f"expire untagged after 7 days>).",
            )
