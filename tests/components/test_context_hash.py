"""The build-context hash that names immutable image tags."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components._context_hash import (
    IgnoreRules,
    StagingError,
    context_hash,
    context_tag,
    dockerignore_patterns,
    go_file_mode,
    provider_context_digest,
    stage_context,
)


def make_context(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


BASE = {"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n", "app/main.py": "print('hi')\n"}


def test_an_unchanged_context_keeps_its_tag(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, BASE)
    first = context_tag(ctx, ctx / "Dockerfile", platform="linux/arm64")
    assert first == context_tag(ctx, ctx / "Dockerfile", platform="linux/arm64")
    assert first.startswith("ctx-") and len(first) == 4 + 24


def test_changing_a_file_a_mode_or_adding_a_directory_changes_the_tag(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, BASE)
    before = context_hash(ctx, ctx / "Dockerfile")

    (ctx / "app/main.py").write_text("print('bye')\n")
    after_edit = context_hash(ctx, ctx / "Dockerfile")
    os.chmod(ctx / "app/main.py", 0o700)  # owner-executable
    after_chmod = context_hash(ctx, ctx / "Dockerfile")
    (ctx / "empty").mkdir()
    after_mkdir = context_hash(ctx, ctx / "Dockerfile")

    assert len({before, after_edit, after_chmod, after_mkdir}) == 4


def test_platform_target_and_build_args_are_part_of_the_hash(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, BASE)
    dockerfile = ctx / "Dockerfile"
    hashes = {
        context_hash(ctx, dockerfile, platform="linux/arm64"),
        context_hash(ctx, dockerfile, platform="linux/amd64"),
        context_hash(ctx, dockerfile, platform="linux/amd64", target="runtime"),
        context_hash(ctx, dockerfile, platform="linux/amd64", build_args={"VERSION": "1"}),
        context_hash(ctx, dockerfile, platform="linux/amd64", build_args={"VERSION": "2"}),
    }
    assert len(hashes) == 5


def test_dockerignored_files_do_not_change_the_tag(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, {**BASE, ".dockerignore": "# local junk\n**/__pycache__\n*.log\n/.git\n"})
    before = context_hash(ctx, ctx / "Dockerfile")

    make_context(ctx, {"app/__pycache__/main.pyc": "x", "build.log": "x", ".git/HEAD": "ref"})

    assert context_hash(ctx, ctx / "Dockerfile") == before
    make_context(ctx, {"app/sub/build.log": "x"})  # '*.log' only matches at the root, as in Docker
    assert context_hash(ctx, ctx / "Dockerfile") != before


def test_an_exception_in_dockerignore_is_honoured_as_pulumi_docker_honours_it(tmp_path: Path) -> None:
    # Replaces "an exception makes the hash include everything": the patterns are now matched as
    # moby/patternmatcher matches them, so an excluded file stays out and the exception stays in.
    # GIVEN a context that ignores Markdown except its README
    ctx = make_context(tmp_path, {**BASE, ".dockerignore": "*.md\n!README.md\n"})
    before = context_hash(ctx, ctx / "Dockerfile")

    # WHEN an ignored Markdown file appears THEN nothing the build sends changed
    make_context(ctx, {"NOTES.md": "x"})
    assert context_hash(ctx, ctx / "Dockerfile") == before
    # WHEN the excepted README appears THEN the tag changes
    make_context(ctx, {"README.md": "x"})
    assert context_hash(ctx, ctx / "Dockerfile") != before


def test_the_hash_does_not_depend_on_where_the_context_lives(tmp_path: Path) -> None:
    one = make_context(tmp_path / "one", BASE)
    two = make_context(tmp_path / "elsewhere" / "two", BASE)
    assert context_hash(one, one / "Dockerfile") == context_hash(two, two / "Dockerfile")


def test_a_dockerfile_outside_the_context_is_hashed_by_content(tmp_path: Path) -> None:
    ctx = make_context(tmp_path / "ctx", {"app/main.py": "x"})
    outside = tmp_path / "docker" / "Dockerfile"
    outside.parent.mkdir()
    outside.write_text("FROM scratch\n")
    before = context_hash(ctx, outside)
    outside.write_text("FROM busybox\n")
    assert context_hash(ctx, outside) != before


def test_dockerignore_patterns_are_cleaned() -> None:
    with tempfile.TemporaryDirectory() as d:
        Path(d, ".dockerignore").write_text("\n# c\n/dist/\n./node_modules\n!keep\n")
        assert dockerignore_patterns(Path(d)) == ["dist", "node_modules", "!keep"]


def test_ignore_rules_follow_dockers_matching() -> None:
    rules = IgnoreRules(["*.pyc", "**/node_modules", "docs/**", "tmp?", "[ab].txt"])
    assert rules.excludes("x.pyc") and not rules.excludes("pkg/x.pyc")
    assert rules.excludes("node_modules/a/b.js") and rules.excludes("web/node_modules/a.js")
    assert rules.excludes("docs/guide/index.md") and not rules.excludes("docs")
    assert rules.excludes("tmp1") and not rules.excludes("tmp12")
    assert rules.excludes("a.txt") and not rules.excludes("c.txt")


FILES = st.dictionaries(
    st.from_regex(r"[a-z]{1,6}(/[a-z]{1,6}){0,2}\.txt", fullmatch=True),
    st.text(max_size=40),
    min_size=1,
    max_size=6,
)


@settings(max_examples=30, deadline=None)
@given(FILES)
def test_the_order_files_were_written_in_never_matters(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        first = make_context(Path(a), {"Dockerfile": "FROM scratch\n", **files})
        second = make_context(Path(b), {"Dockerfile": "FROM scratch\n", **dict(reversed(list(files.items())))})
        assert context_hash(first, first / "Dockerfile") == context_hash(second, second / "Dockerfile")


@settings(max_examples=30, deadline=None)
@given(FILES, st.data())
def test_any_content_change_changes_the_hash(files: dict[str, str], data: st.DataObject) -> None:
    victim = data.draw(st.sampled_from(sorted(files)))
    with tempfile.TemporaryDirectory() as d:
        ctx = make_context(Path(d), {"Dockerfile": "FROM scratch\n", **files})
        before = context_hash(ctx, ctx / "Dockerfile")
        (ctx / victim).write_text(files[victim] + "!")
        assert context_hash(ctx, ctx / "Dockerfile") != before


# -- pulumi-docker v4's own contextDigest (provider/provider.go, hashContext), and the staged copy ----


def test_the_provider_digest_ignores_dockerignored_files_and_the_dockerfiles_location(tmp_path: Path) -> None:
    # GIVEN the provider's own test cases (provider_test.go: TestHashIgnoresFile, ...DockerfileOutsideDirMove)
    base = make_context(tmp_path / "base", BASE)
    with_ignored = make_context(tmp_path / "ignored", {**BASE, ".dockerignore": "ignored.txt\n"})
    make_context(with_ignored, {"ignored.txt": "x"})
    outside = make_context(tmp_path / "outside", {"app/main.py": BASE["app/main.py"]})
    (tmp_path / "one.Dockerfile").write_text(BASE["Dockerfile"])
    (tmp_path / "two.Dockerfile").write_text(BASE["Dockerfile"])

    # THEN an ignored file changes nothing beyond the ignore file itself, and a Dockerfile's name or place does not count
    bare = make_context(tmp_path / "bare", {**BASE, ".dockerignore": "ignored.txt\n"})
    assert provider_context_digest(with_ignored, with_ignored / "Dockerfile") == provider_context_digest(
        bare, bare / "Dockerfile"
    )
    assert provider_context_digest(outside, tmp_path / "one.Dockerfile") == provider_context_digest(
        outside, tmp_path / "two.Dockerfile"
    )
    assert provider_context_digest(base, base / "Dockerfile") != provider_context_digest(bare, bare / "Dockerfile")


def test_the_provider_digest_counts_every_permission_bit_so_a_umask_changes_it(tmp_path: Path) -> None:
    # GIVEN two identical contexts, one checked out under umask 022 and one under umask 077
    loose = make_context(tmp_path / "loose", BASE)
    tight = make_context(tmp_path / "tight", BASE)
    for path in (loose / "Dockerfile", loose / "app/main.py"):
        os.chmod(path, 0o644)
    for path in (tight / "Dockerfile", tight / "app/main.py"):
        os.chmod(path, 0o600)

    # THEN pulumi-docker would rebuild (its digest differs) although the content is the same
    assert provider_context_digest(loose, loose / "Dockerfile") != provider_context_digest(tight, tight / "Dockerfile")
    assert go_file_mode(0o100644) == "-rw-r--r--" and go_file_mode(0o100600) == "-rw-------"
    assert go_file_mode(0) == "----------" and go_file_mode(0o040755) == "drwxr-xr-x"
    assert go_file_mode(0o120777) == "Lrwxrwxrwx" and go_file_mode(0o104755) == "urwxr-xr-x"


def test_staged_copies_of_two_checkouts_under_different_umasks_are_the_same_to_the_provider(tmp_path: Path) -> None:
    # GIVEN the same context checked out under umask 022 and under 077, with one executable script
    files = {**BASE, "bin/run.sh": "#!/bin/sh\n", ".dockerignore": "**/__pycache__\n"}
    loose = make_context(tmp_path / "a" / "loose", files)
    tight = make_context(tmp_path / "b" / "deeper" / "tight", files)
    make_context(tight, {"app/__pycache__/main.pyc": "junk"})
    for root, regular, executable in ((loose, 0o644, 0o755), (tight, 0o600, 0o700)):
        for path in root.rglob("*"):
            if path.is_file():
                os.chmod(path, executable if path.name == "run.sh" else regular)

    # WHEN each is staged into its own project
    one = stage_context(loose, loose / "Dockerfile", platform="linux/arm64", root=tmp_path / "p1" / ".build" / "images")
    two = stage_context(tight, tight / "Dockerfile", platform="linux/arm64", root=tmp_path / "p2" / ".build" / "images")

    # THEN both have the same tag, and the provider's own digest of the two staged trees agrees
    assert one.tag == two.tag
    staged_one, staged_two = (
        tmp_path / "p1" / ".build" / "images" / one.tag,
        tmp_path / "p2" / ".build" / "images" / two.tag,
    )
    digest = provider_context_digest(staged_one, staged_one / "Dockerfile")
    assert digest == provider_context_digest(staged_two, staged_two / "Dockerfile")
    # the copy keeps git's view of the modes and leaves out what .dockerignore leaves out
    assert (staged_one / "bin/run.sh").stat().st_mode & 0o777 == 0o755
    assert (staged_two / "app/main.py").stat().st_mode & 0o777 == 0o644
    assert not (staged_two / "app/__pycache__").exists()
    # and the tag covers the provider's digest: editing a kept file gives a new tag and a new staged tree
    (loose / "app/main.py").write_text("print('bye')\n")
    three = stage_context(
        loose, loose / "Dockerfile", platform="linux/arm64", root=tmp_path / "p1" / ".build" / "images"
    )
    assert three.tag != one.tag


def test_staging_twice_reuses_the_copy_and_paths_are_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a project (Pulumi.yaml) whose program runs in platform/, and an app below it
    project = tmp_path / "project"
    (project / "platform").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: p\nruntime: python\nmain: platform/\n")
    app = make_context(project / "apps" / "web", BASE)
    monkeypatch.chdir(project / "platform")

    # WHEN the context is staged twice
    first = stage_context(app, app / "Dockerfile")
    second = stage_context(app, app / "Dockerfile")

    # THEN the staged context is in the project's .build/images, named by its tag, given relative to platform/
    assert first == second
    assert first.context == f"../.build/images/{first.tag}"
    assert first.dockerfile == f"../.build/images/{first.tag}/Dockerfile"
    assert sorted(p.name for p in (project / ".build" / "images").iterdir()) == [first.tag]


def test_a_symlinked_directory_in_the_context_is_refused_with_the_fix(tmp_path: Path) -> None:
    ctx = make_context(tmp_path / "ctx", BASE)
    (ctx / "linked").symlink_to(ctx / "app", target_is_directory=True)

    with pytest.raises(
        StagingError, match=r"linked is a symlink to a directory; .*replace the link with the directory"
    ):
        stage_context(ctx, ctx / "Dockerfile", root=tmp_path / "staging")


def test_dockerfile_specific_ignore_files_win_over_the_contexts() -> None:
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / ".dockerignore").write_text("a\n")
        (root / "web.Dockerfile").write_text("FROM scratch\n")
        (root / "web.Dockerfile.dockerignore").write_text("\ufeff# own\n b \n")
        assert dockerignore_patterns(root, root / "web.Dockerfile") == ["b"]
        assert dockerignore_patterns(root) == ["a"]
