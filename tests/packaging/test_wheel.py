"""Integration test: the wheel (``pip wheel --no-deps .``) holds every file the code reads, and works installed.

One wheel is built and installed, with its dependencies, into one fresh venv for the whole module.
The wheel is built from a copy of the checkout without what git ignores (``build/``, ``*.egg-info``,
caches): setuptools reuses an in-tree ``build/lib``, so a stale one could hand the wheel files the
project no longer declares, and this test would then pass for the wrong reason.
"""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.packaging import PIP_TIMEOUT, check, make_venv, pip_install, run
from tests.paths import REPO_ROOT

pytestmark = pytest.mark.integration

#: The packages the wheel installs (pyproject's packages.find).
PACKAGES = ("apps", "components", "insight", "policies", "stacks")

#: Files the code reads at run time, named one by one (the glob check below finds the rest).
DATA_FILES = (
    "components/py.typed",
    "insight/prices/aws.json",
    "insight/prices/usage-default.yaml",
    "policies/PulumiPolicy.yaml",
    "policies/requirements.txt",
    "policies/config/dev.json",
    "policies/config/staging.json",
    "policies/config/prod.json",
    "policies/rules/taggable_types.txt",
    "apps/streaming/Dockerfile",
    "apps/streaming/.dockerignore",
    "apps/streaming/requirements.txt",
    "apps/streaming/web/index.html",
    "apps/streaming/web/app.css",
    "apps/streaming/web/app.js",
    "apps/streaming/web/posters/ocean.svg",
    "apps/streaming/seed/catalog.json",
    "apps/streaming/seed/media/ocean.webm",
    "apps/streaming/migrations/env.py",
    "apps/streaming/migrations/script.py.mako",
    "apps/streaming/migrations/versions/0001_initial.py",
    "apps/streaming/migrations/versions/0002_admin_role_and_token_version.py",
    "apps/streaming/migrations/versions/0003_titles_rating_index.py",
)

#: What the repository's .gitignore keeps out of a checkout, and git's own directory.
_IGNORED = shutil.ignore_patterns(
    ".git",
    "__pycache__",
    "*.py[cod]",
    "*.egg-info",
    ".venv",
    "venv",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".import_linter_cache",
    ".grimp_cache",
    "*.plan.json",
)


def _not_in_a_checkout(directory: str, names: list[str]) -> set[str]:
    ignored = set(_IGNORED(directory, names))
    if Path(directory) == REPO_ROOT:
        ignored |= {"build", "dist"} & set(names)
    return ignored


