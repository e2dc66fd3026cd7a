"""The image's requirements and the package's `app` extra list the same dependencies."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_image_requirements_equal_the_app_extra() -> None:
    lines = (ROOT / "apps/streaming/requirements.txt").read_text().splitlines()
    image = sorted(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    extra = sorted(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["app"])

    assert image == extra
