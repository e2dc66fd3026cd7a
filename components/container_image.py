"""ContainerImage: a private, scanned, immutable ECR repository and the app image in it, by digest.

Creates:

- ``<name>-repository``: an ECR repository (``<project>-<stack>-<name>`` by default) with scan on
  push (FSBP ECR.1), IMMUTABLE tags (ECR.2) and AES256 or KMS encryption;
- ``<name>-lifecycle``: a lifecycle policy (ECR.3) that never expires an image carrying a
  ``keep-*`` tag (`keep_tag`: how a tag is added and released is in `lifecycle_policy`), expires
  untagged images after 1 day and keeps the last N images (default 20) of the rest;
- either ``<name>-image``: a pulumi-docker v4 ``docker.Image`` built from a Dockerfile context and
  pushed with credentials from ``aws.ecr.get_authorization_token``, tagged ``ctx-<24 hex>``. The
  build runs from a *staged copy* of the context, ``.build/images/<tag>/`` in the project (the
  nearest directory holding ``Pulumi.yaml``), written at plan time with only the files
  ``.dockerignore`` keeps, each 0644 (0755 when executable, as git records it). Its path is given
  relative to the program's working directory, and the tag covers everything pulumi-docker hashes
  for its own ``contextDigest`` (`components._context_hash` says how), so a ``pulumi up`` from any
  checkout, at any path and under any umask, plans the same inputs; the provider rebuilds exactly
  when the tag changes, so an immutable tag is never pushed twice and an unchanged context is not
  pushed again. ``.build/`` is a cache: safe to delete, ignored by git;
- or nothing more, when a prebuilt image (the CI-built path) is given by digest.

``image_uri`` is always ``<repository url>@sha256:<digest>``, what `FargateService` wants.

Example::

    image = ContainerImage("app", ContainerImageArgs(context="apps", dockerfile="streaming/Dockerfile"))
    # or, CI-built:
    image = ContainerImage("app", ContainerImageArgs(prebuilt_image="sha256:0123…"))
    FargateService("catalog", FargateServiceArgs(image=image.image_uri, ...))

Cost (us-east-1): ECR storage $0.10/GB-month; with 20 kept images of ~150 MB about $0.30/month.
Image scanning on push (basic) is free. Pulls from Fargate in the same region are free of transfer
charges (NAT Gateway processing, $0.045/GB, applies when tasks pull through NAT).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker

from components._context_hash import StagedContext, stage_context
from components._fargate_sizes import Architecture
from components._naming import key_identity, physical_name, replacement_suffix, with_suffix
from components.base import Component
from components.iam import ecr_image_parts

__all__ = [
    "ContainerImage",
    "ContainerImageArgs",
    "RepositoryEncryption",
    "default_repository_name",
    "keep_tag",
    "lifecycle_policy",
    "prebuilt_digest",
]

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_REPOSITORY = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_SECRET_LIKE = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "PRIVATE_KEY")


class RepositoryEncryption(StrEnum):
    """How ECR encrypts the images at rest."""

    AES256 = "AES256"
    """S3-managed keys (free)."""
    KMS = "KMS"
    """A KMS key: ``kms_key_arn``, or the AWS-managed ``aws/ecr`` key when none is given."""


@dataclass(frozen=True, kw_only=True)
class ContainerImageArgs:
    """Arguments of `ContainerImage`: give exactly one of ``context`` and ``prebuilt_image``."""

    context: str | None = None
    """Docker build context directory (relative to the Pulumi program or absolute). Default: None (use ``prebuilt_image``)."""
    dockerfile: str = "Dockerfile"
    """Dockerfile path relative to ``context`` (or absolute). Default: ``Dockerfile``."""
    architecture: Architecture = Architecture.ARM64
    """Target architecture (``linux/arm64`` or ``linux/amd64``); match FargateService's. Default: ARM64."""
    build_args: Mapping[str, str] = field(default_factory=dict)
    """Docker build arguments (part of the content hash; never secrets: they stay in the image history). Default: none."""
    target: str | None = None
    """Multi-stage build target. Default: None (the last stage)."""
    prebuilt_image: str | None = None
    """A CI-pushed image in this repository, by digest: ``sha256:<64 hex>`` or ``<repository url>@sha256:<64 hex>``. Default: None (build from ``context``)."""
    repository_name: str | None = None
    """ECR repository name. Default: ``<project>-<stack>-<name>`` (deterministic, so CI knows where to push)."""
    keep_last_images: int = 20
    """Images kept by the lifecycle policy; older ones expire (keep enough for rollbacks). Default: 20."""
    untagged_expiry_days: int = 1
    """Days after which untagged images expire. Default: 1."""
    encryption: RepositoryEncryption = RepositoryEncryption.AES256
    """Encryption at rest. Default: AES256."""
    kms_key_arn: pulumi.Input[str] | None = None
    """KMS key for ``encryption=KMS``. Default: None (the AWS-managed aws/ecr key)."""
    staging_dir: str | None = None
    """Where staged build contexts are written (relative to the program's working directory, or absolute). Default: None (``.build/images`` in the project: the nearest directory upwards holding ``Pulumi.yaml``)."""
    force_delete: bool = False
    """Let ``pulumi destroy`` delete the repository while it still holds images. Default: False."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every taggable child. Default: none."""


