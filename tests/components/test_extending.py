"""docs/extending.md stays true: its transforms example changes exactly one child's property."""

from __future__ import annotations

import re

from stacks.offline.mocks import run_program
from tests.paths import REPO_ROOT

DOC = REPO_ROOT / "docs" / "extending.md"


def _example(marker: str) -> str:
    text = DOC.read_text()
    found = re.search(rf"<!-- example: {marker} -->\n```python\n(.*?)```", text, re.DOTALL)
    assert found, f"docs/extending.md has no `{marker}` example"
    return found[1]


def test_the_documented_transform_moves_the_backup_window_and_nothing_else() -> None:
    # GIVEN the example program of docs/extending.md, and the same program without its transform
    code = _example("transforms")
    plain = code.replace("pulumi.ResourceOptions(transforms=[night_backups])", "None")
    assert plain != code

    with_transform = run_program(lambda: exec(compile(code, str(DOC), "exec"), {}))  # noqa: S102 (our own doc)
    without = run_program(lambda: exec(compile(plain, str(DOC), "exec"), {}))  # noqa: S102

    # THEN the database's backup window is the transform's, where the component's default was 03:00-04:00
    db = with_transform.named("orders-db-db")
    assert db.inputs["backupWindow"] == "02:00-03:00"
    assert without.named("orders-db-db").inputs["backupWindow"] == "03:00-04:00"
    # AND every other input of every resource is the same in both plans
    before = {r.urn: r.inputs for r in without.registrations.values()}
    after = {r.urn: r.inputs for r in with_transform.registrations.values()}
    assert before.keys() == after.keys()
    changed = sorted(urn for urn in before if before[urn] != after[urn])
    assert changed == [db.urn]
    assert {k: v for k, v in after[db.urn].items() if k != "backupWindow"} == {
        k: v for k, v in before[db.urn].items() if k != "backupWindow"
    }
