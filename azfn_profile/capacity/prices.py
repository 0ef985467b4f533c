"""Prices as data: the Azure Retail Prices API's items, read and picked by meter.

The shipped table (data/prices.json) and a user's `--prices FILE` share one shape,
the API's own response (`{"Items": [...]}`, or a list of responses or of items), so
an export of https://prices.azure.com/api/retail/prices can be given as it is. Only
the meters capacity needs are read; an item of the wrong shape is a located error.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

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
        return self._hourly.get(_fold(sku))

    @functools.cached_property
    def _hourly(self) -> Mapping[str, Meter]:
        found: dict[str, Meter] = {}
        for (service, product, name, _), meter in sorted(self.meters.items()):
            if (
                service == "azure app service"
                and product.endswith("plan - linux")
                and meter.unit == "hour"
            ):
                found.setdefault(name, meter)
        return found


def for_region(tables: Sequence[Prices], region: str) -> Prices | None:
    """The table for `region` (as the API spells it, any case), if there is one."""
    return next((t for t in tables if t.region == region.casefold()), None)


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


@functools.cache
def shipped() -> tuple[Prices, ...]:
    """The table shipped with the package (one region)."""
    data = json.loads(_DATA.read_text("utf-8"))
    return tuple(parse(data, "package prices"))


def _items(data: Any, display: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, item) for every item of one API response, a list of responses (the
    pages), or a list of items; any other shape is a located error."""
    found: list[tuple[str, Any]] = []
    if isinstance(data, dict) and "Items" in data:
        found += _page("Items", data["Items"], display)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, dict) and "Items" in value:
                found += _page(f"[{i}].Items", value["Items"], display)
            else:
                found.append((f"[{i}]", value))
    else:
        _refuse(display, "", _SHAPE)
    for where, item in found:
        if not isinstance(item, dict):
            _refuse(
                display, where, "an item is an object (serviceName, meterName, ...)"
            )
        yield where, item


_SHAPE = (
    'expected a Retail Prices API response ({"Items": [...]}), a list of them, or '
    "a list of items"
)


def _page(where: str, items: Any, display: str) -> list[tuple[str, Any]]:
    if not isinstance(items, list):
        _refuse(display, where, _SHAPE)
    return [(f"{where}[{i}]", item) for i, item in enumerate(items)]


def _refuse(display: str, where: str, what: str) -> NoReturn:
    raise InputError([Problem(display, f"{where or 'the document'}: {what}")])


_TEXT = ("serviceName", "productName", "skuName", "meterName", "unitOfMeasure")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_REGION = re.compile(r"^[a-z0-9]{1,64}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_PER = 1e9  # the most units one priced unit counts ("10" executions, "100 Hours")


def _text(item: Mapping[str, Any]) -> str | None:
    """The first text field that is missing, not text, or holds control characters."""
    for key in _TEXT:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip() or _CONTROL.search(value):
            return key
    return None


def _number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value < 1e12
    )


def parse(data: Any, display: str) -> Iterator[Prices]:
    """Tables by region from API items; other price types and services skipped.
    Every item used is checked: text without control characters, prices and tiers
    finite and non-negative, a region and currency as the API spells them, a unit
    with a positive count; two prices for one tier of one meter are refused."""
    header = data if isinstance(data, dict) else {}
    default_currency = header.get("BillingCurrency", "USD")
    regions: dict[
        str, dict[str, dict[tuple[str, str, str, str], dict[float, Any]]]
    ] = {}
    for where, item in _items(data, display):
        kind = item.get("type", "Consumption")
        service = item.get("serviceName")
        if kind != "Consumption" or not isinstance(service, str):
            continue
        if service.casefold() not in ("functions", "azure app service"):
            continue
        bad = _text(item)
        price = item.get("unitPrice", item.get("retailPrice"))
        tier = item.get("tierMinimumUnits", 0.0)
        region = item.get("armRegionName")
        currency = item.get("currencyCode", default_currency)
        if bad is not None:
            _refuse(display, where, f"{bad} missing or not a valid value")
        if not _number(price) or not _number(tier):
            _refuse(
                display,
                where,
                "unitPrice or tierMinimumUnits missing or not a "
                "valid value (a number from 0)",
            )
        if not isinstance(region, str) or not _REGION.match(region.casefold()):
            _refuse(display, where, "armRegionName missing or not a region name")
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            _refuse(display, where, "currencyCode missing or not a currency code")
        per = _per(item["unitOfMeasure"])
        if per is None:
            _refuse(
                display,
                where,
                f"unitOfMeasure {item['unitOfMeasure']!r}: not a "
                f"unit this tool reads (a count from 1 to {MAX_PER:g} and a unit)",
            )
        key = (
            service.casefold(),
            item["productName"].casefold(),
            _fold(item["skuName"]),
            _fold(item["meterName"]),
        )
        tiers = regions.setdefault(region.casefold(), {}).setdefault(currency, {})
        rows = tiers.setdefault(key, {})
        row = (float(price), item["meterName"], item["unitOfMeasure"])
        if rows.get(float(tier), row)[0] != row[0]:
            _refuse(
                display,
                where,
                f"a second price for meter {item['meterName']!r} "
                f"from {tier:g} units ({rows[float(tier)][0]:g} and {price:g})",
            )
        rows[float(tier)] = row
    date = header.get("price_date")
    source = header.get("source")
    for region, currencies in sorted(regions.items()):
        if len(currencies) > 1:
            _refuse(
                display,
                "",
                f"region {region} is priced in several currencies "
                f"({', '.join(sorted(currencies))}): export one currency",
            )
        ((currency, meters),) = currencies.items()
        yield Prices(
            region=region,
            currency=currency,
            price_date=date if isinstance(date, str) and _DATE.match(date) else "",
            source=source
            if isinstance(source, str) and not _CONTROL.search(source)
            else display,
            meters={key: _meter(rows) for key, rows in meters.items()},
        )


def _per(unit: str) -> float | None:
    number = _UNIT.match(unit)
    if number is None:
        return None
    count = float(number.group(1)) if number.group(1) else 1.0
    return count if 1 <= count <= MAX_PER else None


def _meter(rows: Mapping[float, tuple[float, str, str]]) -> Meter:
    tiers = sorted(rows.items())
    _, (_, name, unit_text) = tiers[0]
    per = _per(unit_text)
    assert per is not None  # checked when read
    unit = _UNIT.match(unit_text).group(2).strip().casefold()  # type: ignore[union-attr]
    unit = {"gb second": "gb-s", "gib hour": "gib-hour", "": "count"}.get(unit, unit)
    return Meter(
        name=name,
        unit=unit,
        per=per,
        tiers=tuple((start, price) for start, (price, _, _) in tiers),
    )
