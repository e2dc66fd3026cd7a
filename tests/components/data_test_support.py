"""Test helpers shared by the Postgres and Cache tests (not a test module)."""

from __future__ import annotations

import ast
import inspect


def field_docstrings(cls: type) -> dict[str, str]:
    """``{field: docstring}`` for each annotated field of ``cls`` followed by a string literal."""
    body = ast.parse(inspect.getsource(cls)).body[0]
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    for stmt, after in zip(body.body, body.body[1:], strict=False):
        if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)):
            docs[stmt.target.id] = str(after.value.value)
    return docs
