"""JSON logs on stdout, each line carrying the current request id."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
import threading
import time
from json.encoder import encode_basestring_ascii as _json_str  # C, what json.dumps uses for strings
from typing import TextIO

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class AccessLog:
    """The access log: one JSON line per request, written without the logging machinery.

    The line is the one `JsonFormatter` writes for ``streaming.access`` (same keys, same order),
    built from a pre-rendered prefix and the request's few values: no ``LogRecord``, no dict, no
    ``datetime`` per request (the timestamp's seconds are rendered once a second), which cost
    10–25% of a cached request's time. Until `configure` installs the JSON handler (tests with
    an in-process client, say), lines go through ``logging`` as before.
    """

    _PREFIX = '", "level": "info", "logger": "streaming.access", "message": "request", "request_id": "'

    def __init__(self) -> None:
        self.logger = logging.getLogger("streaming.access")
        self.stream: TextIO | None = None
        self.lock: threading.RLock | None = None
        self._second = -1
        self._second_text = ""

    def attach(self, stream: TextIO | None, lock: threading.RLock | None) -> None:
        self.stream, self.lock = stream, lock

    def timestamp(self, now: float) -> str:
        """``2026-12-04T01:45:56.123+00:00``, as ``JsonFormatter`` renders ``record.created``."""
        second = int(now)
        if second != self._second:
            self._second_text = dt.datetime.fromtimestamp(second, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = second
        return f"{self._second_text}.{int((now - second) * 1000):03d}+00:00"

    def line(self, request_id: str, method: str, path: str, status: int, duration_ms: float, client: str) -> str:
        # request_id is a uuid hex or matched [A-Za-z0-9._-]{1,128}: nothing to escape
        return (
            f'{{"time": "{self.timestamp(time.time())}{self._PREFIX}{request_id}", "method": {_json_str(method)}, '
            f'"path": {_json_str(path)}, "status": {status}, "duration_ms": {duration_ms}, '
            f'"client": {_json_str(client)}}}\n'
        )

    def write(self, request_id: str, method: str, path: str, status: int, duration_ms: float, client: str) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        stream, lock = self.stream, self.lock
        if stream is None or lock is None:
            extra = {"method": method, "path": path, "status": status, "duration_ms": duration_ms, "client": client}
            self.logger.info("request", extra=extra)
            return
        text = self.line(request_id, method, path, status, duration_ms, client)
        with lock:
            stream.write(text)
            stream.flush()


access_log = AccessLog()


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    access_log.attach(handler.stream, handler.lock)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
