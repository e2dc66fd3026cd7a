"""Every commercial region in the bundled price table: the rows no source gives, derived and marked.

``insight/prices/aws.json`` holds rows with a real source (transcribed from a price page, read from
the AWS Price List API by ``python -m stacks prices update``, status V or U) and rows derived from
them (status D). `derive_document` keeps the first kind and regenerates the second for every
commercial region botocore knows (`commercial_regions`): a derived row is the us-east-1 row times
the region's multiplier for the key's family (``insight/prices/regions.json``: compute, nat,
storage, each the ratio of an anchor price to us-east-1's), or the us-east-1 price itself for the
keys AWS prices the same everywhere (``uniform``). Every derived row says how it was made.

``python -m stacks prices derive`` rewrites the table; ``--check`` (and a test) fails when the
committed table is not what derivation gives, e.g. after a region appears in botocore.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from insight.cost import PRICES_FILE

REGIONS_FILE = PRICES_FILE.parent / "regions.json"
BASE_REGION = "us-east-1"
#: Where a derived row's source starts (how `derive_document` recognises rows it may replace).
DERIVED_PREFIXES = ("derived: ", "same as us-east-1: ")
#: The anchor of each multiplier family in regions.json.
ANCHORS = {"compute": "ec2_t3_micro_hour", "nat": "nat_gateway_hour", "storage": "s3_standard_gb_month"}


class RegionalPricesError(ValueError):
    """regions.json does not cover a region or a key (the message says which and what to add)."""


def commercial_regions() -> list[str]:
    """The regions of botocore's ``aws`` partition (its bundled endpoint data), sorted."""
    import botocore.loaders

    endpoints = botocore.loaders.Loader().load_data("endpoints")
    for partition in endpoints["partitions"]:
        if partition["partition"] == "aws":
            return sorted(partition["regions"])
    raise RegionalPricesError("botocore's endpoint data has no 'aws' partition")


def load_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def is_derived(row: Mapping[str, Any]) -> bool:
    return str(row.get("source", "")).startswith(DERIVED_PREFIXES)


def multiplier(regions: Mapping[str, Any], region: str, family: str) -> float:
    anchor = ANCHORS[family]
    return float(regions["regions"][region][anchor]) / float(regions["regions"][BASE_REGION][anchor])


def family_of(regions: Mapping[str, Any], key: str) -> tuple[str | None, str, str]:
    """``(family, "", "")`` for a scaled key, ``(None, status, reason)`` for a uniform one."""
    for prefix, (status, reason) in regions["uniform"].items():
        if key == prefix or key.startswith(prefix):
            return None, str(status), str(reason)
    for family, prefixes in regions["families"].items():
        if any(key.startswith(p) for p in prefixes):
            return str(family), "", ""
    raise RegionalPricesError(
        f"{REGIONS_FILE.name}: price key '{key}' is in no family and not uniform; add its prefix to "
        "'families' (compute, nat or storage) or to 'uniform' with the reason it is the same everywhere"
    )


def _significant(value: float) -> float:
    """Six significant digits: derived figures claim no more precision than that."""
    return float(f"{value:.6g}")


def derived_row(base: Mapping[str, Any], region: str, regions: Mapping[str, Any]) -> dict[str, Any]:
    family, status, reason = family_of(regions, base["key"])
    entry = regions["regions"][region]
    row = {k: base[k] for k in ("key", "unit", "description") if k in base}
    row["region"] = region
    if family is None:
        row["price"] = base["price"]
        row["source"] = f"same as us-east-1: {reason}"
        row["status"] = status
    else:
        factor = multiplier(regions, region, family)
        anchor = ANCHORS[family]
        row["price"] = _significant(float(base["price"]) * factor)
        how = f"{anchor} {entry[anchor]} / {regions['regions'][BASE_REGION][anchor]}"
        if entry.get("like"):
            how += f", anchors estimated as {entry['like']}'s"
        row["source"] = (
            f"derived: us-east-1 {base['price']} x {factor:.4f} ({family} multiplier of {region}: {how}; "
            f"insight/prices/regions.json). Exact figure: python -m stacks prices update --region {region}"
        )
        row["status"] = "D"
    row["as_of"] = regions["as_of"]
    return {
        k: row[k] for k in ("key", "region", "price", "unit", "description", "source", "as_of", "status") if k in row
    }


def derive_document(
    table: Mapping[str, Any], regions: Mapping[str, Any], region_names: Sequence[str]
) -> dict[str, Any]:
    """``table`` with a row for every (key, region): sourced rows kept, the rest derived (see the module)."""
    missing = [r for r in region_names if r not in regions["regions"]]
    if missing:
        raise RegionalPricesError(
            f"{REGIONS_FILE.name}: no anchors for {', '.join(missing)}; add each region's location, "
            f"{', '.join(ANCHORS.values())} and status (E with 'like' when no figure is published)"
        )
    keys: list[str] = []
    base: dict[str, Mapping[str, Any]] = {}
    kept: dict[tuple[str, str], Mapping[str, Any]] = {}
    for row in table["rows"]:
        if row["key"] not in keys:
            keys.append(row["key"])
        if row["region"] == BASE_REGION:
            base[row["key"]] = row
        if not is_derived(row):
            kept[(row["key"], row["region"])] = row
    no_base = [k for k in keys if k not in base]
    if no_base:
        raise RegionalPricesError(f"no {BASE_REGION} row for {', '.join(no_base)}: derivation scales that row")
    rows: list[Mapping[str, Any]] = []
    for key in keys:
        for region in sorted(region_names):
            rows.append(kept.get((key, region)) or derived_row(base[key], region, regions))
    return {**{k: v for k, v in table.items() if k != "rows"}, "rows": rows}


def dumps(document: Mapping[str, Any]) -> str:
    """The table as the repository keeps it: the header keys, then one row per line (reviewable diffs)."""
    head = {k: v for k, v in document.items() if k != "rows"}
    lines = ["{"]
    lines += [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    lines.append('  "rows": [')
    rows = [json.dumps(dict(r), ensure_ascii=False) for r in document["rows"]]
    lines += [f"    {r}," for r in rows[:-1]] + [f"    {rows[-1]}"]
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def derived_text(prices: Path | None = None, regions: Path | None = None) -> str:
    """The table (default: the bundled one) with its derived rows regenerated."""
    table, anchors = load_json(prices or PRICES_FILE), load_json(regions or REGIONS_FILE)
    return dumps(derive_document(table, anchors, commercial_regions()))


def write(prices: Path | None = None, regions: Path | None = None) -> Path:
    path = prices or PRICES_FILE
    path.write_text(derived_text(path, regions))
    return path


def counts(document: Mapping[str, Any], region_names: Iterable[str]) -> dict[str, int]:
    """Rows by status over ``region_names`` (V, U, D), for the docs and the command's summary."""
    wanted = set(region_names)
    out: dict[str, int] = {}
    for row in document["rows"]:
        if row["region"] in wanted:
            out[row["status"]] = out.get(row["status"], 0) + 1
    return dict(sorted(out.items()))
