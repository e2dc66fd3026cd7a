"""``python -m apps.streaming [--host H] [--port P] [--data-dir D] [--shutdown-timeout S]``: serve the API and the page.

``python -m apps.streaming migrate``: the migration step (schema, the service's database role, seed);
``python -m apps.streaming provision-roles``: only the role (after a service password rotation);
``python -m apps.streaming grant-admin EMAIL`` / ``revoke-admin EMAIL``: set the admin role of an
existing account (the only way to get it), with the same configuration as the server.

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


def admin_command(argv: list[str]) -> int:
    """``grant-admin EMAIL`` or ``revoke-admin EMAIL``: exit 0 when done, 1 without such an account, 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog=f"python -m apps.streaming {argv[0]}",
        description="Grant or revoke the admin role of an existing account (it applies to its tokens at once).",
    )
    parser.add_argument("email", help="The account's email (it must have registered first).")
    parser.add_argument("--data-dir", default=None, help="As for the server (env DATA_DIR).")
    args = parser.parse_args(argv[1:])
    from .config import ConfigError, load_settings

    try:
        settings = load_settings(data_dir=args.data_dir)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    from .accounts import set_admin
    from .db import make_engine, migrate

    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        granted = argv[0] == "grant-admin"
        if not set_admin(engine, args.email, granted):
            print(
                f"no account with email {args.email.strip().lower()!r}: the user must register first, then run "
                f"`python -m apps.streaming {argv[0]} EMAIL` again.",
                file=sys.stderr,
            )
            return 1
    finally:
        engine.dispose()
    print(f"{args.email.strip().lower()}: admin role {'granted' if granted else 'revoked'}.")
    return 0


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
    args_list = sys.argv[1:] if argv is None else argv
    if args_list and args_list[0] in ("migrate", "provision-roles"):
        from .migrate_command import run

        return run(args_list[0], args_list[1:])
    if args_list and args_list[0] in ("grant-admin", "revoke-admin"):
        return admin_command(args_list)
    args = _parser().parse_args(args_list)
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
    app = create_app(settings, freeze_heap=True)
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
        # h11 would answer a bare 400 past 16 KiB; let HeaderLimitMiddleware give the JSON 431 instead.
        h11_max_incomplete_event_size=64 * 1024,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
