"""The offline plan against its floor: each environment, ``--all``, and the import floor, in one run.

    python benchmarks/plan_bench.py [--repeat N] [ENV ...]

Every measurement is a fresh subprocess (what a developer or CI runs), so interpreter start-up and
imports are included:

* ``floor``: a process that only imports what ``check --all`` ends up importing (the module list is
  recorded from a real ``check --all`` run in this same benchmark, then imported in the same
  order) and exits the way the CLI does (``os._exit``). Nothing the command does can be faster.
  It is measured twice: with the interpreter's default collector thresholds (``floor``) and with
  the thresholds the CLI sets (``floor, CLI gc``), so the ratio cannot flatter the CLI's own tuning.
* ``check ENV`` for each environment, ``check --all`` and ``plan --all --quiet``.

Wall time is measured around the subprocess with ``time.perf_counter``; CPU is the child's
user + system time and peak memory its maximum resident set size, both from the ``struct rusage``
``os.wait4`` returns for it. Prints the min and median of N repetitions (default 3), then the
ratios of the minima to the floor: wall (what a user waits) and CPU (steadier on a busy machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENVS = ("dev", "staging", "prod")

# Runs ``check --all`` in-process and prints the modules it loaded, in the order they were loaded.
_RECORD_MODULES = """
import contextlib, io, json, os, sys
from stacks.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["check", "--all"])
names = [n for n in sys.modules if n != "__main__"]
sys.stdout.write(json.dumps({"code": code, "modules": names}))
sys.stdout.flush()
os._exit(0)
"""

# Imports the given modules (a JSON list on stdin) and nothing else; optional gc thresholds first.
_IMPORT_ONLY = """
import gc, importlib, json, os, sys
if len(sys.argv) > 1:
    gc.set_threshold(*map(int, sys.argv[1:]))
names = json.loads(sys.stdin.read())
for name in names:
    if name not in sys.modules:
        try:
            importlib.import_module(name)
        except Exception:  # a module only importable in its own context (none expected); skipped
            pass
os._exit(0)
"""


def cli_gc_thresholds() -> tuple[int, ...]:
    """The thresholds ``python -m stacks`` sets (read from the CLI's entry point, not copied)."""
    text = (REPO_ROOT / "stacks" / "__main__.py").read_text()
    marker = "gc.set_threshold("
    start = text.index(marker) + len(marker)
    return tuple(int(part.strip().replace("_", "")) for part in text[start : text.index(")", start)].split(","))


def measure(argv: list[str], stdin: bytes | None = None) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MiB) of one subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if stdin is not None and proc.stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if code != 0:
        raise SystemExit(f"{' '.join(argv[1:])} failed ({code}): {err.strip()}")
    rss_mib = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return wall, usage.ru_utime + usage.ru_stime, rss_mib


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("envs", nargs="*", default=list(DEFAULT_ENVS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    recorded = subprocess.run(
        [sys.executable, "-c", _RECORD_MODULES], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if recorded.returncode != 0:
        raise SystemExit(f"recording the imports of check --all failed: {recorded.stderr.strip()}")
    modules = json.loads(recorded.stdout)["modules"]
    modules_json = json.dumps(modules).encode()
    thresholds = cli_gc_thresholds()

    cases: list[tuple[str, list[str], bytes | None]] = [
        ("floor", [sys.executable, "-c", _IMPORT_ONLY], modules_json),
        ("floor, CLI gc", [sys.executable, "-c", _IMPORT_ONLY, *map(str, thresholds)], modules_json),
        *((f"check {env}", [sys.executable, "-m", "stacks", "check", env], None) for env in args.envs),
        ("check --all", [sys.executable, "-m", "stacks", "check", "--all"], None),
        ("plan --all", [sys.executable, "-m", "stacks", "plan", "--all", "--quiet"], None),
    ]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"floor: {len(modules)} modules (what check --all loads); CLI gc thresholds {thresholds}")
    print()
    print(f"{'case':<16}{'runs':>5}{'wall min':>10}{'wall med':>10}{'CPU min':>10}{'CPU med':>10}{'peak RSS':>11}")
    results: dict[str, tuple[float, float]] = {}
    # Interleave the repetitions so that a burst of load on a shared machine hits every case alike.
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _, _ in cases}
    for _ in range(args.repeat):
        for name, command, stdin in cases:
            samples[name].append(measure(command, stdin))
    for name, _, _ in cases:
        runs = samples[name]
        walls, cpus, rss = [r[0] for r in runs], [r[1] for r in runs], [r[2] for r in runs]
        results[name] = (min(walls), min(cpus))
        print(
            f"{name:<16}{len(runs):>5}{min(walls):>9.2f}s{statistics.median(walls):>9.2f}s"
            f"{min(cpus):>9.2f}s{statistics.median(cpus):>9.2f}s{statistics.median(rss):>7.0f} MiB"
        )
    floor_wall, floor_cpu = results["floor"]
    tuned_wall, tuned_cpu = results["floor, CLI gc"]
    print()
    print(f"{'ratio to the floor':<20}{'wall':>8}{'CPU':>8}{'wall, CLI-gc floor':>20}{'CPU, CLI-gc floor':>19}")
    for name, (wall, cpu) in results.items():
        if name.startswith("floor"):
            continue
        print(
            f"{name:<20}{wall / floor_wall:>7.2f}x{cpu / floor_cpu:>7.2f}x"
            f"{wall / tuned_wall:>19.2f}x{cpu / tuned_cpu:>18.2f}x"
        )
    separate = sum(results[f"check {env}"][0] for env in args.envs)
    print()
    print(
        f"check of {len(args.envs)} environments one by one: {separate:.2f}s wall; "
        f"check --all: {results['check --all'][0]:.2f}s ({results['check --all'][0] / separate:.2f}x); "
        f"target check --all <= 1.5x the floor"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
