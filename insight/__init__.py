"""Insight: what a plan document tells about an environment, with no engine and no account.

* `insight.plan`: the plan document (the JSON ``python -m stacks plan --json`` writes);
* `insight.cost` and `insight.usage`: its monthly cost from the bundled price table
  (``insight/prices/aws.json``) and a usage profile;
* `insight.deploy_time`: how long a first ``pulumi up`` takes, and its critical path;
* `insight.graph`: architecture and resource diagrams (Mermaid, Graphviz).

This is the lowest layer of the project: it imports no other first-party package and not Pulumi
itself (import-linter contracts in ``pyproject.toml`` keep it so), which lets the policy pack price
a plan with only its own requirements installed.
"""
