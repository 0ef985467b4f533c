"""App settings: the computed ones, then the profile's overrides (traced)."""

from __future__ import annotations

from azfn_profile import facts
from azfn_profile.profile import Profile
from azfn_profile.rules._trace import Trace


def override_int(profile: Profile, name: str) -> int | None:
    """An override of a worker setting, already validated as a whole number."""
    from azfn_profile.numbers import ascii_int

    for key, value in profile.app_settings.items():
        if key.upper() == name:
            return ascii_int(value)
    return None


def app_settings(
    profile: Profile,
    *,
    flex: bool,
    process_count: int | None,
    thread_count: int,
    trace: Trace,
) -> dict[str, str]:
    """Computed settings (decisions already recorded for worker counts) + overrides."""
    computed: dict[str, str] = {}
    if not flex:
        computed[facts.EXTENSION_VERSION] = trace.record(
            facts.EXTENSION_VERSION,
            "~4",
            "runtime.extension-version",
            {},
        )
        computed[facts.WORKER_RUNTIME] = trace.record(
            facts.WORKER_RUNTIME,
            "python",
            "runtime.worker-runtime",
            {},
        )
        assert process_count is not None
        computed[facts.PROCESS_COUNT] = str(process_count)
    computed[facts.THREAD_COUNT] = str(thread_count)
    by_folded = {name.upper(): name for name in computed}
    for key, value in profile.app_settings.items():
        name = by_folded.get(key.upper(), key)
        rule = "override" if name in computed else "profile.extra-setting"
        trace.record(name, value, rule, {"computed": computed.get(name)})
        computed[name] = value
    return dict(sorted(computed.items(), key=lambda item: item[0].upper()))
