"""The offline plan: the Pulumi program of ``platform/`` run under the recording mocks.

``python -m stacks plan <env>`` runs exactly what ``pulumi up -s <env>`` runs, with the config of
``Pulumi.<env>.yaml``, but against `stacks.offline.mocks` instead of the engine: no credentials, no network,
no Pulumi CLI. It prints the resource tree that ``pulumi preview`` would show and counts by type;
``--json FILE`` writes the plan document (`insight.plan`) that the policy check, the cost estimate
and the diagrams read. Resources are sorted by URN and keys are sorted, so two runs write
byte-identical JSON.
"""

from __future__ import annotations

import gc
import json
import os
import runpy
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from insight.plan import Plan
from stacks.environment.stack_files import program_directory, project_root, read_stack_file
from stacks.offline.mocks import SECRET, ProgramRun, run_program

#: The collector's thresholds while the program runs. A plan allocates a few hundred thousand
#: objects that live until it ends (resources, outputs, tasks) and imports the pulumi_aws modules
#: the program uses (tens of thousands of classes); with the default first-generation threshold
#: (700) the collector traverses them over and over for almost nothing to free (a third of a
#: plan's time). The previous thresholds are restored when the plan ends.
PLAN_GC_THRESHOLDS = (100_000, 50, 100)


def run_platform(env: str, *, root: Path | None = None, overrides: Mapping[str, Any] | None = None) -> ProgramRun:
    """Run ``platform/__main__.py`` for ``env`` under the mocks and return what it registered.

    The program runs in the working directory the engine would give it (`program_directory`:
    ``platform/`` for this project's ``main: platform/``), so relative paths in its inputs are the
    ones ``pulumi up`` sends; the caller's working directory is restored afterwards.
    ``overrides`` replaces config values (full keys such as ``"streaming-platform:natMode"``),
    which tests use to plan variants of an environment without writing files.
    """
    root = root or project_root()
    stack_file = read_stack_file(env, root=root)
    for warning in stack_file.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    config = dict(stack_file.config)
    secret_keys = set(stack_file.secret_keys)
    for key, value in (overrides or {}).items():
        config[key] = value if isinstance(value, str) else json.dumps(value)
        secret_keys.discard(key)
    program_dir = root / "platform"
    working_dir = program_directory(root)

    def program() -> None:
        runpy.run_path(str(program_dir), run_name="__main__")

    sys_path_before = list(sys.path)
    cwd_before = os.getcwd()
    gc_before = gc.get_threshold()
    gc.set_threshold(*PLAN_GC_THRESHOLDS)
    os.chdir(working_dir)
    try:
        return run_program(
            program,
            project=stack_file.project,
            stack=env,
            config=config,
            secret_keys=sorted(secret_keys),
            region=stack_file.region,
        )
    finally:
        os.chdir(cwd_before)
        sys.path[:] = sys_path_before
        gc.set_threshold(*gc_before)


def plan_document(run: ProgramRun) -> dict[str, Any]:
    """The JSON-ready plan document of a program run."""
    resources = []
    for urn in sorted(run.registrations):
        reg = run.registrations[urn]
        resources.append(
            {
                "urn": reg.urn,
                "type": reg.type,
                "name": reg.name,
                "custom": reg.custom,
                "parent": reg.parent if reg.parent != run.stack_urn else None,
                "dependencies": sorted(set(reg.dependencies)),
                "inputs": reg.inputs,
                "options": reg.options,
            }
        )
    outputs = {k: (SECRET if v == SECRET else v) for k, v in run.outputs.items()}
    return {"project": run.project, "stack": run.stack, "outputs": outputs, "resources": resources}


def build_plan(env: str, *, root: Path | None = None, overrides: Mapping[str, Any] | None = None) -> Plan:
    """Plan ``env`` offline and return the plan document."""
    return Plan(plan_document(run_platform(env, root=root, overrides=overrides)))


# -- rendering --------------------------------------------------------------------------------


def render_tree(plan: Plan) -> str:
    """The resource tree by parent, as ``pulumi preview`` shows it."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    for resource in plan.resources:
        children.setdefault(resource["parent"], []).append(resource)
    rows: list[tuple[str, str]] = [("pulumi:pulumi:Stack", f"{plan.project}-{plan.stack}")]

    def walk(parent: str | None, prefix: str) -> None:
        kids = sorted(children.get(parent, []), key=lambda r: (not r["type"].startswith("pulumi:providers:"), r["urn"]))
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            rows.append((f"{prefix}{'└─ ' if last else '├─ '}{r['type']}", r["name"]))
            walk(r["urn"], prefix + ("   " if last else "│  "))

    walk(None, "")
    width = max(len(label) for label, _ in rows) + 2
    return "\n".join([f"     {'Type':<{width}}Name", *(f" +   {label:<{width}}{name}" for label, name in rows)])


def render_counts(plan: Plan) -> str:
    counts = Counter(r["type"] for r in plan.resources)
    width = max((len(t) for t in counts), default=10) + 2
    rows = [f"  {t:<{width}}{n:>4}" for t, n in sorted(counts.items())]
    return "\n".join(["Resources by type:", *rows, f"Resources:\n    + {len(plan.resources) + 1} to create"])


def render_outputs(plan: Plan) -> str:
    if not plan.outputs:
        return ""
    width = max(len(k) for k in plan.outputs) + 2
    rows = [
        f"    {k:<{width}}{json.dumps(v) if not isinstance(v, str) else v}" for k, v in sorted(plan.outputs.items())
    ]
    return "\n".join(["Outputs:", *rows])
