"""Prices as data: the Azure Retail Prices API's items, read and picked by meter.

The shipped table (data/prices.json) and a user's `--prices FILE` share one shape,
the API's own response (`{"Items": [...]}`, or a list of responses or of items), so
an export of https://prices.azure.com/api/retail/prices can be given as it is. Only
the meters capacity needs are read; an item of the wrong shape is a located error.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azfn_profile.errors import InputError, Problem

_DATA = Path(__file__).resolve().parent.parent / "data" / "prices.json"
_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)?\s*(.*)$")
# Which products carry each billing model's meters (serviceName, productName).
FLEX = ("functions", "flex consumption")
CONSUMPTION = ("functions", "functions")
PREMIUM = ("functions", "premium functions")


@dataclass(frozen=True)
class Meter:
    """One meter's price tiers: (from units, price per unit), units of `per` each."""

    name: str
    unit: str
    per: float  # how many of the quantity one unit counts ("10" executions)
    tiers: tuple[tuple[float, float], ...]

    def cost(self, quantity: float) -> float:
        """The price of `quantity` (executions, GB-s, hours) through the tiers."""
        units = quantity / self.per
        total = 0.0
        for i, (start, price) in enumerate(self.tiers):
            end = self.tiers[i + 1][0] if i + 1 < len(self.tiers) else float("inf")
            if units > start:
                total += (min(units, end) - start) * price
        return total

    @property
    def free(self) -> float:
        """The quantity a free tier covers (0 when the first tier is priced)."""
        if len(self.tiers) > 1 and self.tiers[0][1] == 0:
            return self.tiers[1][0] * self.per
        return 0.0

    @property
    def rate(self) -> float:
        """The price per one of the quantity past any free tier."""
        return self.tiers[-1][1] / self.per


@dataclass(frozen=True)
class Prices:
    region: str
    currency: str
    price_date: str  # when the prices were taken ("" when the file does not say)
    source: str
    meters: Mapping[tuple[str, str, str, str], Meter]  # (service, product, sku, meter)

    def meter(self, product: tuple[str, str], sku: str, meter: str) -> Meter | None:
        return self.meters.get((*product, _fold(sku), _fold(meter)))

    def dedicated_hourly(self, sku: str) -> Meter | None:
        """An App Service plan's Linux instance-hour meter ('P1 v3' is P1v3)."""
        want = _fold(sku)
        for (service, product, name, _), found in sorted(self.meters.items()):
            if (
                service == "azure app service"
                and product.endswith("plan - linux")
                and name == want
                and found.unit == "hour"
            ):
                return found
        return None


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


@functools.cache
def shipped() -> tuple[Prices, ...]:
    """The table shipped with the package (one region)."""
    data = json.loads(_DATA.read_text("utf-8"))
    return tuple(parse(data, "package prices"))


def _items(data: Any, display: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, item) for every item of a response, a list of them, or a list."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict) and "Items" in value:
            stack.append((f"{where}Items", value["Items"]))
        elif isinstance(value, list):
            stack.extend(
                (f"{where}[{i}]", v) for i, v in reversed(list(enumerate(value)))
            )
        elif isinstance(value, dict):
            yield where, value
        else:
            raise InputError(
                [
                    Problem(
                        display,
                        f"{where or 'the document'}: expected a Retail Prices API "
                        'response ({"Items": [...]}) or a list of items',
                    )
                ]
            )


_TEXT = ("serviceName", "productName", "skuName", "meterName", "unitOfMeasure")


def parse(data: Any, display: str) -> Iterator[Prices]:
    """Tables by region from API items; other price types and services skipped."""
    header = data if isinstance(data, dict) else {}
    regions: dict[tuple[str, str], dict[tuple[str, str, str, str], list[Any]]] = {}
    for where, item in _items(data, display):
        kind = item.get("type", "Consumption")
        service = item.get("serviceName")
        if kind != "Consumption" or not isinstance(service, str):
            continue
        if service.casefold() not in ("functions", "azure app service"):
            continue
        bad = [k for k in _TEXT if not isinstance(item.get(k), str)]
        price = item.get("unitPrice", item.get("retailPrice"))
        tier = item.get("tierMinimumUnits", 0.0)
        region = item.get("armRegionName")
        currency = item.get("currencyCode", header.get("BillingCurrency"))
        numbers_ok = all(
            isinstance(n, int | float) and not isinstance(n, bool) and 0 <= n < 1e12
            for n in (price, tier)
        )
        if bad or not numbers_ok or not isinstance(region, str):
            what = ", ".join(bad) or (
                "armRegionName" if not isinstance(region, str) else "unitPrice"
            )
            raise InputError(
                [Problem(display, f"{where}: {what} missing or not a valid value")]
            )
        key = (
            service.casefold(),
            str(item["productName"]).casefold(),
            _fold(item["skuName"]),
            _fold(item["meterName"]),
        )
        table = regions.setdefault((region.casefold(), str(currency or "USD")), {})
        table.setdefault(key, []).append(
            (float(tier), float(price), item["meterName"], item["unitOfMeasure"])
        )
    for (region, currency), rows in sorted(regions.items()):
        yield Prices(
            region=region,
            currency=currency,
            price_date=str(header.get("price_date", "")),
            source=str(header.get("source", display)),
            meters={key: _meter(tiers) for key, tiers in rows.items()},
        )


def _meter(rows: Sequence[tuple[float, float, str, str]]) -> Meter:
    rows = sorted(set(rows))
    number, unit = _UNIT.match(rows[0][3]).groups()  # type: ignore[union-attr]
    unit = unit.strip().casefold()
    unit = {"gb second": "gb-s", "gib hour": "gib-hour", "": "count"}.get(unit, unit)
    return Meter(
        name=rows[0][2],
        unit=unit,
        per=float(number) if number else 1.0,
        tiers=tuple((start, price) for start, price, _, _ in rows),
    )