@dataclass(frozen=True)
class Build:
    source: Path
    """The copy of the checkout the wheel was built from."""
    wheel: Path

    def names(self) -> set[str]:
        with zipfile.ZipFile(self.wheel) as archive:
            return set(archive.namelist())


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(REPO_ROOT, source, ignore=_not_in_a_checkout)
    dist = root / "dist"
    check([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, "."], cwd=source, timeout=PIP_TIMEOUT)
    wheels = sorted(dist.glob("*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {dist}, got {wheels}"
    return Build(source, wheels[0])


@pytest.fixture(scope="module")
def python(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The interpreter of a fresh venv with the wheel and its dependencies installed (removed afterwards:
    it holds every Pulumi provider, some 400 MB)."""
    root = tmp_path_factory.mktemp("venv")
    python = make_venv(root / "venv")
    pip_install(python, build.wheel, cwd=root)
    yield python
    shutil.rmtree(root / "venv", ignore_errors=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Pulumi project outside the checkout holding only what a user's project needs to run the library."""
    project = tmp_path_factory.mktemp("project")
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "platform/__main__.py"):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / name, project / name)
    return project


def _outside_the_checkout(path: Path) -> None:
    assert not path.resolve().is_relative_to(REPO_ROOT), f"{path} must be outside the checkout {REPO_ROOT}"


def test_the_wheel_holds_every_data_file_the_code_reads_and_no_tests_and_no_platform_program(build: Build) -> None:
    # GIVEN the wheel built from the checkout
    names = build.names()

    # THEN every file the code reads at run time is in it
    missing = [name for name in DATA_FILES if name not in names]
    assert not missing, f"package-data in pyproject.toml misses {missing}"
    # AND so is every file of the packages' directories (modules, web assets, posters, seed media, ...)
    files = sorted(
        p.relative_to(build.source).as_posix()
        for package in PACKAGES
        for p in (build.source / package).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    assert len(files) > len(DATA_FILES)
    missing = [name for name in files if name not in names]
    assert not missing, f"the wheel lacks files of the packages (add them to package-data): {missing}"

    # AND nothing else: no tests, no Pulumi program directory, no bytecode
    top = {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}
    assert top == set(PACKAGES)
    assert not [name for name in names if name.startswith(("tests/", "platform/"))]
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    (top_level,) = [name for name in names if name.endswith(".dist-info/top_level.txt")]
    with zipfile.ZipFile(build.wheel) as archive:
        assert archive.read(top_level).decode().split() == sorted(PACKAGES)


def test_the_installed_wheel_is_what_imports_in_the_venv(python: Path, project: Path) -> None:
    # GIVEN the venv with the wheel installed, and a working directory outside the checkout
    _outside_the_checkout(project)

    # WHEN the library's public API is imported there
    result = check(
        [python, "-c", "from components import Vpc, VpcArgs; import components, sys; print(components.__file__)"],
        cwd=project,
    )

    # THEN it comes from the venv's site-packages, not from the checkout
    imported = Path(result.stdout.strip()).resolve()
    venv = python.parent.parent.resolve()
    assert imported.is_relative_to(venv), f"components imported from {imported}, not from the venv {venv}"
    _outside_the_checkout(imported)


def test_plan_runs_from_the_installed_wheel_in_a_project_outside_the_checkout(python: Path, project: Path) -> None:
    # GIVEN a project holding only Pulumi.yaml, Pulumi.dev.yaml and platform/__main__.py
    _outside_the_checkout(project)

    # WHEN the user plans dev there with the venv's interpreter
    result = run([python, "-m", "stacks", "plan", "dev"], cwd=project)

    # THEN the plan tree is printed
    assert result.returncode == 0, result.stderr
    assert "aws:ec2/vpc:Vpc" in result.stdout
    assert "streaming-net-vpc" in result.stdout


def test_plan_with_cwd_runs_the_project_from_another_directory(
    python: Path, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # GIVEN a directory that is not the project, outside the checkout
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    _outside_the_checkout(elsewhere)

    # WHEN the user points the CLI at the project with --cwd
    result = run([python, "-m", "stacks", "--cwd", project, "plan", "dev"], cwd=elsewhere)

    # THEN it plans that project
    assert result.returncode == 0, result.stderr
    assert "aws:ec2/vpc:Vpc" in result.stdout
    assert "streaming-net-vpc" in result.stdout


def test_plan_outside_any_project_exits_2_with_one_line_naming_pulumi_yaml_and_cwd(
    python: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # GIVEN an empty directory with no Pulumi.yaml in it or above it
    empty = tmp_path_factory.mktemp("empty")
    assert not [d for d in (empty, *empty.parents) if (d / "Pulumi.yaml").exists()]

    # WHEN the user plans there
    result = run([python, "-m", "stacks", "plan", "dev"], cwd=empty)

    # THEN one line says what is missing and how to fix it, without a traceback
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Pulumi.yaml" in lines[0] and "--cwd" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_check_prices_the_project_from_the_installed_wheel(python: Path, project: Path) -> None:
    # GIVEN the project outside the checkout
    # WHEN the user runs the main job there
    result = run([python, "-m", "stacks", "check", "dev"], cwd=project)

    # THEN it passes and prints the monthly cost (the price table and policy configs came from the wheel)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Monthly cost of dev: $" in result.stdout


def test_the_console_script_is_installed(python: Path, project: Path) -> None:
    # GIVEN the venv's streaming-platform command (the wheel's entry point)
    script = python.parent / "streaming-platform"

    # WHEN asked for help THEN it lists the CLI's commands
    result = check([script, "--help"], cwd=project)
    assert "plan" in result.stdout and "check" in result.stdout


def _image_name(python: Path, project: Path, *, pythonpath: Path | None = None) -> str:
    """The tag the plan of ``project`` gives the app's image: a hash of its whole build context."""
    env = {"PYTHONPATH": str(pythonpath)} if pythonpath is not None else None
    plan = check([python, "-m", "stacks", "plan", "dev", "--json", "-"], cwd=project, env=env)
    (image,) = [r for r in json.loads(plan.stdout)["resources"] if r["type"] == "docker:index/image:Image"]
    return str(image["inputs"]["imageName"])


def test_the_wheel_bundles_the_same_image_build_context_as_the_checkout(
    python: Path, project: Path, build: Build
) -> None:
    # GIVEN the project planned once with the installed wheel, once with the checkout it was built from
    installed = _image_name(python, project)
    checkout = _image_name(Path(sys.executable), project, pythonpath=build.source)

    # WHEN the image tags (hashes of Dockerfile, app code, web/, seed/, migrations/, ...) are compared
    # THEN they are equal: the wheel ships the whole build context, so moving to it rebuilds nothing
    assert installed.rsplit(":", 1)[-1].startswith("ctx-"), installed
    assert installed == checkout
