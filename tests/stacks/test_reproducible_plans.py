"""Plans do not depend on where the checkout lives or on the umask it was made under.

A ``pulumi up`` from CI after one from a laptop must send the same inputs, or pulumi-docker
rebuilds and pushes an existing tag into the IMMUTABLE repository (issue 13, item 1).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO_ROOT

ENVS = ("dev", "prod")


def _checkout_files() -> list[tuple[str, bool]]:
    """The checkout's files as git sees them (tracked and not ignored), with git's executable bit."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    files = []
    for rel in sorted(set(filter(None, listed.split("\0")))):
        path = REPO_ROOT / rel
        if path.is_file() and not path.is_symlink():
            files.append((rel, bool(path.stat().st_mode & 0o100)))
    return files


def _clone(destination: Path, regular: int, executable: int) -> Path:
    """A copy of the checkout at ``destination`` whose files have the given modes (a umask's result)."""
    for rel, is_executable in _checkout_files():
        target = destination / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / rel, target)
        os.chmod(target, executable if is_executable else regular)
    for directory in [destination, *(p for p in destination.rglob("*") if p.is_dir())]:
        os.chmod(directory, executable)
    return destination


def _plan(checkout: Path, env: str, out: Path, umask: int) -> bytes:
    def set_umask() -> None:
        os.umask(umask)

    result = subprocess.run(
        [sys.executable, "-m", "stacks", "plan", env, "--quiet", "--json", str(out)],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=set_umask,  # a single-threaded child: only the umask changes
    )
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


@pytest.fixture(scope="module")
def clones(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    # GIVEN two clones at different paths: one made under umask 022 (files 0644, scripts 0755) and
    # one under umask 077 (files 0600, scripts 0700), the executable bits as git has them
    base = tmp_path_factory.mktemp("clones")
    loose = _clone(base / "laptop" / "streaming", 0o644, 0o755)
    tight = _clone(base / "ci" / "runner" / "work" / "checkout", 0o600, 0o700)
    return loose, tight


@pytest.mark.parametrize("env", ENVS)
def test_plans_from_two_clones_at_different_paths_and_umasks_are_byte_identical(
    clones: tuple[Path, Path], env: str, tmp_path: Path
) -> None:
    loose, tight = clones

    # WHEN each plans the environment from its own directory, under its own umask
    first = _plan(loose, env, tmp_path / "loose.json", 0o022)
    second = _plan(tight, env, tmp_path / "tight.json", 0o077)

    # THEN the plan documents are byte-identical, and neither mentions where its checkout lives
    assert first == second
    for checkout in (loose, tight):
        assert str(checkout).encode() not in first
        assert str(checkout.resolve()).encode() not in first
    # and the image is built from a staged context inside the project, given relative to platform/
    assert b'"context": "../.build/images/ctx-' in first
    staged = sorted(p.name for p in (tight / ".build" / "images").iterdir())
    assert staged and all(name.startswith("ctx-") for name in staged)
