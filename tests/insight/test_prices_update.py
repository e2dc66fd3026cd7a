"""``python -m stacks prices update``: the AWS Price List API through boto3, against recorded-format responses.

moto has no ``pricing`` backend, so botocore's Stubber answers: it validates every request against
the service model (the filters must be what GetProducts accepts) and returns the fixture's
responses, in the order the command asks.
"""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from stacks.cli import main
from stacks.devtools import price_list, regional_prices

FIXTURE = Path(__file__).parent / "fixtures" / "pricing_get_products.json"
KEYS = ["ec2.nat_gateway.hour", "fargate.x86.vcpu_hour", "s3.put", "logs.ingest"]


@pytest.fixture
def table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled table that the command may rewrite."""
    copy = tmp_path / "aws.json"
    shutil.copy(regional_prices.PRICES_FILE, copy)
    monkeypatch.setattr(regional_prices, "PRICES_FILE", copy)
    return copy


def _client() -> Any:
    return boto3.client(
        "pricing", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def _stubbed(monkeypatch: pytest.MonkeyPatch, calls: list[dict[str, Any]]) -> Stubber:
    client = _client()
    stub = Stubber(client)
    for call in calls:
        key = next(k for k in price_list.QUERIES if k.startswith(call["key"]))
        query = price_list.QUERIES[key]
        stub.add_response(
            "get_products",
            {"FormatVersion": "aws_v1", "PriceList": call["PriceList"]},
            {"ServiceCode": query.service, "Filters": query.filters_for(call["region"]), "FormatVersion": "aws_v1"},
        )
    stub.activate()
    monkeypatch.setattr(price_list, "pricing_client", lambda: client)
    return stub


def _rows(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["key"], r["region"]): r for r in json.loads(path.read_text())["rows"]}


def test_the_nat_gateway_query_is_what_getproducts_takes() -> None:
    assert price_list.QUERIES["ec2.nat_gateway.hour"].filters_for("sa-east-1") == [
        {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "NAT Gateway"},
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "sa-east-1"},
    ]


def test_every_query_refreshes_a_key_of_the_table() -> None:
    keys = {k for k, _ in _rows(regional_prices.PRICES_FILE)}
    assert set(price_list.QUERIES) <= keys
    assert len(price_list.QUERIES) >= 50  # all but the keys the API does not price per region


def test_update_reads_the_price_list_api_and_marks_each_row_with_its_source(
    table: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the API's answers for four keys in us-east-1 and sa-east-1
    calls = json.loads(FIXTURE.read_text())["calls"]
    order = {"us-east-1": 0, "sa-east-1": 1}
    stub = _stubbed(monkeypatch, sorted(calls, key=lambda c: order[c["region"]]))
    before = _rows(table)

    # WHEN the user refreshes them
    args = ["prices", "update", "--region", "us-east-1,sa-east-1"] + [a for k in KEYS for a in ("--key", k)]
    assert main(args) == 0
    stub.assert_no_pending_responses()
    out = capsys.readouterr().out
    after = _rows(table)
    today = datetime.date.today().isoformat()

    # THEN each price read is a verified row naming the API, the usagetype, the SKU and the day
    nat = after[("ec2.nat_gateway.hour", "sa-east-1")]
    assert (nat["price"], nat["status"], nat["as_of"]) == (0.093, "V", today)
    assert nat["source"] == (
        f"AWS Price List API (pricing:GetProducts AmazonEC2, usagetype SAE1-NatGateway-Hours, "
        f"sku 8EGPR5JGBZ3UQFJT), read {today}"
    )
    assert after[("fargate.x86.vcpu_hour", "sa-east-1")]["price"] == 0.0696
    # AND a per-request price is converted to the table's unit (per 1k), a free first tier is skipped
    assert after[("s3.put.1k", "us-east-1")]["price"] == 0.005
    assert after[("logs.ingest.gb", "us-east-1")]["price"] == 0.5
    assert after[("logs.ingest.gb", "sa-east-1")]["price"] == 0.9
    # AND what the API did not answer is kept (re-derived) and reported
    assert after[("s3.put.1k", "sa-east-1")] == before[("s3.put.1k", "sa-east-1")]
    assert "1 not found (rows kept as they were):" in out
    assert "sa-east-1       s3.put.1k: no AmazonS3 product with usagetype Requests-Tier1 in sa-east-1" in out
    assert "sa-east-1       fargate.x86.vcpu_hour" in out and "-> 0.0696" in out
    # AND rows of other keys and regions are untouched; derived rows still cover every region
    assert after[("kms.key.month", "eu-west-1")] == before[("kms.key.month", "eu-west-1")]
    assert after[("fargate.x86.vcpu_hour", "eu-central-1")] == before[("fargate.x86.vcpu_hour", "eu-central-1")]
    assert len(after) == len(before)


def test_dry_run_writes_nothing(
    table: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = [c for c in json.loads(FIXTURE.read_text())["calls"] if c["key"] == "ec2.nat_gateway.hour"]
    _stubbed(monkeypatch, [c for c in calls if c["region"] == "sa-east-1"])
    text = table.read_text()
    assert main(["prices", "update", "--region", "sa-east-1", "--key", "ec2.nat_gateway.hour", "--dry-run"]) == 0
    assert table.read_text() == text
    assert capsys.readouterr().out.splitlines()[-1] == "dry run: nothing written"


def test_two_products_at_different_prices_are_refused(
    table: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (nat,) = [
        c
        for c in json.loads(FIXTURE.read_text())["calls"]
        if c["key"] == "ec2.nat_gateway.hour" and c["region"] == "sa-east-1"
    ]
    second = json.loads(nat["PriceList"][0])
    second["product"]["sku"] = "OTHER"
    second["terms"]["OnDemand"] = {
        "OTHER.T": {
            "priceDimensions": {"OTHER.T.D": {"unit": "Hrs", "beginRange": "0", "pricePerUnit": {"USD": "0.1"}}}
        }
    }
    _stubbed(monkeypatch, [{**nat, "PriceList": [*nat["PriceList"], json.dumps(second)]}])
    text = table.read_text()
    assert main(["prices", "update", "--region", "sa-east-1", "--key", "ec2.nat_gateway.hour"]) == 2
    err = capsys.readouterr().err
    assert "ec2.nat_gateway.hour in sa-east-1: 2 AmazonEC2 products match usagetype NatGateway-Hours" in err
    assert table.read_text() == text


def test_no_credentials_is_a_user_error_that_says_what_to_configure(
    table: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["prices", "update", "--region", "us-east-1", "--key", "kms.key"]) == 2
    assert capsys.readouterr().err.startswith(
        "error: prices update reads the AWS Price List API and found no AWS credentials; configure a profile"
    )


def test_access_denied_names_the_permission(
    table: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    client = _client()
    stub = Stubber(client)
    stub.add_client_error("get_products", "AccessDeniedException", "not authorized to perform: pricing:GetProducts")
    stub.activate()
    monkeypatch.setattr(price_list, "pricing_client", lambda: client)
    assert main(["prices", "update", "--region", "us-east-1", "--key", "kms.key"]) == 2
    err = capsys.readouterr().err
    assert "the AWS Price List API refused the request: AccessDeniedException" in err
    assert "the credentials need pricing:GetProducts" in err


def test_an_unknown_region_or_key_is_refused(table: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "update", "--region", "cn-north-1"]) == 2
    assert "--region cn-north-1: not a commercial AWS region botocore knows" in capsys.readouterr().err


def test_derive_check_passes_on_the_committed_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "derive", "--check"]) == 0
