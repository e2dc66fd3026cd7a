"""ContainerImage: an immutable, scanned ECR repository and the app image in it, by digest."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components._context_hash import context_tag
from components._naming import replacement_suffix
from components.container_image import (
    Architecture,
    ContainerImage,
    ContainerImageArgs,
    RepositoryEncryption,
    keep_tag,
    lifecycle_policy,
)
from components.errors import ComponentArgsError
from components.tags import REQUIRED_TAG_KEYS
from stacks.offline.mocks import ProgramRun
from tests.conftest import MockRuntime

ACCOUNT = "123456789012"
REGISTRY = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"
DIGEST = "sha256:" + "cd" * 32
REPOSITORY = "aws:ecr/repository:Repository"
IMAGE = "docker:index/image:Image"


@pytest.fixture
def context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A build context in ``ctx/``; the program runs in ``program/`` (no Pulumi.yaml above it)."""
    ctx = tmp_path / "ctx"
    (ctx / "app").mkdir(parents=True)
    (ctx / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY app /app\nUSER 10001\n")
    (ctx / "app" / "main.py").write_text("print('streaming')\n")
    (tmp_path / "program").mkdir()
    monkeypatch.chdir(tmp_path / "program")
    return ctx


def run_image(pulumi_mocks: MockRuntime, args: ContainerImageArgs, name: str = "app") -> ProgramRun:
    def program() -> None:
        image = ContainerImage(name, args)
        for key in ("image_uri", "repository_url", "repository_arn", "repository_name"):
            pulumi.export(key, getattr(image, key))

    return pulumi_mocks.run(program)


def test_the_repository_is_immutable_scanned_encrypted_and_kept_on_destroy(pulumi_mocks: MockRuntime) -> None:
    # GIVEN a prebuilt image WHEN the component is created
    run = run_image(pulumi_mocks, ContainerImageArgs(prebuilt_image=DIGEST))

    # THEN the repository has the FSBP ECR.1/ECR.2 settings, AES256 and no force delete
    [repo] = run.of_type(REPOSITORY)
    assert repo.name == "app-repository"
    assert repo.inputs["name"] == "test-project-test-app"
    assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "AES256"}]
    assert repo.inputs["forceDelete"] is False


def test_a_kms_encrypted_repository_uses_the_given_key(pulumi_mocks: MockRuntime) -> None:
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f1e2d3c-0000-4000-8000-000000000000"
    args = ContainerImageArgs(
        prebuilt_image=DIGEST,
        encryption=RepositoryEncryption.KMS,
        kms_key_arn=key,
        force_delete=True,
        repository_name="streaming/app",
    )
    repo = run_image(pulumi_mocks, args).named("app-repository").inputs
    assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key}]
    assert repo["forceDelete"] is True
    # A KMS key forces a new repository (encryption_configuration is ForceNew), so the name carries
    # a suffix of it (this replaces the assertion that the name stayed "streaming/app": the
    # replacement would have collided with it); an AES256 repository keeps the name it was given.
    suffix = replacement_suffix({"encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": key}]}, {})
    assert repo["name"] == f"streaming/app-{suffix}" and re.fullmatch(r"[0-9a-f]{8}", suffix)
    plain = dataclasses.replace(args, encryption=RepositoryEncryption.AES256, kms_key_arn=None)
    assert run_image(pulumi_mocks, plain).named("app-repository").inputs["name"] == "streaming/app"


def test_the_lifecycle_policy_keeps_tagged_images_expires_untagged_ones_and_keeps_the_last_n(
    pulumi_mocks: MockRuntime,
) -> None:
    # (The policy gained rule 1, the keep rule, ahead of the two rules this test asserted before;
    # those two are unchanged apart from their priorities.)
    run = run_image(pulumi_mocks, ContainerImageArgs(prebuilt_image=DIGEST, keep_last_images=30))

    lifecycle = run.named("app-lifecycle").inputs
    assert lifecycle["repository"] == "test-project-test-app"
    assert json.loads(lifecycle["policy"]) == {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Never expire images tagged keep-* (named by live or rollback task definitions)",
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["keep-*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 9999,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": "Expire untagged images after 1 day(s)",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 3,
                "description": "Keep the last 30 images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
                "action": {"type": "expire"},
            },
        ]
    }


def expired(policy: dict[str, Any], images: list[tuple[int, list[str]]], age_days: dict[int, int]) -> set[int]:
    """Which images (pushed-at order, tags) ECR expires, by the documented evaluation rules:
    rules in priority order; an image matching a higher rule's tag selection is never expired by
    a lower rule; a tagged image matches a pattern when any of its tags does; count rules keep the
    newest N of the images they select; expiry is oldest first."""
    claimed: set[int] = set()
    gone: set[int] = set()
    for rule in sorted(policy["rules"], key=lambda r: r["rulePriority"]):
        sel = rule["selection"]

        def selects(tags: list[str], sel: dict[str, Any] = sel) -> bool:
            if sel["tagStatus"] == "untagged":
                return not tags
            if sel["tagStatus"] == "any":
                return True
            patterns = sel.get("tagPatternList", [])
            return bool(tags) and any(re.fullmatch(p.replace("*", ".*"), t) for p in patterns for t in tags)

        chosen = [i for i, tags in images if i not in claimed and selects(tags)]
        if sel["countType"] == "imageCountMoreThan":
            newest_first = sorted(chosen, reverse=True)
            gone |= set(newest_first[sel["countNumber"] :])
        else:
            gone |= {i for i in chosen if age_days[i] > sel["countNumber"]}
        claimed |= set(chosen)
    return gone


