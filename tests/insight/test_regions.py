"""Every commercial region priced: the table's coverage, how derived rows are made, and what it prices."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from insight.cost import CostReport, age_note, estimate, load_prices
from insight.plan import Plan
from stacks.devtools import regional_prices
from stacks.environment.profiles import PROFILES
from stacks.offline.plan import build_plan
from tests.paths import REPO_ROOT


@pytest.fixture(scope="module")
def dev_plan() -> Plan:
    return build_plan("dev")


def test_botocore_knows_the_commercial_regions() -> None:
    regions = regional_prices.commercial_regions()
    assert len(regions) >= 30 and {"us-east-1", "sa-east-1", "ap-southeast-2", "eu-central-1"} <= set(regions)
    assert not [r for r in regions if r.startswith(("cn-", "us-gov-", "us-iso"))]


def test_every_key_is_priced_in_every_commercial_region_with_source_date_and_status() -> None:
    table = load_prices()
    keys = {k for k, _ in table.rows}
    for region in regional_prices.commercial_regions():
        missing = sorted(k for k in keys if (k, region) not in table.rows)
        assert missing == [], f"{region} lacks {missing}"
    for row in table.rows.values():
        assert row.source and row.as_of[:4] == "2026" and row.status in ("V", "U", "D") and row.price >= 0


def test_the_committed_table_is_what_derivation_gives() -> None:
    # A region added to botocore, a changed multiplier or a new us-east-1 row shows up here.
    assert regional_prices.derived_text() == regional_prices.PRICES_FILE.read_text(), (
        "insight/prices/aws.json is stale: run `python -m stacks prices derive`"
    )


def test_a_derived_row_says_how_it_was_made_and_sourced_rows_are_kept() -> None:
    table = load_prices()
    # GIVEN sa-east-1, where only anchors are known: Fargate scales with the compute multiplier
    row = table.rows[("fargate.x86.vcpu_hour", "sa-east-1")]
    assert row.status == "D"
    assert row.price == pytest.approx(0.04048 * 0.0168 / 0.0104, rel=1e-5)
    assert row.source.startswith("derived: us-east-1 0.04048 x 1.6154 (compute multiplier of sa-east-1")
    assert "python -m stacks prices update --region sa-east-1" in row.source
    # AND the public IPv4 charge is the same everywhere (AWS says so: verified, not derived)
    ipv4 = table.rows[("ec2.public_ipv4.hour", "ap-southeast-2")]
    assert (ipv4.price, ipv4.status) == (0.005, "V") and ipv4.source.startswith("same as us-east-1: ")
    # AND a transcribed eu-west-1 row is kept as it was, not replaced by a derived one
    assert table.rows[("ec2.nat_gateway.hour", "eu-west-1")].status == "U"
    assert table.rows[("ec2.nat_gateway.hour", "eu-west-1")].price == 0.048


def test_a_region_without_anchors_is_refused_naming_what_to_add() -> None:
    table = json.loads(regional_prices.PRICES_FILE.read_text())
    regions = json.loads(regional_prices.REGIONS_FILE.read_text())
    with pytest.raises(regional_prices.RegionalPricesError, match=r"no anchors for xx-north-9; add each region's"):
        regional_prices.derive_document(table, regions, ["us-east-1", "xx-north-9"])


def test_a_key_in_no_family_is_refused() -> None:
    regions = json.loads(regional_prices.REGIONS_FILE.read_text())
    with pytest.raises(regional_prices.RegionalPricesError, match=r"price key 'lambda.gb_second' is in no family"):
        regional_prices.family_of(regions, "lambda.gb_second")


@pytest.mark.parametrize("region", ["sa-east-1", "ap-southeast-2"])
def test_sao_paulo_and_sydney_price_dev_above_us_east_1(dev_plan: Plan, region: str) -> None:
    home = estimate(dev_plan, region="us-east-1")
    away = estimate(dev_plan, region=region)
    assert away.region == region and away.unpriced == []
    assert away.total > home.total * 1.1
    # AND each line that scales is dearer there, none cheaper
    by_urn = {i.urn: i.monthly for i in home.items}
    assert all(i.monthly >= by_urn[i.urn] - 0.005 for i in away.items)


def test_every_commercial_region_prices_the_whole_dev_plan(dev_plan: Plan) -> None:
    totals = {r: estimate(dev_plan, region=r).total for r in regional_prices.commercial_regions()}
    assert all(t > 0 for t in totals.values())
    assert min(totals, key=lambda r: totals[r]) in ("us-east-1", "us-east-2", "us-west-2")
    assert max(totals, key=lambda r: totals[r]) == "sa-east-1"
    # AND dev fits its own budget in most of them (the budget rule is what `check dev` can fail on)
    budget = PROFILES["dev"].defaults["budgetMonthlyUsd"]
    assert sum(total <= budget for total in totals.values()) >= 15


def _report(as_of: str) -> CostReport:
    return CostReport(
        env="dev", region="us-east-1", items=[], free=[], unpriced=[], prices_as_of=as_of, price_status={"V": 3}
    )


def test_every_estimate_says_how_old_its_prices_are() -> None:
    note = age_note(_report("2026-10-02"), today=datetime.date(2026, 12, 4))
    assert note == "Prices: bundled table, oldest row for us-east-1 from 2026-10-02 (63 days old; rows 3 V)"


def test_a_table_older_than_180_days_warns_and_says_how_to_refresh() -> None:
    note = age_note(_report("2026-08"), today=datetime.date(2027, 2, 28))
    assert "(211 days old" in note
    assert note.splitlines()[1] == (
        "warning: the price table is older than 180 days; refresh it with "
        "`python -m stacks prices update --region us-east-1` (needs AWS credentials)"
    )


def _project_in(tmp_path: Path, region: str) -> Path:
    """A copy of the project whose dev stack is in ``region``."""
    (tmp_path / "platform").mkdir()
    (tmp_path / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    stack = (REPO_ROOT / "Pulumi.dev.yaml").read_text()
    assert "aws:region: us-east-1" in stack
    (tmp_path / "Pulumi.dev.yaml").write_text(stack.replace("aws:region: us-east-1", f"aws:region: {region}"))
    (tmp_path / "platform" / "__main__.py").write_text((REPO_ROOT / "platform" / "__main__.py").read_text())
    return tmp_path


def _check(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stacks", "check", "dev"], cwd=project, capture_output=True, text=True, timeout=180
    )


@pytest.mark.parametrize("region", ["eu-central-1", "ap-southeast-2"])
def test_check_dev_deployed_elsewhere_exits_0_and_prints_its_total_there(tmp_path: Path, region: str) -> None:
    result = _check(_project_in(tmp_path, region))

    # THEN it passes and prices the environment in that region, above us-east-1's estimate
    assert result.returncode == 0, result.stdout + result.stderr
    total = re.search(
        rf"^Monthly cost of dev: \$([\d,]+\.\d\d) \(USD, {region}, default usage profile\)$", result.stdout, re.M
    )
    assert total, result.stdout
    assert float(total.group(1).replace(",", "")) > estimate(build_plan("dev")).total
    assert re.search(rf"^Prices: bundled table, oldest row for {region} from 2026-", result.stdout, re.M)


def test_check_dev_in_sao_paulo_is_held_to_devs_budget(tmp_path: Path) -> None:
    # GIVEN dev moved to sa-east-1 with a budget that dev in us-east-1 meets (us-east-1 prices dev lower)
    project = _project_in(tmp_path, "sa-east-1")
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text().replace("config:\n", "config:\n  streaming-platform:budgetMonthlyUsd: 60\n", 1))
    result = _check(project)

    # THEN the budget rule, priced in sa-east-1, stops it and says by how much
    assert result.returncode == 1
    assert re.search(r"stack 'dev': estimated \$\d+\.\d\d/month exceeds the budget of \$60\.00/month", result.stdout)
    assert re.search(
        r"^Monthly cost of dev: \$\d+\.\d\d \(USD, sa-east-1, default usage profile\)$", result.stdout, re.M
    )
