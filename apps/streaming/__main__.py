"""``python -m apps.streaming [--host H] [--port P] [--data-dir D]``: serve the API and the page."""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from . import logs
from .app import create_app
from .config import ConfigError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apps.streaming", description=__doc__)
    parser.add_argument(
        "--host",
        default=os.environ.get("HOST", "127.0.0.1"),
        help="Address to listen on (env HOST). Default: 127.0.0.1.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", "8000")),
        help="Port to listen on (env PORT). Default: 8000.",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help="Where SQLite, local media and the JWT secret live (env DATA_DIR). Default: /tmp/streaming-data.",
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings(data_dir=args.data_dir)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    app = create_app(settings, freeze_heap=True)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=20,
        timeout_keep_alive=65,  # longer than the ALB's 60 s idle timeout
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
