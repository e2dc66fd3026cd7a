"""The streaming platform's CrossGuard policy pack (see docs/policies.md).

``policies/`` is both a Pulumi policy pack directory (``pulumi preview --policy-pack policies``)
and an importable package whose `policies.rules` the offline check (`policies.offline`) uses.
"""
