"""The command line: a thin click layer. The only module that prints or exits."""

from __future__ import annotations

import math
import os
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import click

from azfn_profile import __version__, sink
from azfn_profile.clock import today
from azfn_profile.errors import AzfnProfileError
from azfn_profile.findings import Severity
from azfn_profile.render import RENDERERS

if TYPE_CHECKING:
    from azfn_profile.lab.bench import Interrupted

EXIT_INPUT, EXIT_INTERNAL = 2, 3
EXIT_INTERRUPTED = 128 + signal.SIGINT  # Ctrl-C in `bench`/`tune`: 130
STDOUT = Path("-")  # `-o -`: standard output
CHECK_ID = re.compile(r"AZFN\d{3}", re.IGNORECASE)
F = TypeVar("F", bound=Callable[..., Any])


class _Finite(click.FloatRange):
    """A float range that refuses nan and the infinities, which click's FloatRange
    lets through when a bound is open."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


class _Group(click.Group):
    """Maps expected failures to exit 2 and bugs to exit 3, never a bare traceback;
    everything printed, errors included, goes through the one sink (`sink`)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with sink.installed():
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # output piped into `head` and closed: not an error
            sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115 - silences the final flush
            ctx.exit(0)
        except AzfnProfileError as exc:
            click.echo(str(exc), err=True)
            ctx.exit(EXIT_INPUT)
        except Exception as exc:  # noqa: BLE001 - a bug: say so, no bare traceback
            click.echo(f"azfn-profile: internal error: {exc!r}", err=True)
            click.echo(
                "please report it with the command you ran "
                "(set AZFN_PROFILE_DEBUG=1 for the traceback)",
                err=True,
            )
            if os.environ.get("AZFN_PROFILE_DEBUG"):
                import traceback

                traceback.print_exc()
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="azfn-profile")
def cli() -> None:
    """Throughput settings for Python apps on Azure Functions, from a workload profile."""


_PROFILE = click.argument("profile", type=click.Path(path_type=Path, dir_okay=True))


@cli.command()
@_PROFILE
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*RENDERERS, "all"]),
    default="json",
    show_default=True,
    help="What to print; `all` writes every file format into the -o directory.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to this file (a directory with --format all), atomically; "
    "- is standard output.",
)
@click.option(
    "--force", is_flag=True, help="Replace an existing output file that differs."
)
def render(profile: Path, fmt: str, output: Path | None, force: bool) -> None:
    """Resolve PROFILE and print its settings in one format."""
    from azfn_profile.engine import resolve_file

    if output == STDOUT:
        output = None
        if fmt == "all":
            raise click.UsageError(
                "--format all writes several files: give -o DIRECTORY, not -"
            )
    if fmt == "all" and output is None:
        raise click.UsageError("--format all writes several files: give -o DIRECTORY")
    spec = resolve_file(profile, today=today())
    if fmt == "all":
        from azfn_profile.fileio import write_bundle
        from azfn_profile.render import render_bundle

        assert output is not None
        written = write_bundle(output, render_bundle(spec), force=force)
        click.echo(
            f"wrote {len(written)} file(s) to {output}: {', '.join(written)}"
            if written
            else f"unchanged: {output}",
            err=True,
        )
        return
    text = RENDERERS[fmt](spec)
    if output is None:
        click.echo(text, nl=False)
        return
    if fmt == "host-json" and output.is_file():
        from azfn_profile.render.host_merge import merge_into_file

        for line in merge_into_file(output, spec.host_json, force=force):
            click.echo(line, err=True)
        return
    from azfn_profile.fileio import write_output

    changed = write_output(output, text, force=force)
    click.echo(f"{'wrote' if changed else 'unchanged'}: {output}", err=True)


