"""Properties that hold for every valid profile (hypothesis)."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from azfn_profile import facts
from azfn_profile.catalog import skus
from azfn_profile.render import RENDERERS
from azfn_profile.rules import resolve
from azfn_profile.spec import AppSpec
from azfn_profile.terms import Trigger
from azfn_profile.validation import ProfileInvalid, validate
from tests.conftest import TODAY

pytestmark = pytest.mark.slow  # hypothesis over generated profiles

TRIGGERS = list(get_args(Trigger))


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["io", "cpu", "mixed"]))
    workload: dict[str, Any] = {
        "kind": kind,
        "style": draw(st.sampled_from(["sync", "async"])),
    }
    if kind == "mixed" and draw(st.booleans()):
        workload["io_share"] = draw(st.floats(0.01, 0.99))
    if draw(st.booleans()):
        workload["concurrency"] = draw(st.integers(1, 5000))
    if draw(st.booleans()):
        workload["memory_per_process_mb"] = draw(st.integers(16, 8192))
    sku = draw(st.sampled_from([*skus(), "auto"]))
    plan: dict[str, Any] = {"sku": sku}
    family = (
        skus()[sku].family
        if sku != "auto"
        else draw(st.sampled_from(["flex", "premium", "dedicated", "consumption"]))
    )
    if sku == "auto":
        plan["family"] = family
        if draw(st.booleans()):
            plan["min_cores"] = draw(st.sampled_from([0.25, 1, 2, 4, 8]))
    if family == "flex" and draw(st.booleans()):
        plan["instance_memory_mb"] = draw(st.sampled_from([512, 2048, 4096]))
    pythons = (
        ["3.11", "3.12"]
        if family == "consumption"
        else ["3.11", "3.12", "3.13", "3.14"]
    )
    triggers = draw(
        st.lists(st.sampled_from(TRIGGERS), min_size=1, max_size=4, unique=True)
    )
    settings_: dict[str, str] = {}
    if family != "flex" and draw(st.booleans()):
        settings_[facts.PROCESS_COUNT] = str(draw(st.integers(1, 10)))
    if draw(st.booleans()):
        settings_[facts.THREAD_COUNT] = str(draw(st.integers(1, 512)))
    if draw(st.booleans()):
        settings_["MY_SETTING"] = draw(st.text(max_size=20))
    name = draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,40}[a-z0-9]", fullmatch=True))
    return {
        "name": name,
        "python": draw(st.sampled_from(pythons)),
        "workload": workload,
        "plan": plan,
        "triggers": triggers,
        "app_settings": settings_,
    }


def resolved(data: dict[str, Any]) -> AppSpec:
    try:
        profile = validate(data, TODAY)
    except ProfileInvalid:
        assume(False)  # sku: auto with no SKU that fits: rejected, not resolved
        raise
    return resolve(profile)


@settings(max_examples=400, deadline=None)
@given(profiles())
def test_worker_counts_are_in_range(data: dict[str, Any]) -> None:
    spec = resolved(data)
    if spec.plan.family == "flex":
        assert spec.processes is None
    else:
        assert spec.processes is not None and 1 <= spec.processes <= 10
    assert spec.threads is not None and spec.threads >= 1


@settings(max_examples=400, deadline=None)
@given(profiles())
def test_flex_never_carries_a_deprecated_setting(data: dict[str, Any]) -> None:
    spec = resolved(data)
    if spec.plan.family == "flex":
        assert not facts.FLEX_DEPRECATED_SETTINGS & {
            k.upper() for k in spec.app_settings
        }
        assert spec.function_app_config is not None
    else:
        assert spec.function_app_config is None


@settings(max_examples=400, deadline=None)
@given(profiles())
def test_cpu_work_gets_one_thread_unless_overridden(data: dict[str, Any]) -> None:
    spec = resolved(data)
    overridden = facts.THREAD_COUNT in data["app_settings"]
    if data["workload"]["kind"] == "cpu" and not overridden:
        assert spec.threads == 1


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_output_is_deterministic(data: dict[str, Any]) -> None:
    first, second = resolved(data), resolved(dict(data))
    for render in RENDERERS.values():
        assert render(first) == render(second)


@settings(max_examples=300, deadline=None)
@given(profiles())
def test_queue_batches_stay_within_platform_limits(data: dict[str, Any]) -> None:
    extensions = resolved(data).host_json.get("extensions", {})
    assert isinstance(extensions, dict)
    queues = extensions.get("queues")
    if queues is not None:
        assert isinstance(queues, dict)
        assert 1 <= queues["batchSize"] <= 32 and queues["newBatchThreshold"] >= 0