def test_an_image_with_a_keep_tag_outlives_any_number_of_newer_pushes() -> None:
    # GIVEN a repository keeping the last 3 images; image 0 is the one a rollback task definition names
    policy = lifecycle_policy(keep_last_images=3, untagged_expiry_days=1)
    rollback = keep_tag("streaming-prod-catalog-blue", "sha256:" + "ab" * 32)
    assert rollback == "keep-streaming-prod-catalog-blue-abababababababab"
    images = [(0, [f"ctx-{0:024x}", rollback])] + [(i, [f"ctx-{i:024x}"]) for i in range(1, 10)] + [(10, [])]
    ages = {i: 30 - i for i in range(11)}

    # WHEN ECR evaluates the policy
    gone = expired(policy, images, ages)

    # THEN the kept image stays although 9 newer ones were pushed, the newest 3 others stay, the
    # untagged one (older than a day) goes
    assert 0 not in gone
    assert gone == {1, 2, 3, 4, 5, 6, 10}
    # and once its keep tag is released (deleted), it expires like any other old image
    assert 0 in expired(policy, [(0, [f"ctx-{0:024x}"]), *images[1:]], ages)


def test_the_any_rule_is_evaluated_last_as_ecr_requires() -> None:
    rules = lifecycle_policy(5, 2)["rules"]
    assert max(rules, key=lambda r: r["rulePriority"])["selection"]["tagStatus"] == "any"


def test_a_prebuilt_digest_is_served_from_the_repository_without_a_build(pulumi_mocks: MockRuntime) -> None:
    run = run_image(pulumi_mocks, ContainerImageArgs(prebuilt_image=DIGEST))

    assert run.of_type(IMAGE) == []
    assert run.outputs["image_uri"] == f"{REGISTRY}/test-project-test-app@{DIGEST}"
    assert run.outputs["repository_url"] == f"{REGISTRY}/test-project-test-app"
    assert run.outputs["repository_arn"] == f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/test-project-test-app"
    assert run.outputs["repository_name"] == "test-project-test-app"


def test_a_prebuilt_full_reference_in_this_repository_is_accepted(pulumi_mocks: MockRuntime) -> None:
    args = ContainerImageArgs(prebuilt_image=f"{REGISTRY}/test-project-test-app@{DIGEST}")
    assert run_image(pulumi_mocks, args).outputs["image_uri"] == f"{REGISTRY}/test-project-test-app@{DIGEST}"


def test_a_build_pushes_a_content_hash_tag_and_outputs_the_digest(pulumi_mocks: MockRuntime, context: Path) -> None:
    # GIVEN a Dockerfile context WHEN the image is built for ARM64
    run = run_image(pulumi_mocks, ContainerImageArgs(context=str(context), build_args={"VERSION": "1.0"}))

    # THEN docker.Image builds the staged copy (relative to the working directory, named by the tag)
    # for linux/arm64, tags it with the context hash and pushes it to the repository
    [image] = run.of_type(IMAGE)
    assert image.name == "app-image"
    tag = context_tag(context, context / "Dockerfile", platform="linux/arm64", build_args={"VERSION": "1.0"})
    assert image.inputs["imageName"] == f"{REGISTRY}/test-project-test-app:{tag}"
    assert image.inputs["build"] == {
        "context": f".build/images/{tag}",
        "dockerfile": f".build/images/{tag}/Dockerfile",
        "platform": "linux/arm64",
        "args": {"VERSION": "1.0"},
    }
    assert image.inputs["skipPush"] is False
    assert image.inputs["registry"] == {
        "server": f"{REGISTRY}/test-project-test-app",
        "username": "AWS",
        "password": "[secret]",
    }
    assert run.named("app-lifecycle").urn in image.dependencies
    assert re.fullmatch(rf"{re.escape(REGISTRY)}/test-project-test-app@sha256:[0-9a-f]{{64}}", run.outputs["image_uri"])


def test_an_x86_build_with_a_target_and_a_nested_dockerfile(pulumi_mocks: MockRuntime, context: Path) -> None:
    (context / "docker").mkdir()
    (context / "docker" / "app.Dockerfile").write_text("FROM python:3.12-slim AS runtime\n")
    args = ContainerImageArgs(
        context=str(context), dockerfile="docker/app.Dockerfile", architecture=Architecture.X86_64, target="runtime"
    )
    image = run_image(pulumi_mocks, args).named("app-image")
    tag = image.inputs["imageName"].rsplit(":", 1)[1]
    assert image.inputs["build"] == {
        "context": f".build/images/{tag}",
        "dockerfile": f".build/images/{tag}/docker/app.Dockerfile",
        "platform": "linux/amd64",
        "target": "runtime",
    }


