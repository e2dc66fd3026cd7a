"""Integration tests of the packaging: the wheel, installed in a fresh venv, and the policy pack's own venv.

They build a wheel and create virtualenvs (``pip install`` from the package index or its cache), so
they take tens of seconds, not milliseconds. Every process they start in a venv runs outside the
checkout with an environment that has no ``PYTHONPATH`` (`clean_env`), so only what the venv
installed can be imported; nothing may leak in from the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

#: Generous upper bounds against a hung process, never assertions about speed.
PIP_TIMEOUT = 1200
RUN_TIMEOUT = 300


def clean_env() -> dict[str, str]:
    """This process's environment without what could put the checkout (or another venv) on sys.path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


def run(
    args: Sequence[str | Path],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = RUN_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` in ``cwd`` with `clean_env` (plus ``env``), capturing text output; the caller checks it."""
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**clean_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def check(
    args: Sequence[str | Path],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = RUN_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """`run`, failing with the command's output when it exits non-zero."""
    result = run(args, cwd=cwd, env=env, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(str(a) for a in args)} exited {result.returncode}:\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def make_venv(path: Path) -> Path:
    """A fresh venv at ``path`` (no system site-packages) made by the interpreter running the tests;
    returns its ``python``."""
    check([sys.executable, "-m", "venv", path], cwd=path.parent)
    python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    assert python.is_file(), f"the venv at {path} has no interpreter"
    return python


def pip_install(python: Path, *requirements: str | Path, cwd: Path) -> None:
    """``pip install`` into the venv of ``python`` (dependencies from the package index or pip's cache)."""
    check([python, "-m", "pip", "install", "--no-input", *requirements], cwd=cwd, timeout=PIP_TIMEOUT)
