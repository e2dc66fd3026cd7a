"""What the stack file tells the pack: accepted overrides relax their rules; fixes name the key; a rule
that cannot evaluate advises (issue 15, items 1 and 14), through `policies.rules.evaluate`."""

from __future__ import annotations

from policies.rules import Level, evaluate
from policies.rules.stack_keys import INVARIANT_RULES
from stacks.environment.profiles import PROFILES
from tests.policies._helpers import res

RDS = "aws:rds/instance:Instance"
NAT = "aws:ec2/natGateway:NatGateway"


def _single_az_db(**platform: object) -> list:  # type: ignore[type-arg]
    return [
        res("streaming:index:StreamingPlatform", "streaming", **platform),
        res(RDS, "db", instanceClass="db.t4g.micro", multiAz=False, storageEncrypted=True),
    ]


def _finding(findings: list, rule: str):  # type: ignore[no-untyped-def,type-arg]
    return next(f for f in findings if f.rule == rule)


def test_a_mandatory_rule_stays_mandatory_without_an_override_and_names_the_stack_file_key() -> None:
    found = _finding(evaluate(_single_az_db(budgetMonthlyUsd=None, invariantOverrides=[])), "rds-multi-az")

    assert found.level is Level.MANDATORY
    assert found.message.endswith(
        "In the stack file: set streaming-platform:database.multiAz: true in Pulumi.dev.yaml."
    )


def test_an_accepted_override_relaxes_its_rule_to_advisory_and_says_so() -> None:
    found = _finding(evaluate(_single_az_db(invariantOverrides=["database-multi-az"])), "rds-multi-az")

    assert found.level is Level.ADVISORY
    assert found.message.endswith(
        "(Relaxed to advisory: Pulumi.dev.yaml accepts the risk with streaming-platform:invariantOverrides "
        "'database-multi-az'.)"
    )


def test_a_library_users_stack_without_a_stack_file_keeps_the_component_fix_only() -> None:
    found = _finding(evaluate([res(RDS, "db", multiAz=False, storageEncrypted=True)]), "rds-multi-az")

    assert "In the stack file" not in found.message and found.level is Level.MANDATORY


def test_the_budget_rule_advises_that_it_cannot_evaluate_a_region_without_prices() -> None:
    # GIVEN a budgeted platform in a region without bundled prices (an isolated partition's: never priced)
    platform = res("streaming:index:StreamingPlatform", "streaming", budgetMonthlyUsd=40)
    nat = res(NAT, "nat", allocationId="eipalloc-1", subnetId="subnet-1")
    provider = res("pulumi:providers:aws", "aws", region="us-isob-east-1")

    # WHEN the pack runs; THEN the budget rule, mandatory by default, advises why it cannot judge
    found = [f for f in evaluate([platform, nat, provider]) if f.rule == "cost-monthly-budget"]

    assert [f.level for f in found] == [Level.ADVISORY]
    assert "cannot check the budget of $40.00/month: no bundled prices for region us-isob-east-1" in found[0].message
    assert "add them to insight/prices/aws.json" in found[0].message


def test_every_invariant_of_every_profile_says_which_rules_it_relaxes() -> None:
    names = {inv.name for profile in PROFILES.values() for inv in profile.invariants}
    assert names <= set(INVARIANT_RULES)