@cli.command()
@click.argument("app", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the profile here (never over an existing file without --force).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing -o file.")
@click.option("--sku", help="The plan SKU (default: sku auto, family premium).")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 100_000),
    help="Peak in-flight invocations per instance.",
)
@click.option("--function", "function", help="Describe this function only.")
@click.option("--name", help="The site name (default: from the app's folder).")
@click.option(
    "--python",
    "python",
    metavar="VERSION|PATH",
    help='The Python version, e.g. "3.12", or the app\'s interpreter (its '
    "virtualenv's python): the draft takes its version, and --measure runs the app "
    "with it.",
)
@click.option(
    "--measure",
    is_flag=True,
    help="Run the app briefly in the lab (needs the lab extra) to measure memory "
    "per process and, for mixed work, the I/O share.",
)
def init(
    app: Path,
    output: Path | None,
    force: bool,
    sku: str | None,
    concurrency: int | None,
    function: str | None,
    name: str | None,
    python: str | None,
    measure: bool,
) -> None:
    """Draft a profile from the code of the function app at APP (read, not run)."""
    from azfn_profile.init import run_init

    if output == STDOUT:
        output = None
    text, note = run_init(
        app,
        output,
        sku=sku,
        concurrency=concurrency,
        function=function,
        name=name,
        python=python,
        measure=measure,
        today=today(),
        say=lambda line: click.echo(line, err=True),
    )
    if output is None:
        click.echo(text, nl=False)
        return
    from azfn_profile.fileio import write_output

    changed = write_output(output, text, force=force)
    click.echo(f"{'wrote' if changed else 'unchanged'}: {output}{note}", err=True)


