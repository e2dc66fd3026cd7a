"""The CrossGuard side: the pack's policies mirror the registry and see props exactly as the offline plan does."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.__main__ import PACK_NAME, build_policies
from policies.rules import REGISTRY, UNKNOWN
from policies.rules.crossguard import normalize_props


def _engine_props(props: dict[str, Any]) -> Any:
    """Props as pulumi_policy's analyzer hands them to a policy (deserialised + unknown-checking proxy)."""
    return unknown_checking_proxy(deserialize_properties(props))


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def test_main_builds_one_policy_per_registered_rule_without_serving() -> None:
    # GIVEN policies/__main__.py imported as a module (PolicyPack would serve and block)
    # WHEN its policies are built THEN names, kinds and levels equal the registry
    policies = build_policies()
    assert PACK_NAME == "streaming-platform-guardrails"
    assert [p.name for p in policies] == [r.name for r in REGISTRY]
    for p, r in zip(policies, REGISTRY, strict=True):
        assert isinstance(p, ResourceValidationPolicy if r.kind == "resource" else StackValidationPolicy)
        assert p.enforcement_level == EnforcementLevel(r.level.value)
        assert (p.framework.reference if p.framework else None) == r.control


def test_normalize_props_unwraps_proxies_and_marks_unknowns_like_the_offline_plan() -> None:
    # GIVEN engine props with nested unknowns WHEN normalised THEN plain data with "[unknown]"
    props = _engine_props(
        {
            "storageEncrypted": UNKNOWN_BOOLEAN_VALUE,
            "port": 5432.0,
            "tags": {"Project": "p", "Name": UNKNOWN_STRING_VALUE},
            "subnets": ["a", UNKNOWN_STRING_VALUE],
        }
    )
    assert normalize_props(props) == {
        "storageEncrypted": UNKNOWN,
        "port": 5432.0,
        "tags": {"Project": "p", "Name": UNKNOWN},
        "subnets": ["a", UNKNOWN],
    }


def _validate_resource(name: str, type_: str, props: dict[str, Any]) -> list[str]:
    policy = next(p for p in build_policies() if p.name == name)
    assert isinstance(policy, ResourceValidationPolicy)
    args = ResourceValidationArgs(
        type_, _engine_props(props), f"urn:pulumi:dev::p::{type_}::db", "db", _opts(), None, {}
    )
    reported: list[str] = []
    for validate in policy.validate if isinstance(policy.validate, list) else [policy.validate]:  # type: ignore[union-attr]
        validate(args, lambda message, urn=None: reported.append(message))
    return reported


def test_resource_policy_reports_the_same_message_as_the_offline_rule() -> None:
    # GIVEN an unencrypted RDS instance as the engine sends it WHEN the policy validates THEN it reports the fix
    reported = _validate_resource("rds-storage-encrypted", "aws:rds/instance:Instance", {"storageEncrypted": False})
    assert reported == [
        "Instance 'db': storage is not encrypted (it cannot be turned on later without a restore). "
        "Set storage_encrypted=True (and kms_key_id for a customer key)."
    ]


def test_resource_policy_does_not_report_a_value_unknown_during_preview() -> None:
    # GIVEN storageEncrypted unknown at preview WHEN validated THEN no violation and no UnknownValueError
    assert (
        _validate_resource(
            "rds-storage-encrypted", "aws:rds/instance:Instance", {"storageEncrypted": UNKNOWN_BOOLEAN_VALUE}
        )
        == []
    )


def test_stack_policy_follows_dependencies_between_engine_resources() -> None:
    # GIVEN a bucket without a public-access block, as AnalyzeStack passes it
    policy = next(p for p in build_policies() if p.name == "s3-bucket-has-public-access-block")
    assert isinstance(policy, StackValidationPolicy)
    bucket = PolicyResource(
        "aws:s3/bucket:Bucket", _engine_props({"bucket": "assets"}), "urn:b", "assets", _opts(), None, None, [], {}
    )
    reported: list[tuple[str, str | None]] = []
    # WHEN validated THEN the violation is attached to the bucket's URN
    policy.validate(StackValidationArgs([bucket], {}), lambda message, urn=None: reported.append((message, urn)))  # type: ignore[operator]
    assert [urn for _, urn in reported] == ["urn:b"]
    assert "BucketPublicAccessBlock" in reported[0][0]
