"""Capacity answers as text, JSON, CSV or a cost-against-load plot."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azfn_profile.capacity.model import Answer, describe, money, rate

if TYPE_CHECKING:
    from azfn_profile.capacity.run import Prepared, Result

PLOT_PLANS = 7  # compared plans drawn beside the profile's

COLUMNS = (
    "label",
    "sku",
    "memory_mb",
    "per_instance_rps",
    "instances",
    "always_ready",
    "p95_ms",
    "monthly_cost",
    "currency",
    "region",
    "price_date",
    "meets_target",
    "why",
)


def record(a: Answer) -> dict[str, Any]:
    rps = a.capacity.rps
    return {
        "label": a.label,
        "sku": a.spec.plan.sku,
        "memory_mb": a.spec.plan.memory_mb,
        "per_instance_rps": None if rps is None else round(rps, 2),
        "per_instance_concurrency": a.capacity.servers,
        "instances": a.instances,
        "instance_limit": a.capacity.limit,
        "always_ready": a.always_ready,
        "p95_ms": None if math.isinf(a.p95) else round(a.p95 * 1000, 1),
        "monthly_cost": None if a.bill is None else round(a.bill.total, 2),
        "cost_lines": []
        if a.bill is None
        else [{"what": w, "amount": round(v, 2)} for w, v in a.bill.lines],
        "currency": a.prices.currency,
        "region": a.prices.region,
        "price_date": a.prices.price_date or None,
        "meets_target": a.meets,
        "why": "; ".join(a.why) or None,
    }


def document(result: Result) -> dict[str, Any]:
    first = result.answers[0]
    return {
        "target": {
            "rps": first.rps,
            "p95_ms": None if first.p95_target is None else first.p95_target * 1000,
        },
        "call": {
            "ms": round(first.call.seconds * 1000, 3),
            "cpu_share": first.call.cpu_share,
            "source": first.call.source,
            "measured": first.call.measured,
        },
        "model": "M/M/c per instance over the calls it runs at once; load split evenly",
        "plans": [record(a) for a in result.answers],
        "not_compared": [{"plan": c.label, "why": c.refused} for c in result.skipped],
        "notes": result.notes,
    }


def render(result: Result, fmt: str, compare: bool) -> str:
    if fmt == "json":
        return json.dumps(document(result), indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(
            out, COLUMNS, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        for a in result.answers:
            writer.writerow(record(a))
        return out.getvalue()
    return _text(result, compare)


def _text(result: Result, compare: bool) -> str:
    first = result.answers[0]
    target = f"{first.rps:g} calls/s"
    if first.p95_target is not None:
        target += f", p95 within {first.p95_target * 1000:g} ms"
    lines = [
        f"target: {target}",
        f"call: {first.call.seconds * 1000:g} ms"
        + (
            ", CPU time unknown (only the worker's own CPU per call bounds it; "
            "--from-bench measures it)"
            if first.call.cpu_share is None
            else f", {first.call.cpu_share:.0%} of it computing"
        )
        + f" ({first.call.source})",
        (
            f"prices: {first.prices.region}, {first.prices.currency}, "
            f"{first.prices.price_date or 'date not given'}"
        ),
        "",
    ]
    lines += describe(first)
    if compare:
        lines += ["", "compared (meeting the target first, then by monthly cost):"]
        rows = [("plan", "per instance", "instances", "p95", "per month", "meets")]
        rows += [_row(a) for a in result.answers]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for r in rows:
            lines.append(
                "  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True))
                + "  "
                + r[5]
            )
        if result.skipped:
            lines.append("not compared (the plan cannot host this profile):")
            lines += [f"  {c.label}: {c.refused}" for c in result.skipped]
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines) + "\n"


def _row(a: Answer) -> tuple[str, str, str, str, str, str]:
    per = "unbounded" if a.capacity.rps is None else f"{rate(a.capacity.rps)}/s"
    p95 = "-" if math.isinf(a.p95) else f"{a.p95 * 1000:,.0f} ms"
    verdict = "yes" if a.meets else "no"
    if a.why:
        verdict += ": " + "; ".join(a.why)
    return (a.label, per, str(a.instances), p95, money(a), verdict)


def plot(
    ready: Prepared, result: Result, title: str, path: Path, *, force: bool
) -> None:
    """Monthly cost against load (log-log), one line per plan answered."""
    from azfn_profile.extras import require

    require("lab", "azfn-profile capacity --plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from azfn_profile.capacity.run import answer_all

    rps = result.answers[0].rps
    loads = [rps * 10 ** (k / 8) for k in range(-8, 9)]
    # The profile's plan and the cheapest others at --rps (meeting it first): a
    # line per catalog SKU would be unreadable.
    shown = [a.label for a in result.answers[: PLOT_PLANS + 1]]
    series: dict[str, list[tuple[float, bool]]] = {name: [] for name in shown}
    for load in loads:
        for a in answer_all(ready, load).answers:
            if a.label in series:
                cost = math.nan if a.bill is None else a.bill.total
                series[a.label].append((cost, a.meets))
    fig, ax = plt.subplots(figsize=(10, 5))
    for name, points in series.items():
        width = 2 if "(profile)" in name else 1
        costs = [c for c, _ in points]
        met = [c if ok else math.nan for c, ok in points]
        (line,) = ax.plot(loads, met, label=name, linewidth=width)
        # Where the plan cannot meet the target: the same colour, dotted.
        ax.plot(loads, costs, color=line.get_color(), linewidth=width, linestyle=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axvline(rps, color="grey", linestyle=":")
    ax.set_xlabel("calls per second, sustained (dotted: the target is not met)")
    first = result.answers[0]
    ax.set_ylabel(f"{first.prices.currency} per month ({first.prices.region})")
    ax.set_title(title)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=120, metadata={"Software": None})
    plt.close(fig)
    from azfn_profile.fileio import write_data

    write_data(path, png.getvalue(), force=force)
