"""``python -m stacks prices update [--region R ...] [--key PREFIX ...]`` and ``prices derive [--check]``.

``update`` refreshes the bundled price table (insight/prices/aws.json) from the AWS Price List API
for a user with credentials (`stacks.devtools.price_list`); ``derive`` regenerates the rows no source
gives, for every commercial region, from the regional multipliers (`stacks.devtools.regional_prices`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from stacks.cli import UserError
from stacks.devtools import price_list, regional_prices


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "prices",
        help="refresh the bundled price table from the AWS Price List API, or re-derive its regional rows",
        description="Maintain insight/prices/aws.json: every price key in every commercial AWS region.",
    )
    commands = parser.add_subparsers(dest="prices_command", required=True, metavar="ACTION")
    update = commands.add_parser(
        "update",
        help="read current on-demand prices from the AWS Price List API (needs credentials with pricing:GetProducts)",
    )
    update.add_argument(
        "--region",
        metavar="R",
        action="append",
        help="only region R (repeat, or R1,R2; default: every commercial region)",
    )
    update.add_argument(
        "--key", metavar="PREFIX", action="append", help="only price keys starting with PREFIX (e.g. fargate.)"
    )
    update.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    update.set_defaults(handler=run_update)
    derive = commands.add_parser("derive", help="regenerate the derived (status D) rows for every commercial region")
    derive.add_argument("--check", action="store_true", help="change nothing; exit 1 if the table is stale")
    derive.set_defaults(handler=run_derive)


def run_derive(args: argparse.Namespace) -> int:
    try:
        text = regional_prices.derived_text(regional_prices.PRICES_FILE, regional_prices.REGIONS_FILE)
    except regional_prices.RegionalPricesError as exc:
        raise UserError(str(exc)) from exc
    current = regional_prices.PRICES_FILE.read_text()
    if args.check:
        if text != current:
            print(f"stale: {regional_prices.PRICES_FILE} (run `python -m stacks prices derive`)")
            return 1
        return 0
    regional_prices.PRICES_FILE.write_text(text)
    doc = regional_prices.load_json(regional_prices.PRICES_FILE)
    regions = regional_prices.commercial_regions()
    counts = regional_prices.counts(doc, regions)
    print(
        f"wrote {regional_prices.PRICES_FILE}: {len(doc['rows'])} rows in {len(regions)} regions "
        f"({', '.join(f'{n} {s}' for s, n in counts.items())})"
    )
    return 0


def _regions(values: list[str] | None) -> list[str]:
    known = regional_prices.commercial_regions()
    if not values:
        return known
    regions = [r.strip() for v in values for r in v.split(",") if r.strip()]
    unknown = [r for r in regions if r not in known]
    if unknown:
        raise UserError(
            f"--region {', '.join(unknown)}: not a commercial AWS region botocore knows; use one of {', '.join(known)}"
        )
    return list(dict.fromkeys(regions))


def _api_error(exc: Exception) -> UserError:
    from botocore.exceptions import ClientError, NoCredentialsError, NoRegionError

    if isinstance(exc, NoCredentialsError):
        return UserError(
            "prices update reads the AWS Price List API and found no AWS credentials; configure a profile "
            "(AWS_PROFILE) or keys allowed pricing:GetProducts, then run it again"
        )
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return UserError(
            f"the AWS Price List API refused the request: {error.get('Code', '?')}: {error.get('Message', '')}; "
            "the credentials need pricing:GetProducts"
        )
    if isinstance(exc, NoRegionError):
        return UserError(str(exc))
    return UserError(str(exc))


def run_update(args: argparse.Namespace, client: Any = None) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    regions = _regions(args.region)
    table = regional_prices.load_json(regional_prices.PRICES_FILE)
    try:
        client = client or price_list.pricing_client()
        document, result = price_list.update_document(
            table,
            client,
            regions,
            keys=args.key,
            progress=lambda what: print(f"  {what}", file=sys.stderr) if sys.stderr.isatty() else None,
        )
    except (BotoCoreError, ClientError) as exc:
        raise _api_error(exc) from exc
    except price_list.PriceListError as exc:
        raise UserError(str(exc)) from exc
    if not result.found and not result.missing and not result.skipped:
        raise UserError(f"--key {', '.join(args.key or [])}: no price key of insight/prices/aws.json starts with that")
    try:
        document = regional_prices.derive_document(
            document, regional_prices.load_json(regional_prices.REGIONS_FILE), regional_prices.commercial_regions()
        )
    except regional_prices.RegionalPricesError as exc:
        raise UserError(str(exc)) from exc
    old = {(r["key"], r["region"]): r["price"] for r in table["rows"]}
    changed = [f for f in result.found if old.get((f.key, f.region)) != f.price]
    for f in changed:
        print(f"  {f.region:<15} {f.key:<45} {old.get((f.key, f.region))} -> {f.price}")
    print(
        f"{len(result.found)} price(s) read from the AWS Price List API in {len(regions)} region(s), "
        f"{len(changed)} changed"
    )
    if result.missing:
        print(f"{len(result.missing)} not found (rows kept as they were):")
        for key, region, why in result.missing:
            print(f"  {region:<15} {key}: {why}")
    if result.skipped:
        print(f"not in the Price List queries (rows kept): {', '.join(result.skipped)}")
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    regional_prices.PRICES_FILE.write_text(regional_prices.dumps(document))
    print(f"wrote {regional_prices.PRICES_FILE}")
    return 0
