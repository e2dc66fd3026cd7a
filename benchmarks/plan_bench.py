"""Wall time and peak memory of the offline plan, per environment.

    python benchmarks/plan_bench.py [--repeat N] [ENV ...]

Each run is a fresh ``python -m stacks plan <env> --quiet`` subprocess (what a developer or CI
runs), so interpreter start-up and imports are included. Wall time is measured around the
subprocess with ``time.perf_counter``; peak memory is that child's own maximum resident set size
(``ru_maxrss`` of the ``struct rusage`` that ``os.wait4`` returns for it, the per-child form of
``resource.getrusage(RUSAGE_CHILDREN)``). Prints the min and
median of N repetitions (default 3) per environment.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENVS = ("dev", "staging", "prod")


def run_once(env: str) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one ``plan`` subprocess."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "stacks", "plan", env, "--quiet"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"plan {env} failed ({proc.returncode}): {err.strip()}")
    if proc.stderr:
        proc.stderr.close()
    # ru_maxrss is KiB on Linux (bytes on macOS)
    rss_mib = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return wall, rss_mib


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("envs", nargs="*", default=list(DEFAULT_ENVS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'env':<10}{'runs':>5}{'wall min':>11}{'wall median':>13}{'peak RSS min':>14}{'peak RSS median':>17}")
    for env in args.envs:
        runs = [run_once(env) for _ in range(args.repeat)]
        walls, rss = [w for w, _ in runs], [r for _, r in runs]
        print(
            f"{env:<10}{len(runs):>5}{min(walls):>10.2f}s{statistics.median(walls):>12.2f}s"
            f"{min(rss):>11.1f} MiB{statistics.median(rss):>14.1f} MiB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
