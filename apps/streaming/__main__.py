"""``python -m apps.streaming [--host H] [--port P] [--data-dir D] [--shutdown-timeout S]``: serve the API and the page.

Exit status: 0 after a clean shutdown, 2 for a bad argument or configuration (one message, no
traceback) or when the app's dependencies are not installed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

#: Seconds SIGTERM waits for in-flight requests (ECS gives a task 30 s between SIGTERM and SIGKILL).
DEFAULT_SHUTDOWN_TIMEOUT = 20


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number; use 1 to 65535, e.g. 8000") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is outside 1..65535; use a TCP port such as 8000")
    return port


def _seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds, e.g. 20") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; use 0 or more seconds, e.g. 20")
    return value


def data_dir_problem(directory: Path) -> str | None:
    """Why the app cannot keep its data in ``directory`` (created when missing), or None."""
    if directory.exists() and not directory.is_dir():
        return f"{directory} is not a directory; pass a directory (it is created when missing)"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"{directory} cannot be created ({exc.strerror}); pass a directory you can write to"
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        return f"{directory} is not writable ({exc.strerror}); pass a directory you can write to"
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m apps.streaming", description=__doc__)
    parser.add_argument(
        "--host",
        default=os.environ.get("HOST", "127.0.0.1"),
        help="Address to listen on (env HOST). Default: 127.0.0.1.",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=os.environ.get("PORT", "8000"),
        help="Port to listen on, 1 to 65535 (env PORT). Default: 8000.",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help="Where SQLite, local media and the JWT secret live (env DATA_DIR). Default: /tmp/streaming-data.",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=_seconds,
        default=os.environ.get("SHUTDOWN_TIMEOUT", str(DEFAULT_SHUTDOWN_TIMEOUT)),
        help="Seconds SIGTERM waits for in-flight requests before closing them (env SHUTDOWN_TIMEOUT). "
        f"Default: {DEFAULT_SHUTDOWN_TIMEOUT}.",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        import uvicorn

        from . import logs
        from .app import create_app
        from .config import DEFAULT_DATA_DIR, ConfigError, load_settings
    except ImportError as exc:
        print(
            f"error: the app needs {exc.name or 'its dependencies'!r}, which is not installed ({exc}); install "
            "them with `pip install -r apps/streaming/requirements.txt` (or `pip install -e '.[app]'`)",
            file=sys.stderr,
        )
        return 2
    problem = data_dir_problem(Path(args.data_dir or os.environ.get("DATA_DIR") or DEFAULT_DATA_DIR))
    if problem:
        print(f"configuration error: --data-dir {problem}", file=sys.stderr)
        return 2
    try:
        settings = load_settings(data_dir=args.data_dir)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=args.shutdown_timeout,
        timeout_keep_alive=65,  # longer than the ALB's 60 s idle timeout
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
