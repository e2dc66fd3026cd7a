"""The uncached title list against a real PostgreSQL: its query plans and its time per call.

    python benchmarks/title_list_plan.py [--titles 20000]

Starts a private PostgreSQL (Debian's ``initdb``/``pg_ctl``, on 127.0.0.1, in a temporary
directory), migrates it with the app's own migrations, loads N synthetic titles (1–3 genres
each), and prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the list's first page as the app runs it
(``apps.streaming.catalog.search``: the page and its total in one statement), with and without
the ``ix_titles_rating_id`` index (migration 0002), then the mean time of ``search`` per call.
A script that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from apps.streaming.catalog import _search_statements, search  # noqa: E402
from apps.streaming.db import migrate, title_genres, titles  # noqa: E402

GENRES = ("documentary", "nature", "drama", "comedy", "science", "travel", "music", "history")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def postgres() -> Iterator[str]:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise SystemExit("PostgreSQL is not installed (Debian package `postgresql`)")
    bindir = Path(candidates[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="title-plan-pg-"))
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    data = root / "data"
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off"
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "bench", "--auth=trust", "--no-sync"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "start", "-o", options],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://bench@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], check=False)
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(18)  # noqa: S311 (deterministic synthetic data, not secrets)
    with postgres() as url:
        engine = create_engine(url)
        migrate(engine)
        import datetime as dt

        now = dt.datetime.now(dt.UTC)
        rows = [
            {
                "id": f"t{i:06d}",
                "title": f"Title {i}",
                "title_lower": f"title {i}",
                "year": 1950 + i % 75,
                "rating": round(rng.uniform(0, 10), 1),
                "duration_seconds": 60 + i % 7200,
                "poster": "/posters/x.svg",
                "media_key": "seed/x.webm",
                "description": "",
                "created_at": now,
            }
            for i in range(args.titles)
        ]
        genres = [{"title_id": r["id"], "genre": g} for r in rows for g in rng.sample(GENRES, rng.randint(1, 3))]
        with engine.begin() as conn:
            conn.execute(insert(titles), rows)
            conn.execute(insert(title_genres), genres)
            conn.execute(text("ANALYZE"))
        page, total = _search_statements(False, False)
        with engine.connect() as conn:
            queries = [
                str(s.params(limit=20, offset=0).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                for s in (page, total)
            ]
            # what the app used to send for the total and page together, for comparison
            window = queries[0].replace(" \nFROM titles", ", count(*) OVER () AS total \nFROM titles")
            print(f"{args.titles} titles, {len(genres)} genre rows; the list's first page and its total")
            for label, drop in (("with ix_titles_rating_id", False), ("without it (before migration 0002)", True)):
                if drop:
                    conn.execute(text("DROP INDEX ix_titles_rating_id"))
                print(f"\n-- {label}")
                for name, sql in (("page", queries[0]), ("total", queries[1]), ("page + count(*) OVER ()", window)):
                    plan = conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")).scalars().all()
                    print(f"{name}: {' '.join(sql.split())}")
                    print("\n".join("    " + line for line in plan))
                started = time.perf_counter()
                for _ in range(args.calls):
                    search(conn, "", None, 20, 0)
                per_call = (time.perf_counter() - started) / args.calls * 1000
                print(f"search(), first page: {per_call:.2f} ms per call (mean of {args.calls})\n")
            conn.rollback()
        engine.dispose()


if __name__ == "__main__":
    main()
