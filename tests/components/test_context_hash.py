"""The build-context hash that names immutable image tags."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from components._context_hash import IgnoreRules, context_hash, context_tag, dockerignore_patterns


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


def test_an_exception_in_dockerignore_makes_the_hash_include_everything(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, {**BASE, ".dockerignore": "*.md\n!README.md\n"})
    before = context_hash(ctx, ctx / "Dockerfile")
    make_context(ctx, {"NOTES.md": "x"})
    assert context_hash(ctx, ctx / "Dockerfile") != before


def test_the_hash_does_not_depend_on_where_the_context_lives(tmp_path: Path) -> None:
    one = make_context(tmp_path / "one", BASE)
    two = make_context(tmp_path / "elsewhere" / "two", BASE)
    assert context_hash(one, one / "Dockerfile") == context_hash(two, two / "Dockerfile")


def test_a_dockerfile_outside_the_context_is_hashed_by_name_and_content(tmp_path: Path) -> None:
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
