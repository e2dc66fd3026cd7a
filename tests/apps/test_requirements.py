"""The image's dependencies: requirements.in (ranges) equals the package's `app` extra, and
requirements.txt, which the Dockerfile installs, locks every package to one version and its hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "apps/streaming"
_PIN = re.compile(r"^([a-z0-9][a-z0-9._-]*)==([^\s;\\]+)( ; [^\\]+)?")


def _requirements(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def _locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from the pip-compile output."""
    locked: dict[str, tuple[str, list[str]]] = {}
    current = ""
    for line in (APP / "requirements.txt").read_text().splitlines():
        if match := _PIN.match(line):
            current = match.group(1)
            locked[current] = (match.group(2), [])
        elif line.strip().startswith("--hash=sha256:"):
            locked[current][1].append(line.strip().removeprefix("--hash=sha256:").rstrip(" \\"))
        else:
            assert not line.strip() or line.lstrip().startswith("#"), f"unexpected line in requirements.txt: {line!r}"
    return locked


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_image_requirement_ranges_equal_the_app_extra() -> None:
    image = sorted(_requirements(APP / "requirements.in"))
    extra = sorted(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["app"])
    assert image == extra


def test_the_lock_pins_every_package_with_hashes_and_covers_every_direct_requirement() -> None:
    locked = _locked()
    assert locked, "requirements.txt holds no pinned requirement"
    for name, (version, hashes) in locked.items():
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), (name, version)
    direct = {_name(r) for r in _requirements(APP / "requirements.in")}
    assert direct <= set(locked), sorted(direct - set(locked))


def test_the_lock_is_universal_so_older_pythons_get_their_extra_dependencies() -> None:
    # redis needs async-timeout below Python 3.11.3 (Debian bookworm's python3 is 3.11.2)
    text = (APP / "requirements.txt").read_text()
    assert "async-timeout==" in text and "python_full_version < '3.11.3'" in text
    assert "--universal" in text


def test_uvicorn_comes_without_the_standard_extras() -> None:
    # watchfiles (reload), websockets, python-dotenv, httptools and uvloop are not used by the app
    locked = _locked()
    assert not {"watchfiles", "websockets", "python-dotenv", "httptools", "uvloop", "pyyaml"} & set(locked)
    assert "uvicorn[" not in (APP / "requirements.in").read_text()


def test_the_dockerfile_pins_its_base_by_digest_and_installs_only_hashed_requirements() -> None:
    dockerfile = (APP / "Dockerfile").read_text()
    base = re.search(r"^ARG BASE_IMAGE=(\S+)$", dockerfile, re.MULTILINE)
    assert base and re.fullmatch(r"[^@\s]+:[\w.-]+@sha256:[0-9a-f]{64}", base.group(1)), base
    install = re.search(r"pip install ([^\n]*\\\n)*[^\n]*", dockerfile)
    assert install, "no pip install in the Dockerfile"
    for flag in ("--require-hashes", "--no-deps", "--only-binary=:all:", "-r /tmp/requirements.txt"):
        assert flag in install.group(0), flag