@cli.command()
@click.argument("target")
def explain(target: str) -> None:
    """Explain a profile's settings (PROFILE) or a check (AZFN101)."""
    from azfn_profile.checks import REGISTRY

    if CHECK_ID.fullmatch(target) and not Path(target).exists():
        if target.upper() not in REGISTRY:
            raise click.UsageError(
                f"{target}: no such check; `azfn-profile checks` lists them"
            )
        from azfn_profile.docs_checks import check_doc

        click.echo(check_doc(REGISTRY[target.upper()]), nl=False)
        return
    from azfn_profile.checking import run_checks
    from azfn_profile.engine import load_profile
    from azfn_profile.explain import explain as explain_spec
    from azfn_profile.sources.profile import check_profile

    day = today()
    source, findings = check_profile(load_profile(Path(target), today=day))
    findings += run_checks([source], day)
    click.echo(explain_spec(source.target.spec, findings), nl=False)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json", "sarif", "github", "junit", "markdown"]),
    help="The format printed (and written by -o FILE without a format).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Lowest severity that makes the exit code 1 [default: error].",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    metavar="[FORMAT=]FILE",
    multiple=True,
    help="Write the report to FILE instead of standard output, or FORMAT=FILE to "
    "write that format there; repeat it to write several formats in one run (- is "
    "standard output).",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Report only findings not recorded in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record today's findings as the baseline, then exit 0.",
)
@click.option(
    "--parameters",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A deploymentParameters file to apply to every template checked.",
)
@click.option(
    "--var-file",
    "var_files",
    metavar="FILE",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A Terraform variables file (.tfvars, .tfvars.json) to apply to every "
    "Terraform root checked, after terraform.tfvars and *.auto.tfvars, as "
    "`terraform plan -var-file` does; repeatable, later files win. Each root is "
    "then read once, with these files, instead of once per .tfvars file found.",
)
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    help="The repository's root: SARIF file URIs are relative to it (uriBaseId "
    "SRCROOT) and its .azfn-profile.yaml or pyproject.toml [tool.azfn-profile] "
    "holds check's settings [default: the repository holding the current folder, "
    "else the current folder].",
)
@click.option(
    "--check",
    "only",
    metavar="PATTERN",
    multiple=True,
    help="Report only these checks: IDs or names, wildcards allowed (AZFN1*, "
    "security.*); repeatable or comma-separated.",
)
@click.option(
    "--skip-check",
    metavar="PATTERN",
    multiple=True,
    help="Never report these checks (IDs or names, wildcards allowed).",
)
@click.option(
    "--skip-path",
    metavar="GLOB",
    multiple=True,
    help="Do not read files or folders matching this glob (relative to each path "
    "checked, e.g. 'examples/*' or 'legacy'); repeatable.",
)
@click.option(
    "--passed",
    "show_passed",
    is_flag=True,
    help="Also list the checks each app passes (text and Markdown: one line per "
    "app; JSON: the passing findings; SARIF: run properties).",
)
def check(
    paths: tuple[Path, ...],
    fmt: str,
    fail_on: Severity | None,
    outputs: tuple[str, ...],
    baseline: Path | None,
    write_baseline: Path | None,
    parameters: Path | None,
    var_files: tuple[Path, ...],
    root: Path | None,
    only: tuple[str, ...],
    skip_check: tuple[str, ...],
    skip_path: tuple[str, ...],
    show_passed: bool,
) -> None:
    """Check profiles, templates (ARM, Bicep, Terraform), Pulumi preview and
    Terraform plan output, app code and host.json files, or whole folders of them,
    against the checks (default: the current folder). `-` reads a `pulumi preview
    --json` document or a Terraform plan (`terraform show -json tfplan`) from
    standard input."""
    from azfn_profile import config
    from azfn_profile import report as reports
    from azfn_profile.fileio import write_output
    from azfn_profile.report import FORMATS, Report
    from azfn_profile.sources.scan import scan

    paths = paths or (Path(),)
    if sum(1 for p in paths if str(p) == "-") > 1:
        raise click.UsageError("`-` (standard input) can be named only once")
    targets = _outputs(outputs, fmt)
    base = _root(root)
    settings = config.merged(
        config.load(base),
        check=_patterns(only),
        skip_check=_patterns(skip_check),
        skip_path=_patterns(skip_path),
        fail_on=fail_on,
    )
    from azfn_profile.checks import REGISTRY

    unmatched = settings.unmatched([(c.id, c.name) for c in REGISTRY.values()])
    if unmatched:
        raise click.UsageError(
            f"{', '.join(unmatched)} names no check (`azfn-profile checks` lists them)"
        )
    day = today()
    prints = reports.load_baseline(baseline) if baseline is not None else frozenset()
    found = scan(
        paths, day, parameters, skip_paths=settings.skip_path, var_files=var_files
    )
    if not found.found and not found.fatal:
        raise click.UsageError(
            f"nothing to check in {', '.join(map(str, paths))}: no profile (.yaml, "
            ".yml), ARM template, parameter or preview file (.json), Bicep file "
            "(.bicep, .bicepparam), Terraform file (.tf, .tf.json, .tfvars), app "
            "code (function_app.py) or host.json"
        )
    if write_baseline is not None:
        recorded = Report.from_scan(found, day, select=settings.selects)
        write_output(write_baseline, reports.write_baseline(recorded), force=True)
        click.echo(
            f"recorded {len(recorded.failures)} finding(s) in {write_baseline}",
            err=True,
        )
        return
    report = Report.from_scan(
        found,
        day,
        fail_on=cast(Severity, settings.fail_on or "error"),
        baseline=prints,
        root=base,
        select=settings.selects,
        show_passed=show_passed,
    )
    for name, output in targets:
        text = FORMATS[name](report)
        if output == STDOUT and name == "github":
            # the tool's own workflow commands, every value in them escaped
            with sink.trusted_stdout():
                click.echo(text, nl=False)
        elif output == STDOUT:
            click.echo(text, nl=False)
        else:
            write_output(output, text, force=True)
    raise SystemExit(report.exit_code)


def _patterns(values: tuple[str, ...]) -> list[str]:
    """Repeated options, each of which may hold several comma-separated values."""
    return [p.strip() for value in values for p in value.split(",") if p.strip()]


def _root(given: Path | None) -> Path:
    """The folder SARIF URIs are relative to: the one given, else the repository
    (the nearest folder with .git) holding the current folder, else that folder."""
    if given is not None:
        return given.absolute()
    here = Path.cwd()
    return next((d for d in (here, *here.parents) if (d / ".git").exists()), here)


