"""Issue-by-issue checks that the rules follow the platform's source and docs.

Each test names the fact it holds the rules to; the fact's source is cited in the
rule itself (guidance.RULES, the check's `source`) and in docs/checks.md and
docs/rules.md.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from azfn_profile import catalog, cite, facts
from azfn_profile.checks import REGISTRY
from azfn_profile.guidance import RULES
from azfn_profile.lab.tune_cli import _Plan
from azfn_profile.validation import ProfileInvalid, validate
from tests.conftest import ROOT, TODAY, profile_data, spec_for


def extensions(**profile: Any) -> dict[str, Any]:
    ext = spec_for(**profile).host_json.get("extensions", {})
    assert isinstance(ext, dict)
    return ext


def test_http_and_servicebus_share_the_capacity_instead_of_each_taking_it() -> None:
    # examples/auto-premium.yaml: EP2, mixed io_share 0.3 -> 2 processes x 2 threads,
    # C = 4. HTTP and one Service Bus function: units 2, each 4 // 2 = 2, HTTP 4 - 2.
    ext = extensions(
        workload={"kind": "mixed", "io_share": 0.3, "memory_per_process_mb": 1536},
        triggers=["http", "servicebus"],
    )
    assert ext["http"] == {"maxConcurrentRequests": 2}
    assert ext["serviceBus"] == {"maxConcurrentCalls": 2}


def test_declared_functions_split_per_function_and_http_keeps_the_rest() -> None:
    # EP2 sync I/O, concurrency 48: threads max(6, 24) = 24, C = 48. Units: HTTP + 2
    # queue + 1 Service Bus = 4, each 12, HTTP 48 - 36 = 12.
    functions = [
        {"name": "accept", "trigger": "http"},
        {"name": "get", "trigger": "http"},
        {"name": "process", "trigger": "queue"},
        {"name": "notify", "trigger": "queue"},
        {"name": "sync", "trigger": "servicebus"},
    ]
    ext = extensions(workload={"kind": "io", "concurrency": 48}, functions=functions)
    assert ext["http"] == {"maxConcurrentRequests": 12}
    assert ext["queues"] == {"batchSize": 6, "newBatchThreshold": 6}  # 12, half ahead
    assert ext["serviceBus"] == {"maxConcurrentCalls": 12}
    # The mapping form says the same.
    assert (
        extensions(
            workload={"kind": "io", "concurrency": 48},
            functions={"http": 2, "queue": 2, "servicebus": 1},
        )
        == ext
    )


def test_blob_triggers_are_sized() -> None:
    # examples/image-resizer.yaml: EP3 CPU, 4 processes x 1 thread, C = 4; HTTP and
    # one blob function: 2 each (the blob default would be 8 x 4 = 32).
    ext = extensions(
        workload={"kind": "cpu"}, plan={"sku": "EP3"}, triggers=["http", "blob"]
    )
    assert ext["blobs"] == {"maxDegreeOfParallelism": 2}
    assert ext["http"] == {"maxConcurrentRequests": 2}


def test_queue_split_fetches_ahead_on_every_plan() -> None:
    # Sync I/O, one queue function, C = 2 x 6 = 12 on both 2-core SKUs. Target-based
    # scaling sizes an instance for batchSize + newBatchThreshold, not batchSize
    # alone (QueueTargetScaler: `_options.BatchSize + _options.NewBatchThreshold`,
    # Storage Queues extension 5.3.1, "Fixing target base scale instance concurrency
    # for queues", cite.QUEUE_TARGET_SCALER), so EP2 splits like P1v3: half per
    # batch, the rest fetched while it runs.
    for sku in ("EP2", "P1v3"):
        assert extensions(triggers=["queue"], plan={"sku": sku})["queues"] == {
            "batchSize": 6,
            "newBatchThreshold": 6,
        }
    # Above the cap of 32 the threshold takes the rest (C = 2 x 40 = 80).
    assert extensions(triggers=["queue"], workload={"kind": "io", "concurrency": 80})[
        "queues"
    ] == {"batchSize": 32, "newBatchThreshold": 48}


def test_flex_accepts_a_maximum_of_one_instance() -> None:
    spec = spec_for(plan={"sku": "FC1", "max_instances": 1})
    assert spec.function_app_config is not None
    scale = spec.function_app_config["scaleAndConcurrency"]
    assert isinstance(scale, dict) and scale["maximumInstanceCount"] == 1
    with pytest.raises(ProfileInvalid, match=r"less than or equal to 1000, got 1001"):
        validate(profile_data(plan={"sku": "FC1", "max_instances": 1001}), TODAY)


@pytest.mark.parametrize(("memory", "expected"), [(512, 4), (2048, 16), (4096, 32)])
def test_flex_async_default_follows_instance_size(memory: int, expected: int) -> None:
    spec = spec_for(
        workload={"kind": "io", "style": "async"},
        plan={"sku": "FC1", "instance_memory_mb": memory},
    )
    assert spec.function_app_config is not None
    scale = spec.function_app_config["scaleAndConcurrency"]
    assert isinstance(scale, dict)
    assert scale["triggers"] == {"http": {"perInstanceConcurrency": expected}}


@pytest.mark.parametrize(
    ("family", "vcpus", "expected"),
    [
        ("premium", 2.0, ((1, 6), "placeholder default")),
        ("consumption", 1.0, ((1, 5), "placeholder default")),
        ("flex", 0.25, ((1, 5), "placeholder default")),
        ("premium", 32.0, ((1, 32), "placeholder default")),
        ("dedicated", 2.0, ((1, 1000), "host default")),
        (None, None, ((1, 1000), "host default")),
    ],
)
def test_lab_default_baseline_is_the_plans_own(
    family: str | None, vcpus: float | None, expected: tuple[Any, str]
) -> None:
    assert _Plan(family=family, vcpus=vcpus).default() == expected


def test_unset_thread_note_says_which_default_applies() -> None:
    def note(sku: str) -> str:
        spec = spec_for(workload={"kind": "cpu"}, plan={"sku": sku})
        (decision,) = [d for d in spec.decisions if d.setting == facts.THREAD_COUNT]
        return decision.note

    assert note("EP3") == (
        "unset on EP3: the first worker process 8 threads (specialised from a "
        "placeholder: min(32, cores + 4)), the other 3 the host's 1000 each"
    )
    assert note("P2v3") == (
        "unset on P2v3: every worker process 1000 threads (the host's default)"
    )


def test_dynamic_concurrency_replaces_the_static_limits() -> None:
    spec = spec_for(functions={"http": 1, "queue": 2}, dynamic_concurrency=True)
    assert spec.host_json["concurrency"] == {
        "dynamicConcurrencyEnabled": True,
        "snapshotPersistenceEnabled": True,
    }
    ext = spec.host_json["extensions"]
    assert isinstance(ext, dict) and set(ext) == {"http"}
    assert ext["http"] == {"maxConcurrentRequests": 12}
    with pytest.raises(ProfileInvalid, match="covers queue, blob and Service Bus"):
        validate(profile_data(dynamic_concurrency=True), TODAY)


def test_explain_says_the_process_count_turns_off_worker_dynamic_scaling() -> None:
    # EnvironmentExtensions.IsWorkerDynamicConcurrencyEnabled: `bool.TryParse(
    # FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED)` and an empty
    # FUNCTIONS_WORKER_PROCESS_COUNT, else false: opt-in, and off with any count
    # (azure-functions-host@89dc438d, src/WebJobs.Script/Environment/
    # EnvironmentExtensions.cs).
    text = RULES["workers.processes"].text
    assert "is opt-in, with FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED" in text
    assert "any FUNCTIONS_WORKER_PROCESS_COUNT turns it off" in text
    assert cite.HOST_ENVIRONMENT in RULES["workers.processes"].sources


def test_http_back_pressure_is_offered() -> None:
    ext = extensions(http={"max_outstanding": 50})
    assert ext["http"] == {"maxConcurrentRequests": 12, "maxOutstandingRequests": 50}
    with pytest.raises(ProfileInvalid, match="perInstanceConcurrency"):
        validate(profile_data(plan={"sku": "FC1"}, http={"max_outstanding": 50}), TODAY)
    with pytest.raises(ProfileInvalid, match="apps with an HTTP function"):
        validate(profile_data(triggers=["queue"], http={"max_outstanding": 5}), TODAY)


def test_smaller_corrections() -> None:
    skus = catalog.skus()
    assert skus["P0v3"].tier == "Premium0V3"
    assert (skus["I6v2"].vcpu, skus["I6v2"].memory_mb) == (64, 262144)
    assert "WorkerProcessCountOptions.cs" in REGISTRY["AZFN101"].source
    assert "_maxAllowedProcessCount" not in REGISTRY["AZFN101"].why
    assert "unconfirmed" not in REGISTRY["AZFN110"].why
    assert facts.FLEX_MIN_INSTANCES == 1


def test_every_sku_row_cites_a_page_and_unconfirmed_rows_say_what_was_searched() -> (
    None
):
    for sku in catalog.skus().values():
        assert "https://" in sku.source, sku.name
        if not sku.confirmed:
            assert "unconfirmed" in sku.source, sku.name
    dedicated = [s for s in catalog.skus().values() if s.name[:1] in "BS"]
    assert all("searched" in s.source for s in dedicated)


INTERNAL = re.compile(
    r"FACTS|§|iac-anchors|\bD-[A-Z0-9]+\b|\bGUIDE\b|FLEXS|ASP-3P|platform-facts"
)


def test_citations_are_pages_and_files_a_user_can_open() -> None:
    texts = [g.text + " ".join(g.sources) for g in RULES.values()]
    texts += [c.why + c.source for c in REGISTRY.values()]
    texts += [s.source for s in catalog.skus().values()]
    for name in ("checks.md", "rules.md", "skus.md"):
        texts.append((ROOT / "docs" / name).read_text())
    texts.append((ROOT / "azfn_profile" / "data" / "skus.yaml").read_text())
    for text in texts:
        assert not INTERNAL.search(text), INTERNAL.search(text)
    for guidance in RULES.values():
        for source in guidance.sources:
            assert (
                source.startswith("https://")
                or "azfn-profile" in source
                or ("profile" in source)
            ), source


HOST_PARSE = (
    "https://github.com/Azure/azure-functions-host/blob/"
    "89dc438d476542786f2fc4070f553423213a6223/src/WebJobs.Script/Workers/Rpc/"
    "Configuration/RpcWorkerConfigFactory.cs#L250-L265"
)


@pytest.mark.parametrize(
    ("value", "runs", "fails"),
    [
        ("4", 4, False),
        ("+4", 4, False),  # int.Parse reads a sign and blanks
        (" 4\t", 4, False),
        ("0", 1, False),  # `> 1 ? n : 1`: zero and below run one process
        ("-3", 1, False),
        ("", 1, False),  # empty is not read: the default, one
        ("10", 10, False),
        ("11", None, True),  # over MaxProcessCount: no Python worker at all
        ("4.0", None, True),  # int.Parse throws: no Python worker at all
        ("0x4", None, True),
        ("１１", None, True),  # fullwidth digits: not ASCII, .NET refuses them
        ("2147483648", None, True),  # past 32 bits
    ],
)
def test_the_process_count_is_read_as_the_host_reads_it(
    value: str, runs: int | None, fails: bool
) -> None:
    """RpcWorkerConfigFactory.GetWorkerProcessCount: `int.Parse(value) > 1 ?
    int.Parse(value) : 1`, then ProcessCount > MaxProcessCount (10) throws, and the
    worker-config loop logs 'Failed to initialize worker provider' and adds no worker
    (HOST_PARSE)."""
    from azfn_profile.checks import _facts
    from azfn_profile.checks._base import Target

    spec = spec_for(plan={"sku": "EP3"})
    settings = {**spec.app_settings, facts.PROCESS_COUNT: value}
    target = Target(replace(spec, app_settings=settings))
    failures = list(REGISTRY["AZFN101"].run(target, TODAY))
    assert bool(failures) == fails, failures
    if runs is not None:
        assert _facts.processes(target) == runs
        assert target.spec.processes == runs  # what the rules and `explain` read
    assert cite.HOST_WORKER_CONFIG in REGISTRY["AZFN101"].source


def test_a_plan_name_may_have_60_characters() -> None:
    """Microsoft.Web/serverfarms names are 1-60 characters (resource-name-rules:
    https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftweb)."""
    validate(profile_data(names={"plan": "p" * 60}), TODAY)
    with pytest.raises(
        ProfileInvalid, match=re.escape("plan: must be 1-60 characters")
    ):
        validate(profile_data(names={"plan": "p" * 61}), TODAY)