KEEP_TAG_PREFIX = "keep-"
"""Images carrying a tag that starts with this are never expired by the lifecycle policy."""
KEEP_LIMIT = 9999
"""How many kept images the keep rule tolerates before it would expire one (never, in practice)."""


def keep_tag(holder: str, digest: str) -> str:
    """The keep tag of ``digest`` for ``holder`` (a service, a colour, a rollback slot): at most 128
    characters of ``[A-Za-z0-9._-]``, unique per holder and image, so adding one never collides
    with an IMMUTABLE tag and removing one releases only that holder's claim."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", holder).strip("-")[:90]
    return f"{KEEP_TAG_PREFIX}{safe}-{prebuilt_digest(digest).removeprefix('sha256:')[:16]}"


def lifecycle_policy(keep_last_images: int, untagged_expiry_days: int) -> dict[str, Any]:
    """ECR lifecycle rules: kept images first, then untagged ones expire, then only the newest N stay.

    How ECR evaluates them (Amazon ECR User Guide, "Lifecycle policy evaluation rules"): rules run
    in ``rulePriority`` order; an image that matches the tag selection of a higher-priority rule
    cannot be expired by a lower-priority rule; an image with several tags matches
    ``tagPatternList`` when any of its tags matches the pattern; the ``any`` rule must come last.
    So rule 1 (``keep-*``, expire only beyond 9999 images) *shields* every image that carries a
    keep tag from rule 3's count, whatever its age: an image that a live or rollback task
    definition names stays pullable while it carries its tag. A keep tag (`keep_tag`) is added
    to an image by writing its manifest under the new tag (``ecr:PutImage``, allowed in an
    IMMUTABLE repository because the tag is new) and released by deleting that tag only
    (``ecr:BatchDeleteImage`` with the tag): the image then falls back to rule 3 and expires once
    N newer images exist.
    """
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"Never expire images tagged {KEEP_TAG_PREFIX}* (named by live or rollback task definitions)",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": [f"{KEEP_TAG_PREFIX}*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": KEEP_LIMIT,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Expire untagged images after {untagged_expiry_days} day(s)",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": untagged_expiry_days,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 3,
                "description": f"Keep the last {keep_last_images} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_last_images},
                "action": {"type": "expire"},
            },
        ]
    }


def default_repository_name(name: str) -> str:
    """``<project>-<stack>-<name>``, lowercased and restricted to what ECR accepts."""
    return physical_name(pulumi.get_project(), pulumi.get_stack(), name, max_length=256).lower()


#: aws.ecr.Repository's replacement-forcing input besides its name (terraform-provider-aws
#: internal/service/ecr/repository.go: encryption_configuration is ForceNew), as every existing
#: repository was created: AES256.
REPOSITORY_NAME_DEFAULTS: dict[str, object] = {"encryptionConfigurations": [{"encryptionType": "AES256"}]}


def replace_safe_repository_name(base: str, args: ContainerImageArgs) -> str:
    """``base``, or ``base-<8 hex>`` when the encryption differs from AES256 (a KMS key replaces the
    repository, and the new one must not collide with the old one's name; CI reads
    ``repository_url`` from the stack's outputs)."""
    config: dict[str, object] = {"encryptionType": args.encryption.value}
    if args.encryption is RepositoryEncryption.KMS and args.kms_key_arn is not None:
        config["kmsKey"] = key_identity(args.kms_key_arn)
    suffix = replacement_suffix({"encryptionConfigurations": [config]}, REPOSITORY_NAME_DEFAULTS)
    return with_suffix(base, suffix, max_length=256)


def prebuilt_digest(reference: str) -> str:
    """The ``sha256:…`` digest of a prebuilt reference (``sha256:…`` or ``<repo>@sha256:…``)."""
    return reference.rsplit("@", 1)[-1]


class ContainerImage(Component):
    """A private ECR repository and the app image in it, referenced by digest."""

    image_uri: pulumi.Output[str]
    """``<repository url>@sha256:<digest>``: pass it to ``FargateServiceArgs.image``."""
    repository_url: pulumi.Output[str]
    """``<account>.dkr.ecr.<region>.amazonaws.com/<name>`` (CI pushes here)."""
    repository_arn: pulumi.Output[str]
    """The repository's ARN (for pull or push policies)."""
    repository_name: pulumi.Output[str]
    """The repository's name."""

    def __init__(self, name: str, args: ContainerImageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        repo_name = replace_safe_repository_name(args.repository_name or default_repository_name(name), args)
        _validate(name, args, repo_name)
        staged = _stage(name, args) if args.context is not None else None
        super().__init__(name, opts, tags=args.tags)
        child = self.child_opts()

        encryption = aws.ecr.RepositoryEncryptionConfigurationArgs(
            encryption_type=args.encryption.value,
            kms_key=args.kms_key_arn if args.encryption is RepositoryEncryption.KMS else None,
        )
        repository = aws.ecr.Repository(
            f"{name}-repository",
            name=repo_name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[encryption],
            force_delete=args.force_delete,
            tags=self.tags(repo_name),
            opts=child,
        )
        lifecycle = aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=repository.name,
            policy=json.dumps(lifecycle_policy(args.keep_last_images, args.untagged_expiry_days)),
            opts=child,
        )

        if args.prebuilt_image is not None:
            self.image_uri = pulumi.Output.concat(repository.repository_url, "@", prebuilt_digest(args.prebuilt_image))
        else:
            assert staged is not None  # staged above whenever context is given
            self.image_uri = self._build(name, args, staged, repository, lifecycle, child)

        self.repository_url = repository.repository_url
        self.repository_arn = repository.arn
        self.repository_name = repository.name
        self.register_outputs(
            {
                "image_uri": self.image_uri,
                "repository_url": self.repository_url,
                "repository_arn": self.repository_arn,
                "repository_name": self.repository_name,
            }
        )

    def _build(
        self,
        name: str,
        args: ContainerImageArgs,
        staged: StagedContext,
        repository: aws.ecr.Repository,
        lifecycle: aws.ecr.LifecyclePolicy,
        child: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        credentials = aws.ecr.get_authorization_token_output(
            registry_id=repository.registry_id,
            opts=self.lookup_output_opts(),
        )
        image = docker.Image(
            f"{name}-image",
            build=docker.DockerBuildArgs(
                # Both relative to the program's working directory, where pulumi-docker resolves them.
                context=staged.context,
                dockerfile=staged.dockerfile,
                platform=args.architecture.docker_platform,
                args=dict(args.build_args) or None,
                target=args.target,
            ),
            image_name=pulumi.Output.concat(repository.repository_url, ":", staged.tag),
            registry=docker.RegistryArgs(
                server=repository.repository_url,
                username=credentials.user_name,
                password=pulumi.Output.secret(credentials.password),
            ),
            skip_push=False,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[lifecycle])),
        )
        return image.repo_digest