def _outputs(values: tuple[str, ...], fmt: str) -> list[tuple[str, Path]]:
    """`-o` values as (format, file): FILE takes --format's format, FORMAT=FILE its
    own; none at all prints --format's format."""
    from azfn_profile.report import FORMATS

    if not values:
        return [(fmt, STDOUT)]
    out: list[tuple[str, Path]] = []
    for value in values:
        name, sep, file = value.partition("=")
        if sep and name in FORMATS:
            out.append((name, Path(file) if file else STDOUT))
        elif sep and name.isidentifier():
            raise click.UsageError(
                f"-o {value}: no format {name!r}; expected one of {', '.join(FORMATS)}"
            )
        else:
            out.append((fmt, Path(value)))
    files = [path for _, path in out if path != STDOUT]
    if len(set(files)) < len(files):
        raise click.UsageError("-o names the same file twice")
    if sum(1 for _, path in out if path == STDOUT) > 1:
        raise click.UsageError("-o: only one format can go to standard output")
    return out


@cli.command()
def checks() -> None:
    """List every check: id, severity, name and title."""
    from azfn_profile.checks import REGISTRY

    for c in REGISTRY.values():
        click.echo(f"{c.id}  {c.severity:<7}  {c.name:<34}  {c.title}")


# `rules` was the command's first name; it stays, out of the command list.
cli.add_command(
    click.Command(
        "rules", callback=checks.callback, help="Same as `checks`.", hidden=True
    )
)


@cli.command()
def schema() -> None:
    """Print the profile's JSON Schema (for editor validation)."""
    from azfn_profile.engine import profile_schema
    from azfn_profile.render import dumps

    click.echo(dumps(profile_schema()), nl=False)


