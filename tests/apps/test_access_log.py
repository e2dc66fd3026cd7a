"""The access log's pre-built JSON line (issue 18) is the line the JSON formatter writes."""

from __future__ import annotations

import io
import json
import logging
import threading

from apps.streaming.logs import AccessLog, JsonFormatter, request_id_var


def test_the_pre_built_line_equals_the_formatters_line_key_for_key_and_in_the_same_order() -> None:
    # GIVEN the access log writing to a stream, and the formatter's line for the same request
    stream = io.StringIO()
    log = AccessLog()
    log.attach(stream, threading.RLock())
    path = '/api/catalog/titles/a"b\\c/ünïcode'
    level = log.logger.level
    log.logger.setLevel(logging.INFO)
    try:
        log.write("req-1.a_b", "GET", path, 404, 1.25, "10.0.0.7")
    finally:
        log.logger.setLevel(level)
    written = stream.getvalue()
    entry = json.loads(written)
    record = logging.makeLogRecord({"name": "streaming.access", "levelname": "INFO", "msg": "request"})
    record.__dict__.update(method="GET", path=path, status=404, duration_ms=1.25, client="10.0.0.7")
    token = request_id_var.set("req-1.a_b")
    try:
        expected = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)

    # THEN it is one line, with the same keys in the same order and the same values (but the time)
    assert written.endswith("}\n") and written.count("\n") == 1
    assert list(entry) == list(expected)
    assert {k: v for k, v in entry.items() if k != "time"} == {k: v for k, v in expected.items() if k != "time"}
    assert entry["path"] == path
    # and the time is rendered as the formatter renders it: ISO 8601, milliseconds, UTC offset
    assert len(entry["time"]) == len("2026-12-04T01:45:56.123+00:00") and entry["time"].endswith("+00:00")


def test_the_access_log_respects_the_level_and_falls_back_to_logging_until_configured() -> None:
    log = AccessLog()
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    log.logger.addHandler(handler)
    level = log.logger.level
    try:
        log.logger.setLevel(logging.INFO)
        log.write("r1", "GET", "/x", 200, 0.5, "127.0.0.1")  # not attached: through logging
        log.logger.setLevel(logging.WARNING)
        log.write("r2", "GET", "/y", 200, 0.5, "127.0.0.1")  # below the level: nothing
    finally:
        log.logger.removeHandler(handler)
        log.logger.setLevel(level)

    assert [(r.getMessage(), r.__dict__["path"], r.__dict__["status"]) for r in records] == [("request", "/x", 200)]
