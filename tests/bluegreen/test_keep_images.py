"""Issue 13 item 8: the images a live or rollback task definition names carry a keep tag (moto's ECR)."""

from __future__ import annotations

from components.container_image import keep_tag as component_keep_tag
from stacks.operations import switch as sw
from tests.bluegreen.aws_world import World, deploy_image, image_tags, push_image

REPO = "streaming-prod-image"


def _digest(image: str) -> str:
    return image.split("@", 1)[1]


def test_the_switch_makes_the_same_keep_tag_as_the_repository_lifecycle_expects() -> None:
    digest = "sha256:" + "0123456789abcdef" * 4
    assert sw.keep_tag("prod-catalog-green", digest) == component_keep_tag("prod-catalog-green", digest)
    assert sw.keep_tag("prod-catalog-green", digest) == "keep-prod-catalog-green-0123456789abcdef"


def test_a_complete_switch_keeps_the_live_and_the_rollback_image(harness, world: World) -> None:
    # GIVEN blue and green running two different images pushed to an IMMUTABLE ECR repository
    blue = push_image(world.session, REPO, "ctx-blue")
    green = push_image(world.session, REPO, "ctx-green")
    deploy_image(world, "blue", blue)
    deploy_image(world, "green", green)
    # WHEN catalog is switched to green
    harness.switcher().switch("green", steps=(100,), bake=0)
    # THEN green's image (live) and blue's (rollback) each carry their colour's keep tag, next to their own tag
    tags = image_tags(world.session, REPO)
    assert tags[_digest(green)] == {"ctx-green", sw.keep_tag("prod-catalog-green", _digest(green))}
    assert tags[_digest(blue)] == {"ctx-blue", sw.keep_tag("prod-catalog-blue", _digest(blue))}
    out = harness.out.getvalue()
    assert f"keep live image of green: tagged {REPO}@{_digest(green)[:19]}… keep-prod-catalog-green-" in out
    assert f"keep rollback image of blue: tagged {REPO}@{_digest(blue)[:19]}… keep-prod-catalog-blue-" in out


def test_keeping_is_idempotent(harness, world: World) -> None:
    blue = push_image(world.session, REPO, "ctx-blue")
    green = push_image(world.session, REPO, "ctx-green")
    deploy_image(world, "blue", blue)
    deploy_image(world, "green", green)
    harness.switcher().switch("green", steps=(100,), bake=0)
    before = image_tags(world.session, REPO)
    # WHEN the switch is run again (green already takes 100 %)
    harness.switcher().switch("green", steps=(100,), bake=0)
    # THEN nothing changes and the run says the tags already exist (an IMMUTABLE repository refuses a re-put)
    assert image_tags(world.session, REPO) == before
    assert f"{REPO}@{_digest(green)[:19]}… already tagged keep-prod-catalog-green-" in harness.out.getvalue()


def test_a_new_image_moves_the_colours_claim_and_releases_the_old_image(harness, world: World) -> None:
    # GIVEN green promoted with image A, then green redeployed with image B and promoted again
    blue = push_image(world.session, REPO, "ctx-blue")
    first = push_image(world.session, REPO, "ctx-green-1")
    deploy_image(world, "blue", blue)
    deploy_image(world, "green", first)
    harness.switcher().switch("green", steps=(100,), bake=0)
    harness.switcher().switch("blue", steps=(100,), bake=0)
    second = push_image(world.session, REPO, "ctx-green-2")
    deploy_image(world, "green", second)
    harness.switcher().switch("green", steps=(100,), bake=0)
    # THEN B carries green's keep tag, A only its own tag again (the lifecycle may expire it), blue still kept
    tags = image_tags(world.session, REPO)
    assert tags[_digest(second)] == {"ctx-green-2", sw.keep_tag("prod-catalog-green", _digest(second))}
    assert tags[_digest(first)] == {"ctx-green-1"}
    assert tags[_digest(blue)] == {"ctx-blue", sw.keep_tag("prod-catalog-blue", _digest(blue))}
    assert f"released {sw.keep_tag('prod-catalog-green', _digest(first))}" in harness.out.getvalue()


def test_an_image_outside_ecr_is_reported_and_the_switch_still_completes(harness, world: World) -> None:
    # GIVEN the world's default images (registry.example/catalog:v1 and :v2, not ECR)
    outcome = harness.switcher().switch("green", steps=(100,), bake=0)
    assert outcome.weights == {"blue": 0, "green": 100}
    assert "keep live image of green: registry.example/catalog:v2 is not an ECR image; nothing to keep" in (
        harness.out.getvalue()
    )


def test_a_missing_image_is_a_warning_not_a_failed_switch(harness, world: World) -> None:
    # GIVEN green's task definition names an image whose repository does not exist
    deploy_image(world, "green", "123456789012.dkr.ecr.us-east-1.amazonaws.com/gone@sha256:" + "f" * 64)
    outcome = harness.switcher().switch("green", steps=(100,), bake=0)
    assert outcome.weights == {"blue": 0, "green": 100}
    assert "warning: could not keep-tag the live image of green (RepositoryNotFoundException" in harness.out.getvalue()
