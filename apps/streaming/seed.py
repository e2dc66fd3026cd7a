"""The seed catalog, loaded into an empty database on first start."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from .catalog import insert_title
from .config import SEED_DIR
from .db import titles

log = logging.getLogger("streaming.seed")


def seed_titles() -> list[dict[str, Any]]:
    data: dict[str, list[dict[str, Any]]] = json.loads((SEED_DIR / "catalog.json").read_text())
    return data["titles"]


def load_seed(engine: Engine) -> int:
    """Insert the seed titles if the catalog is empty; returns how many were inserted."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7240302)"))
        if conn.execute(select(func.count()).select_from(titles)).scalar_one():
            return 0
        items = seed_titles()
        for item in items:
            insert_title(conn, item)
    log.info("seeded catalog", extra={"titles": len(items)})
    return len(items)