def _stage(name: str, args: ContainerImageArgs) -> StagedContext:
    """Stage the build context (see the module docstring), or fail naming what cannot be copied."""
    assert args.context is not None
    try:
        return stage_context(
            args.context,
            _dockerfile_path(args.context, args.dockerfile),
            platform=args.architecture.docker_platform,
            target=args.target or "",
            build_args=args.build_args,
            root=Path(args.staging_dir) if args.staging_dir is not None else None,
        )
    except ValueError as exc:  # StagingError, or a .dockerignore pattern the build would refuse too
        ContainerImage.fail(name, "context", f"{exc}.")
    except OSError as exc:
        ContainerImage.fail(
            name,
            "staging_dir",
            f"the build context could not be staged ({exc}); make the project directory writable or set "
            "staging_dir to a writable directory.",
        )


def _dockerfile_path(context: str, dockerfile: str) -> str:
    return dockerfile if os.path.isabs(dockerfile) else os.path.join(context, dockerfile)


def _validate(name: str, args: ContainerImageArgs, repo_name: str) -> None:
    def fail(argument: str, message: str) -> NoReturn:
        ContainerImage.fail(name, argument, message)

    if (args.context is None) == (args.prebuilt_image is None):
        fail("context", "give exactly one of context (build from a Dockerfile) and prebuilt_image (a CI-built digest).")
    if not (2 <= len(repo_name) <= 256 and _REPOSITORY.match(repo_name)):
        fail(
            "repository_name",
            f"{repo_name!r} is not an ECR repository name; use 2-256 lowercase letters, digits and '.', '_', '-', '/' "
            "separators.",
        )
    if args.context is not None:
        if not Path(args.context).is_dir():
            fail(
                "context",
                f"{args.context!r} is not a directory (relative paths are from the Pulumi program, "
                f"here {os.getcwd()!r}).",
            )
        dockerfile = _dockerfile_path(args.context, args.dockerfile)
        if not Path(dockerfile).is_file():
            fail("dockerfile", f"{dockerfile!r} does not exist; give the Dockerfile's path relative to the context.")
        for key in sorted(args.build_args):
            if any(marker in key.upper() for marker in _SECRET_LIKE):
                fail(
                    "build_args",
                    f"{key} looks like a secret, and build arguments stay readable in the image "
                    "history; pass secrets at run time through FargateService secrets.",
                )
    if args.prebuilt_image is not None:
        reference = args.prebuilt_image.strip()
        digest = prebuilt_digest(reference)
        if not _DIGEST.match(digest):
            fail(
                "prebuilt_image",
                f"{args.prebuilt_image!r} is not given by digest; use 'sha256:<64 hex>' or "
                "'<repository url>@sha256:<64 hex>'.",
            )
        if "@" in reference:
            parts = ecr_image_parts(reference)
            if parts is None or parts["tag"] is not None:
                fail(
                    "prebuilt_image",
                    f"{args.prebuilt_image!r} is not an ECR image by digest; push the image to "
                    f"this repository ({repo_name!r}), or give a non-ECR image to FargateService "
                    "directly.",
                )
            elif parts["repo"] != repo_name:
                fail(
                    "prebuilt_image",
                    f"{args.prebuilt_image!r} is in repository {parts['repo']!r}, not in this "
                    f"component's {repo_name!r}; push it there or set repository_name.",
                )
    if args.keep_last_images < 1:
        fail("keep_last_images", f"{args.keep_last_images} must be at least 1 (rollbacks need the previous images).")
    if args.untagged_expiry_days < 1:
        fail("untagged_expiry_days", f"{args.untagged_expiry_days} must be at least 1.")
    if args.kms_key_arn is not None and args.encryption is not RepositoryEncryption.KMS:
        fail("kms_key_arn", "is only used with encryption=RepositoryEncryption.KMS; set it, or drop the key.")
