"""The offline policy check: the pack's rules over a plan document, no engine, no account.

``python -m stacks policy <env>`` plans ``env`` offline (or reads ``--plan FILE``), resolves
``policies/config/<profile>.json`` (the stack's profile, `config_env`) exactly as ``pulumi preview --policy-pack-config`` would, runs every
enabled rule of `policies.rules` (the functions the CrossGuard pack runs) and returns a `Verdict`:
violations grouped by rule, each with the resource's URN and the fix. Mandatory violations fail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight.plan import Plan
from policies.rules import REGISTRY, Finding, Level, ResourceView, evaluate, load_config, resolve_config
from policies.rules.config import PolicyConfigError

#: The pack's own per-environment configs (package data), used when the project has none of its own.
CONFIG_DIR = Path(__file__).resolve().parent / "config"


def config_path(env: str, project: Path | None = None) -> Path:
    """The policy config of ``env``: the project's own ``policies/config/<env>.json`` when the
    project at ``project`` has one, else the one bundled with the pack."""
    if project is not None:
        own = project / "policies" / "config" / f"{env}.json"
        if own.is_file():
            return own
    return CONFIG_DIR / f"{env}.json"


def config_env(plan: Plan, env: str) -> str:
    """Whose policy config judges ``plan``: its profile (the program exports it), else ``env``.

    A per-developer stack (``Pulumi.dev-alice.yaml`` with ``profile: dev``) is judged as dev is.
    """
    profile = plan.outputs.get("profile")
    return profile if isinstance(profile, str) and profile else env


def _display(path: Path) -> str:
    """``path`` relative to the current directory when it is below it (as a user typed it)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def resource_views(plan: Plan) -> list[ResourceView]:
    """The plan's resources as the rules see them (inputs are already in wire form)."""
    return [
        ResourceView(
            r["type"], r["urn"], r["name"], r.get("inputs") or {}, r.get("parent"), tuple(r.get("dependencies") or ())
        )
        for r in plan.resources
    ]


@dataclass(frozen=True)
class Verdict:
    env: str
    stack: str
    config_file: str | None
    resources: int
    rules_run: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.level is Level.MANDATORY]

    @property
    def advisory(self) -> list[Finding]:
        return [f for f in self.findings if f.level is Level.ADVISORY]

    @property
    def passed(self) -> bool:
        return not self.mandatory

    def to_dict(self) -> dict[str, Any]:
        rules = {r.name: r for r in REGISTRY}
        return {
            "env": self.env,
            "stack": self.stack,
            "configFile": self.config_file,
            "resources": self.resources,
            "rulesRun": self.rules_run,
            "passed": self.passed,
            "mandatoryViolations": len(self.mandatory),
            "advisoryViolations": len(self.advisory),
            "violations": [
                {
                    "policy": f.rule,
                    "control": rules[f.rule].control,
                    "level": f.level.value,
                    "urn": f.urn,
                    "message": f.message,
                }
                for f in self.findings
            ],
        }


def check_plan(
    plan: Plan,
    env: str,
    *,
    config: Mapping[str, Any] | None = None,
    config_file: Path | None = None,
    project: Path | None = None,
) -> Verdict:
    """Run the pack over ``plan`` with ``config`` (raw CrossGuard config) or ``config_file``
    (default: `config_path` of ``env`` in ``project``)."""
    source = "defaults"
    if config is None:
        path = config_file if config_file is not None else config_path(config_env(plan, env), project)
        if path.is_file():
            config = load_config(path)
            source = _display(path)
        elif config_file is not None:
            raise PolicyConfigError(f"{path}: no such policy config")
    settings = resolve_config(config, source=source)
    findings = evaluate(resource_views(plan), settings)
    order = {r.name: i for i, r in enumerate(REGISTRY)}
    findings.sort(key=lambda f: (f.level is not Level.MANDATORY, order[f.rule], f.urn))
    run = sum(1 for s in settings.values() if s.level is not Level.DISABLED)
    return Verdict(env, plan.stack, source if source != "defaults" else None, len(plan.resources), run, findings)


def render_text(verdict: Verdict) -> str:
    rules = {r.name: r for r in REGISTRY}
    lines: list[str] = [
        f"Policy check of {verdict.stack} ({verdict.resources} resources, {verdict.rules_run} policies, "
        f"config {verdict.config_file or 'pack defaults'})",
        "",
    ]
    by_rule: dict[str, list[Finding]] = {}
    for f in verdict.findings:
        by_rule.setdefault(f.rule, []).append(f)
    for name, found in by_rule.items():
        rule = rules[name]
        control = f" [{rule.control}]" if rule.control else ""
        lines.append(f"{found[0].level.value.upper()}  {name}{control}  ({len(found)})")
        for f in found:
            lines.append(f"  - {f.urn}")
            lines.append(f"    {f.message}")
        lines.append("")
    verdict_word = "PASSED" if verdict.passed else "FAILED"
    lines.append(
        f"{verdict_word}: {len(verdict.mandatory)} mandatory and {len(verdict.advisory)} advisory violation(s) "
        f"in {verdict.stack}."
    )
    return "\n".join(lines)


def render_json(verdict: Verdict) -> str:
    return json.dumps(verdict.to_dict(), indent=2) + "\n"
