"""The bundled AWS tables behind issue 15's checks: RDS classes, ISO 3166-1 codes, WAF managed groups."""

from __future__ import annotations

import pytest

from components._iso_countries import ISO_3166_ALPHA2, country_code_problem
from components._rds_classes import POSTGRES_INSTANCE_CLASSES, instance_class_problem
from components._waf_groups import AWS_MANAGED_RULE_GROUPS, rule_group_problem
from components.web_acl import MANAGED_RULE_GROUPS


@pytest.mark.parametrize("value", ["db.t4g.micro", "db.t4g.small", "db.m7g.large", "db.r8g.48xlarge", "db.t3.2xlarge"])
def test_classes_rds_offers_for_postgresql_pass(value: str) -> None:
    assert instance_class_problem(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("db.t4g.mirco", "'db.t4g.mirco': db.t4g has no size 'mirco'; did you mean 'db.t4g.micro'?"),
        (
            "db.t4g.4xlarge",
            "sizes: micro, small, medium, large, xlarge, 2xlarge",
        ),
        ("db.m7.large", "RDS for PostgreSQL has no instance family 'db.m7'; did you mean 'db.m7i.large'?"),
        ("t4g.micro", "'t4g.micro' is not an RDS instance class; use 'db.<family>.<size>'"),
    ],
)
def test_a_class_rds_does_not_offer_names_the_closest(value: str, message: str) -> None:
    assert message in str(instance_class_problem(value))


def test_every_family_lists_sizes_from_the_ladder_in_order() -> None:
    assert all(sizes and len(set(sizes)) == len(sizes) for sizes in POSTGRES_INSTANCE_CLASSES.values())


def test_iso_3166_has_its_249_codes_and_knows_uk_is_gb() -> None:
    assert len(ISO_3166_ALPHA2) == 249 and {"GB", "US", "DE", "JP", "SS", "XK"} - ISO_3166_ALPHA2 == {"XK"}
    assert country_code_problem("GB") is None
    assert "(the code for that country is 'GB')" in str(country_code_problem("UK"))


def test_the_web_acls_default_groups_are_known_and_a_case_typo_is_named() -> None:
    assert set(MANAGED_RULE_GROUPS) <= set(AWS_MANAGED_RULE_GROUPS)
    assert "did you mean 'AWSManagedRulesSQLiRuleSet'?" in str(rule_group_problem("AWSManagedRulesSQLiRuleset"))
