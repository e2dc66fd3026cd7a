"""Issue 15, app start-up: a bad argument or a missing dependency is one message and exit 2, never a traceback.

A table of ``python -m apps.streaming`` command lines (item 3): ports outside 1..65535 (which were
logged as given and listened elsewhere), a ``--data-dir`` that is a file, cannot be created or is
not writable, a bad shutdown window, and the app's dependencies missing. Each exits 2 before the
app is built (no server, no data written) with a line naming the argument and the value.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from apps.streaming.__main__ import data_dir_problem
from tests.paths import REPO_ROOT

PY = sys.executable
NO_SITE = (
    PY,
    "-S",
    "-c",
    f"import sys, runpy; sys.path.insert(0, {str(REPO_ROOT)!r}); runpy.run_module('apps.streaming', run_name='__main__')",
)

#: (item, argv after the interpreter, extra environment, text of the message)
CASES: list[tuple[str, tuple[str, ...], dict[str, str], str]] = [
    ("3: a port above 65535", ("--port", "99999"), {}, "argument --port: 99999 is outside 1..65535"),
    ("3: a port that is not a number", ("--port", "http"), {}, "argument --port: 'http' is not a port number"),
    ("3: PORT in the environment is checked too", (), {"PORT": "0"}, "argument --port: 0 is outside 1..65535"),
    ("3: a data dir that is a file", ("--data-dir", "{file}"), {}, "--data-dir {file} is not a directory"),
    ("3: a data dir that cannot be created", ("--data-dir", "/proc/streaming-data"), {}, "cannot be created"),
    ("3: a data dir that is not writable", ("--data-dir", "/proc"), {}, "--data-dir /proc is not writable"),
    (
        "3: a negative shutdown window",
        ("--shutdown-timeout", "-1"),
        {},
        "argument --shutdown-timeout: -1 is negative",
    ),
]


@pytest.mark.parametrize(("item", "argv", "env", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_start_up_argument_exits_2_with_one_message_naming_it(
    tmp_path: Path, item: str, argv: tuple[str, ...], env: dict[str, str], expected: str
) -> None:
    # GIVEN a command line with one bad argument (and the JWT secret a real start needs)
    file = tmp_path / "not-a-dir"
    file.write_text("")
    args = [a.replace("{file}", str(file)) for a in argv]
    if "--data-dir" not in args:
        args += ["--data-dir", str(tmp_path / "data")]

    # WHEN the app is started
    result = subprocess.run(
        [PY, "-m", "apps.streaming", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "JWT_SECRET": "x" * 48, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )

    # THEN it exits 2 with the argument and value named, no traceback, and nothing written
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert expected.replace("{file}", str(file)) in result.stderr, result.stderr
    assert not (tmp_path / "data").exists()


def test_without_its_dependencies_the_app_says_what_to_install(tmp_path: Path) -> None:
    result = subprocess.run(
        [*NO_SITE, "--data-dir", str(tmp_path)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error: the app needs 'uvicorn', which is not installed" in result.stderr
    assert "pip install -r apps/streaming/requirements.txt" in result.stderr


def test_a_missing_data_dir_is_created(tmp_path: Path) -> None:
    assert data_dir_problem(tmp_path / "new" / "data") is None
    assert (tmp_path / "new" / "data").is_dir()