@cli.command()
def skus() -> None:
    """List the SKU catalog (unconfirmed rows are marked)."""
    from azfn_profile.catalog import skus as catalog

    rows = [("SKU", "TIER", "FAMILY", "VCPU", "MEMORY_MB", "MAX_INST", "SOURCE")]
    for sku in catalog().values():
        cores = (
            "/".join(f"{v:g}" for v in sku.instance_sizes.values()) or f"{sku.vcpu:g}"
        )
        memory = "/".join(map(str, sku.instance_sizes)) or str(sku.memory_mb)
        note = "" if sku.confirmed else "unconfirmed: "
        rows.append(
            (
                sku.name,
                sku.tier,
                sku.family,
                cores,
                memory,
                str(sku.max_instances),
                note + sku.source,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for row in rows:
        cells = [f"{cell:<{widths[i]}}" for i, cell in enumerate(row[:6])]
        click.echo("  ".join([*cells, row[6]]).rstrip())


def _lab_options(*, duration: float, warmup: float) -> Callable[[F], F]:
    """The options `bench` and `tune` share: the app, the load and the environment."""
    options = [
        click.argument("app", type=click.Path(path_type=Path)),
        click.option(
            "--function", "function", required=True, help="The function to drive."
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(min=1),
            help="Client invocations kept in flight [default: 64; tune: the "
            "profile's workload.concurrency when it declares one].",
        ),
        click.option(
            "--duration",
            default=duration,
            show_default=True,
            type=_Finite(min=0.1),
            help="Seconds measured per point.",
        ),
        click.option(
            "--warmup",
            default=warmup,
            show_default=True,
            type=_Finite(min=0),
            help="Seconds per point not measured.",
        ),
        click.option(
            "--cores",
            type=click.IntRange(min=1),
            help="Pin workers to this many CPUs (an instance of that size) "
            "[tune default: the plan's vCPUs when this machine has them].",
        ),
        click.option(
            "--upstream-latency",
            default=50.0,
            show_default=True,
            type=_Finite(min=0),
            help="Latency of the loopback upstream, ms.",
        ),
        click.option(
            "--body", default="{}", show_default=True, help="Trigger payload."
        ),
        click.option(
            "--python",
            "python",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Run the app with this interpreter (its virtualenv holds the app's "
            "dependencies and azure-functions) [default: this one].",
        ),
        click.option(
            "--worker-dir",
            type=click.Path(path_type=Path, file_okay=False),
            help="Run the app on this Python worker (the folder Core Tools ships, or "
            "a built worker checkout) under a minimal host speaking the worker "
            "protocol, instead of the lab's imitation; needs the 'worker' extra.",
        ),
        click.option(
            "--specialize",
            is_flag=True,
            help="With --worker-dir: start each worker as a placeholder and then send "
            "the app's settings, as a pre-warmed instance gets them.",
        ),
    ]

    def apply(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def _worker_dir(worker_dir: Path | None, specialize: bool) -> Path | None:
    """--worker-dir as an absolute folder; --specialize only goes with it."""
    if specialize and worker_dir is None:
        raise click.UsageError("--specialize needs --worker-dir (the real worker)")
    if worker_dir is None:
        return None
    if not worker_dir.is_dir():
        raise click.BadParameter(
            f"{worker_dir}: no such folder", param_hint="--worker-dir"
        )
    return worker_dir.resolve()


def _int_list(ctx: click.Context, param: click.Parameter, value: str) -> list[int]:
    try:
        numbers = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(
            f"expected whole numbers separated by commas, got {value!r}"
        ) from None
    if not numbers or any(n < 1 for n in numbers):
        raise click.BadParameter(f"expected whole numbers of at least 1, got {value!r}")
    return sorted(set(numbers))


@cli.command()
@_lab_options(duration=10.0, warmup=2.0)
@click.option(
    "--processes",
    default="1,2,4",
    show_default=True,
    callback=_int_list,
    help="Worker process counts to measure, comma-separated.",
)
@click.option(
    "--threads",
    default="1,4,16,64",
    show_default=True,
    callback=_int_list,
    help="Thread-pool sizes to measure, comma-separated.",
)
@click.option(
    "--rate",
    type=_Finite(min=0.1),
    help="Open loop: send this many invocations per second whatever completes "
    "(instead of keeping --concurrency in flight).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON records, not a table."
)
@click.option(
    "--plot",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a throughput heatmap (PNG).",
)
def bench(
    app: Path,
    function: str,
    processes: list[int],
    threads: list[int],
    concurrency: int | None,
    duration: float,
    warmup: float,
    cores: int | None,
    upstream_latency: float,
    body: str,
    python: Path | None,
    worker_dir: Path | None,
    specialize: bool,
    rate: float | None,
    as_json: bool,
    plot: Path | None,
) -> None:
    """Measure APP's FUNCTION over a grid of worker settings."""
    from azfn_profile.extras import require

    require("lab", "azfn-profile bench")
    from azfn_profile.lab.bench_cli import BenchRequest, run_bench

    request = BenchRequest(
        app,
        function,
        processes,
        threads,
        concurrency,
        duration,
        warmup,
        cores,
        upstream_latency,
        os.fsencode(body),
        python,
        rate,
        as_json,
        plot,
        _worker_dir(worker_dir, specialize),
        specialize,
    )
    from azfn_profile.lab.bench import Interrupted

    try:
        text = run_bench(request, lambda line: click.echo(line, err=True))
    except Interrupted as stop:
        _interrupted(stop)
    click.echo(text, nl=False)


@cli.command()
@_lab_options(duration=5.0, warmup=1.0)
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The app's profile: its rules' values are measured too, its plan's "
    "memory bounds the search, and --write updates it.",
)
@click.option("--slo-p95", type=_Finite(min=0), help="Latency SLO for p95, ms.")
@click.option(
    "--write",
    is_flag=True,
    help="Write the winner into --profile (only when it beats the rules' point and "
    "the default by more than the measured noise).",
)
@click.option(
    "--memory",
    type=click.Choice(["larger", "measured"]),
    default="larger",
    show_default=True,
    help="Memory per process to bound the search and to write: the larger of the "
    "declared and the measured, or the measured alone.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --write: write a process count below the one the rules chose for "
    "async functions that block, which FUNCTION alone does not measure.",
)
def tune(
    app: Path,
    function: str,
    profile_path: Path | None,
    slo_p95: float | None,
    write: bool,
    memory: str,
    force: bool,
    concurrency: int | None,
    duration: float,
    warmup: float,
    cores: int | None,
    upstream_latency: float,
    body: str,
    python: Path | None,
    worker_dir: Path | None,
    specialize: bool,
) -> None:
    """Search processes x threads for APP's FUNCTION; compare with defaults and rules.

    Exit codes: 0 done (and written, with --write); 1 nothing met --slo-p95, or the
    winner was not better than the rules and the default by more than the noise
    (nothing written); 2 bad input.
    """
    from azfn_profile.extras import require

    require("lab", "azfn-profile tune")
    from azfn_profile.lab.tune_cli import TuneRequest, run_tune

    if write and profile_path is None:
        raise click.UsageError("--write needs --profile PROFILE")
    request = TuneRequest(
        app,
        function,
        profile_path,
        slo_p95,
        write,
        concurrency,
        duration,
        warmup,
        cores,
        upstream_latency,
        os.fsencode(body),
        "measured" if memory == "measured" else "larger",
        python,
        force,
        _worker_dir(worker_dir, specialize),
        specialize,
    )
    from azfn_profile.lab.bench import Interrupted

    try:
        text, code = run_tune(request, today(), lambda line: click.echo(line, err=True))
    except Interrupted as stop:
        _interrupted(stop)
    click.echo(text, nl=False)
    raise SystemExit(code)


@cli.command()
@_PROFILE
@click.option(
    "--rps",
    type=_Finite(min=0, min_open=True, max=10_000_000),
    help="Calls per second to serve, sustained [default: the profile's load.rps].",
)
@click.option(
    "--p95",
    "p95_ms",
    type=_Finite(min=0, min_open=True, max=3_600_000),
    help="The p95 to stay within, ms [default: load.p95_ms; none: only keep up].",
)
@click.option(
    "--call-ms",
    type=_Finite(min=0, min_open=True, max=3_600_000),
    help="One call's wall time, ms [default: load.call_ms].",
)
@click.option(
    "--from-bench",
    "bench",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A `bench --json` result: its measured call time replaces the declared one.",
)
@click.option(
    "--compare", is_flag=True, help="Answer for every catalog plan that can host it."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
)
@click.option(
    "--plot",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write monthly cost against load for each plan answered (PNG).",
)
@click.option(
    "--prices",
    type=click.Path(path_type=Path, dir_okay=False),
    help="An export of the Azure Retail Prices API (JSON) to use instead of the "
    "shipped table.",
)
@click.option(
    "--region",
    help="The prices' region [default: the profile's location, else the table's].",
)
@click.option("--force", is_flag=True, help="Replace an existing --plot file.")
def capacity(
    profile: Path,
    rps: float | None,
    p95_ms: float | None,
    call_ms: float | None,
    bench: Path | None,
    compare: bool,
    fmt: str,
    plot: Path | None,
    prices: Path | None,
    region: str | None,
    force: bool,
) -> None:
    """How many instances PROFILE's plan needs for a load, and its monthly cost."""
    from azfn_profile.capacity.run import CapacityRequest, run_capacity

    request = CapacityRequest(
        profile, rps, p95_ms, call_ms, bench, compare, fmt, plot, prices, region, force
    )
    text = run_capacity(request, today(), lambda line: click.echo(line, err=True))
    click.echo(text, nl=False)


def _interrupted(stop: Interrupted) -> NoReturn:
    """Ctrl-C in `bench`/`tune`: print what was measured, exit 128 + SIGINT."""
    click.echo(stop.output, nl=False)
    click.echo(str(stop), err=True)
    raise SystemExit(EXIT_INTERRUPTED)


def _terminate(signum: int, _frame: object) -> None:
    """SIGTERM/SIGHUP end the run like Ctrl-C: cleanup (temporary files, worker
    processes) runs on the way out."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _terminate)
    try:
        cli.main(args=argv, prog_name="azfn-profile")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0  # (a standalone click run always ends with SystemExit)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