def test_an_unchanged_context_plans_the_same_tag_and_an_edit_a_new_one(
    pulumi_mocks: MockRuntime, context: Path
) -> None:
    args = ContainerImageArgs(context=str(context))
    first = run_image(pulumi_mocks, args).named("app-image").inputs["imageName"]
    assert run_image(pulumi_mocks, args).named("app-image").inputs["imageName"] == first

    (context / "app" / "main.py").write_text("print('changed')\n")
    assert run_image(pulumi_mocks, args).named("app-image").inputs["imageName"] != first


def test_every_child_is_parented_named_after_the_component_and_the_repository_tagged(
    pulumi_mocks: MockRuntime,
    context: Path,
) -> None:
    run = run_image(pulumi_mocks, ContainerImageArgs(context=str(context), tags={"Service": "streaming"}), name="web")

    component = run.named("web")
    children = [r for r in run.registrations.values() if r.urn != component.urn]
    assert sorted(c.name for c in children) == ["web-image", "web-lifecycle", "web-repository"]
    assert all(c.parent == component.urn for c in children)
    tags = run.named("web-repository").inputs["tags"]
    assert set(REQUIRED_TAG_KEYS) <= set(tags)
    assert (tags["Name"], tags["Component"], tags["Service"]) == (
        "test-project-test-web",
        "ContainerImage",
        "streaming",
    )


REFUSALS: list[tuple[str, dict[str, Any], str, str]] = [
    ("neither context nor prebuilt image", {"prebuilt_image": None}, "context", "give exactly one of"),
    ("both context and prebuilt image", {"context": "."}, "context", "give exactly one of"),
    (
        "prebuilt image by tag",
        {"prebuilt_image": f"{REGISTRY}/test-project-test-app:v1"},
        "prebuilt_image",
        "is not given by digest",
    ),
    (
        "prebuilt image with a short digest",
        {"prebuilt_image": "sha256:abc"},
        "prebuilt_image",
        "is not given by digest",
    ),
    (
        "prebuilt image in another repository",
        {"prebuilt_image": f"{REGISTRY}/other@{DIGEST}"},
        "prebuilt_image",
        "is in repository 'other'",
    ),
    (
        "prebuilt image outside ecr",
        {"prebuilt_image": f"ghcr.io/acme/app@{DIGEST}"},
        "prebuilt_image",
        "is not an ECR image by digest",
    ),
    (
        "repository name with capitals",
        {"repository_name": "Streaming"},
        "repository_name",
        "'Streaming' is not an ECR repository name",
    ),
    ("keep no images", {"keep_last_images": 0}, "keep_last_images", "must be at least 1"),
    ("untagged expiry of zero days", {"untagged_expiry_days": 0}, "untagged_expiry_days", "must be at least 1"),
    (
        "kms key without kms encryption",
        {"kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/x"},
        "kms_key_arn",
        "is only used with encryption=RepositoryEncryption.KMS",
    ),
]


@pytest.mark.parametrize(("overrides", "argument", "match"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_invalid_args_are_refused_before_anything_is_registered(
    pulumi_mocks: MockRuntime,
    overrides: dict[str, Any],
    argument: str,
    match: str,
) -> None:
    args = dataclasses.replace(ContainerImageArgs(prebuilt_image=DIGEST), **overrides)

    def program() -> None:
        with pytest.raises(ComponentArgsError, match=rf"^ContainerImage 'app': \[{argument}\] .*{re.escape(match)}"):
            ContainerImage("app", args)

    assert pulumi_mocks.run(program).registrations == {}


@pytest.mark.parametrize(
    ("files", "overrides", "argument", "match"),
    [
        ({}, {"context": "missing-dir"}, "context", "is not a directory"),
        ({"app/main.py": "x"}, {}, "dockerfile", "does not exist"),
        (
            {"Dockerfile": "FROM scratch\n"},
            {"build_args": {"NPM_TOKEN": "x"}},
            "build_args",
            "NPM_TOKEN looks like a secret",
        ),
    ],
    ids=["missing context", "missing dockerfile", "secret build arg"],
)
def test_a_bad_build_context_is_refused_before_anything_is_registered(
    pulumi_mocks: MockRuntime,
    tmp_path: Path,
    files: dict[str, str],
    overrides: dict[str, Any],
    argument: str,
    match: str,
) -> None:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    args = dataclasses.replace(ContainerImageArgs(context=str(tmp_path)), **overrides)
    if "context" in overrides:
        args = dataclasses.replace(args, context=str(tmp_path / overrides["context"]))

    def program() -> None:
        with pytest.raises(ComponentArgsError, match=rf"^ContainerImage 'app': \[{argument}\] .*{match}"):
            ContainerImage("app", args)

    assert pulumi_mocks.run(program).registrations == {}
