"""The `crossover` command line: thin commands over the library."""

from __future__ import annotations

import atexit
import gc
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from crossover.errors import (
    EXIT_DATA,
    EXIT_INTERNAL,
    EXIT_IOERR,
    EXIT_USAGE,
    CrossoverError,
    ProblemsError,
)

SCENARIO_FILE = click.Path(path_type=Path, dir_okay=False)
F = TypeVar("F", bound=Callable[..., Any])
FORCE_HELP = "Replace an earlier output of the same name instead of adding a version suffix."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
# The version is looked up only for --version: importlib.metadata costs help a third of its time.
@click.version_option(package_name="llm-crossover", prog_name="crossover")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Self-host open-weight LLMs or keep paying per-token APIs? Sizing, cost, crossover, payback.

    \b
    Example:
      crossover analyse inputs/examples/document-intelligence.json
    """
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("file", type=SCENARIO_FILE)
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the full results as JSON here ('-' for stdout).",
)
def analyse(file: Path, json_path: Path | None) -> None:
    """Compute every figure for a workbook or JSON scenario and print the key ones.

    \b
    Example:
      crossover analyse client.xlsx --json results.json
    """
    from crossover.files import write_text_atomic
    from crossover.terminal import print_results

    results = _analyse(file)
    if json_path is not None and str(json_path) == "-":
        click.echo(results.model_dump_json(indent=2))
        return
    print_results(results)
    if json_path is not None:
        write_text_atomic(json_path, results.model_dump_json(indent=2) + "\n", inputs=[file])
        click.echo(f"Results written to {json_path}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of a scenario file.

    \b
    Example:
      crossover schema > scenario.schema.json
    """
    from crossover.scenario import Scenario

    click.echo(json.dumps(Scenario.model_json_schema(), indent=2))


@cli.group(invoke_without_command=True)
@click.pass_context
def catalogue(ctx: click.Context) -> None:
    """Look up what the tool knows, with sources and the day each price was seen.

    Without a subcommand: the GPUs.

    \b
    Examples:
      crossover catalogue instances --gpu h100-sxm
      crossover catalogue prices --provider anthropic --csv
      crossover catalogue refresh
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(_listings["gpus"])


def _listing(kind: str, summary: str) -> click.Command:
    @click.option("--provider", help="Only this provider (aws, lambda, anthropic, ...).")
    @click.option("--gpu", help="Only this GPU id (h100-sxm, ...).")
    @click.option("--model", help="Only model ids containing this text.")
    @click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Typed values (numbers, null, ISO dates) with each price's source and date.",
    )
    @click.option("--csv", "as_csv", is_flag=True, help="Every column as CSV, sources included.")
    def command(
        provider: str | None, gpu: str | None, model: str | None, as_json: bool, as_csv: bool
    ) -> None:
        from crossover.catalogue import load_catalogue
        from crossover.listing import Filters, catalogue_listing, filtered_listing, to_csv
        from crossover.terminal import print_catalogue

        catalogue = load_catalogue()
        listing = filtered_listing(
            catalogue_listing(kind, catalogue), Filters(provider=provider, gpu=gpu, model=model)
        )
        headers, rows = listing.table
        if as_json:
            click.echo(json.dumps(listing.records, indent=2))
        elif as_csv:
            click.echo(to_csv(headers, rows), nl=False)
        else:
            releases = ", ".join(f"{k} {v}" for k, v in catalogue.versions.items())
            print_catalogue(f"Catalogue: {kind} ({releases})", headers, rows)
            if kind == "throughput":
                from crossover.listing import calibration_summary, held_out_bands

                print_catalogue(
                    "The rate model's calibration: modelled ÷ measured output tokens/s",
                    *calibration_summary(catalogue),
                )
                print_catalogue(
                    "Held-out accuracy: each run predicted with its whole source left out",
                    *held_out_bands(catalogue),
                )

    command.__doc__ = summary
    return catalogue.command(kind)(command)


_listings = {
    kind: _listing(kind, summary)
    for kind, summary in (
        ("gpus", "GPUs: memory, bandwidth and dense compute per precision."),
        ("instances", "Rentable instances and their prices per GPU-hour, each dated."),
        ("plans", "Reserved and committed discounts per provider, with their ranges."),
        ("models", "Open-weight models: size and attention shape."),
        ("throughput", "The rate model against every published serving measurement."),
        ("prices", "API prices per million tokens, realtime and batch, each dated."),
        (
            "providers",
            "Each provider's compliance facts: client's own account, HIPAA BAA, EU regions.",
        ),
    )
}


@catalogue.command()
def refresh() -> None:
    """Fetch today's on-demand prices from the providers' public price lists.

    AWS and Azure need no account; GCP's Cloud Billing Catalog is read when
    CROSSOVER_GCP_API_KEY holds an API key. Writes a dated overlay in your data folder (never
    the package); reports then use it and say so. A provider that fails is listed with its
    reason and leaves the others refreshed; an older price never replaces a newer one. The
    only command that uses the network.
    """
    import os
    from datetime import date

    from crossover.catalogue import load_catalogue, overlay_path, shipped_catalogue
    from crossover.catalogue.refresh import (
        GCP_KEY_VARIABLE,
        Fetchers,
        RefreshError,
        read_overlay,
        refresh,
        write_overlay,
    )

    path = overlay_path()
    fetchers = Fetchers(gcp_api_key=os.environ.get(GCP_KEY_VARIABLE) or None)
    try:
        outcome = refresh(
            shipped_catalogue().instances, date.today(), fetchers, previous=read_overlay(path)
        )
    except RefreshError as e:
        raise RefreshError(f"refresh failed, nothing changed: {e}") from None
    write_overlay(outcome.overlay, path)
    load_catalogue.cache_clear()
    click.echo(
        f"Wrote {len(outcome.overlay.prices)} on-demand prices, refreshed "
        f"{outcome.overlay.refreshed}, to {path}"
    )
    for kept in outcome.kept:
        click.echo(f"Kept the shipped price of {kept}: it was seen later than the price list's.")
    for failed in outcome.not_refreshed:
        click.echo(f"Not refreshed: {failed.subject}: {failed.reason}", err=True)


@catalogue.command("diff")
def catalogue_diff() -> None:
    """What moved between the shipped prices and your last refresh."""
    from crossover.catalogue import overlay_path, shipped_catalogue
    from crossover.catalogue.refresh import moves, read_overlay
    from crossover.terminal import print_catalogue

    path = overlay_path()
    overlay = read_overlay(path)
    if overlay is None:
        click.echo(f"No refreshed prices ({path} does not exist): reports use the shipped ones.")
        return
    rows = [
        [
            m.instance,
            "—" if m.shipped is None else f"{m.shipped:.4f}",
            f"{m.refreshed:.4f}",
            "—" if m.change_pct is None else f"{m.change_pct:+.1f}%",
        ]
        for m in moves(shipped_catalogue().instances, overlay)
        if m.change_pct != 0
    ]
    title = f"On-demand $/GPU-h: shipped vs {overlay.name} ({path})"
    if not rows:
        click.echo(f"{title}: nothing moved.")
        return
    print_catalogue(title, ["Instance", "Shipped", "Refreshed", "Change"], rows)


@cli.command()
@click.option("--model", required=True, help="Catalogue model id, e.g. llama-3.3-70b.")
@click.option(
    "--precision",
    required=True,
    type=click.Choice(["bf16", "fp16", "fp8", "int8", "int4", "fp4"]),
    help="Weight precision.",
)
@click.option("--gpu", required=True, help="Catalogue GPU id, e.g. h200.")
@click.option(
    "--gpus",
    type=click.IntRange(1, 64),
    help="GPUs in the replica (default: the size with the most output per GPU).",
)
@click.option("--input-tokens", type=click.FloatRange(min=1), required=True, help="Per request.")
@click.option("--output-tokens", type=click.FloatRange(min=1), required=True, help="Per request.")
@click.option(
    "--tpot-ms",
    type=click.FloatRange(min=0, min_open=True),
    help="Time per output token promised; without it, throughput-bound (offline).",
)
@click.option(
    "--engine", type=click.Choice(["vllm", "sglang", "trt-llm"]), default="vllm", show_default=True
)
@click.option(
    "--kv-precision", type=click.Choice(["bf16", "fp8"]), default="bf16", show_default=True
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the figures as JSON here ('-' for stdout).",
)
def estimate(
    model: str,
    precision: str,
    gpu: str,
    gpus: int | None,
    input_tokens: float,
    output_tokens: float,
    tpot_ms: float | None,
    engine: str,
    kv_precision: str,
    json_path: Path | None,
) -> None:
    """Serving rates of one replica for a request shape, with the model's calibration error.

    \b
    Example:
      crossover estimate --model llama-3.3-70b --precision fp8 --gpu h200 \\
        --input-tokens 1000 --output-tokens 1000 --tpot-ms 50
    """
    from crossover.catalogue import load_catalogue
    from crossover.engine.estimate import EstimateError, estimate_rate
    from crossover.engine.rates import DoesNotFitError, LatencyUnreachableError
    from crossover.errors import InputError
    from crossover.files import write_text_atomic
    from crossover.terminal import print_estimate

    try:
        figures = estimate_rate(
            load_catalogue(),
            model=model,
            precision=precision,  # type: ignore[arg-type]
            gpu=gpu,
            gpus=gpus,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            tpot_ms=tpot_ms,
            engine=engine,  # type: ignore[arg-type]
            kv_precision=kv_precision,  # type: ignore[arg-type]
        )
    except EstimateError as e:
        raise InputError(str(e)) from None
    except DoesNotFitError as e:
        raise InputError(
            f"a {e.context_tokens:,.0f}-token request does not fit: its KV cache needs "
            f"{e.needed_bytes / 1e9:.2f} GB and the replica has "
            f"{max(0.0, e.kv_budget_bytes) / 1e9:.2f} GB left beside the weights; use more GPUs "
            "(--gpus), a lower precision, or --kv-precision fp8"
        ) from None
    except LatencyUnreachableError as e:
        raise InputError(
            f"{e.tpot_ms:g} ms per output token cannot be met: one request alone takes "
            f"{e.best_ms:.1f} ms; use more GPUs (--gpus), a faster GPU or a lower precision"
        ) from None
    if json_path is not None and str(json_path) == "-":
        click.echo(figures.model_dump_json(indent=2))
        return
    print_estimate(figures)
    if json_path is not None:
        write_text_atomic(json_path, figures.model_dump_json(indent=2) + "\n")
        click.echo(f"Figures written to {json_path}")


@cli.command()
@click.argument("file", type=SCENARIO_FILE)
def validate(file: Path) -> None:
    """Check a workbook or JSON scenario and list every problem, with its cell or field.

    Exits 0 when the file is ready for a report, 65 when something must be fixed.

    \b
    Example:
      crossover validate client.xlsx
    """
    from crossover.catalogue import load_catalogue
    from crossover.inputs import analyse_file
    from crossover.terminal import print_scenario_summary

    # The analysis runs too: some warnings (an API bill far from the stated one) need it.
    results = analyse_file(file, load_catalogue())
    print_scenario_summary(file, results.scenario, [str(w) for w in results.warnings])


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False), default="template.xlsx")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def template(path: Path, force: bool) -> None:
    """Write the blank client workbook, with drop-downs from the catalogue.

    An existing file is never replaced without --force: it may be a filled client workbook.

    \b
    Example:
      crossover template acme-llm-costs.xlsx
    """
    from crossover.errors import InputError
    from crossover.workbook import write_template

    if (path.exists() or path.is_symlink()) and not force:
        raise InputError(
            f"{path}: already exists (it may be a filled workbook); give another name, or "
            "--force to replace it"
        )
    write_template(path)
    click.echo(f"Template written to {path}")


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> frozenset[str]:
    formats = frozenset(f.strip() for f in value.split(",") if f.strip())
    unknown = sorted(formats - {"pdf", "html", "xlsx"})
    if unknown or not formats:
        raise click.BadParameter(
            f"{', '.join(unknown) or 'nothing'}; expected pdf, html and/or xlsx"
        )
    return formats


def _output_options(out_dir_help: str) -> Callable[[F], F]:
    """-o/--out-dir, --format and --brand, shared by report and batch."""

    def decorate(command: F) -> F:
        for option in reversed(
            [
                click.option(
                    "-o",
                    "--out-dir",
                    type=click.Path(path_type=Path, file_okay=False),
                    default="output",
                    show_default=True,
                    help=out_dir_help,
                ),
                click.option(
                    "--format",
                    "formats",
                    default="pdf,html",
                    show_default=True,
                    callback=_formats,
                    help="Comma-separated: pdf, html, xlsx (the results workbook).",
                ),
                click.option(
                    "--brand",
                    type=click.Path(path_type=Path, exists=True),
                    help="Brand folder or brand.toml.",
                ),
            ]
        ):
            command = option(command)
        return command

    return decorate


@cli.command()
@click.argument("file", type=SCENARIO_FILE)
@_output_options("Folder for the report files.")
@click.option(
    "--name",
    help="File name for this version's outputs (e.g. acme-v2), instead of the client's name "
    "and the report date.",
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.option(
    "--compare",
    "old",
    type=SCENARIO_FILE,
    help="An earlier version (workbook or JSON): the report ends with what changed since.",
)
def report(
    file: Path,
    out_dir: Path,
    formats: frozenset[str],
    brand: Path | None,
    name: str | None,
    force: bool,
    old: Path | None,
) -> None:
    """Render the client report (PDF and HTML) with the results JSON beside them.

    Files are named from the client and the report date (or --name) and written as one set: a
    failure leaves no partial file. An earlier report of the same name is kept: this one gets
    a version suffix (acme-2026-11-27-2.pdf, -3, ...), unless --force replaces it. With
    --compare, a last page shows what changed since the earlier version and why the savings
    moved (as `crossover diff` works it out); the results JSON carries it as `comparison`.

    \b
    Example:
      crossover report client.xlsx -o output --format pdf,html --brand ./our-brand
      crossover report client-v2.xlsx --name acme-v2     # acme-v2.pdf, acme-v2.html, …
      crossover report client-v2.xlsx --compare client-v1.xlsx
    """
    from crossover.delivery.outputs import REPORT_FORMATS, write_outputs

    results = _analyse(file)
    comparison = None if old is None else _comparison(old, results)
    # The brand (and WeasyPrint with it) loads only once the input has proved sound.
    chosen_brand = None
    if formats & REPORT_FORMATS:
        from crossover.report import brand_or_default

        chosen_brand = brand_or_default(brand)
    written = write_outputs(
        results, out_dir, formats, chosen_brand, name, force=force, comparison=comparison
    )
    if written.versioned:
        click.echo(_kept(out_dir, written.asked, written.stem))
    for path in written.paths:
        click.echo(f"Wrote {path}")


def _kept(folder: Path, asked: str, used: str) -> str:
    """The line that says an earlier output was kept and which name this run's files took."""
    from crossover.inert import visible

    return visible(
        f"{folder / asked}.* exists and is kept: this run's files are {used}.* "
        "(--force replaces the earlier files instead)"
    )


@cli.command()
@click.argument("file", type=SCENARIO_FILE)
@click.option(
    "-o",
    "--out-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="output",
    show_default=True,
    help="Folder for the brief.",
)
@click.option(
    "--brand", type=click.Path(path_type=Path, exists=True), help="Brand folder or brand.toml."
)
@click.option("--name", help="File name stem, as for report --name: acme-v2 -> acme-v2-brief.pdf.")
@click.option(
    "--force", is_flag=True, help="Replace an earlier brief of the same name instead of writing -2."
)
def brief(file: Path, out_dir: Path, brand: Path | None, name: str | None, force: bool) -> None:
    """Render the one-page brief for the consultant's call (PDF): the verdict, five figures,
    the defaults the figures use, and the warnings as questions to ask the client.

    Named as the report is, with -brief: output/acme-2026-11-27-brief.pdf. An earlier brief
    of the same name is kept: this one gets a version suffix (-2) unless --force.

    \b
    Example:
      crossover brief client.xlsx -o output
    """
    from crossover.delivery.outputs import write_brief
    from crossover.report import brand_or_default

    results = _analyse(file)
    written = write_brief(results, out_dir, brand_or_default(brand), name, (file,), force=force)
    if written.versioned:
        click.echo(_kept(out_dir, f"{written.asked}-brief", f"{written.stem}-brief"))
    for path in written.paths:
        click.echo(f"Wrote {path}")


@cli.command()
@click.argument("report_pdf", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--to", "to", multiple=True, required=True, help="A recipient (repeat for more).")
@click.option("--cc", "cc", multiple=True, help="A copy recipient (repeat for more).")
@click.option("--subject", help="The subject line; default: the client and the recommendation.")
@click.option(
    "--message",
    "message",
    type=click.Path(path_type=Path, dir_okay=False),
    help="UTF-8 text file that opens the email: your greeting and paragraphs.",
)
@click.option(
    "--from",
    "sender",
    metavar="ADDRESS",
    help="The sender; default: CROSSOVER_SMTP_FROM or from under [smtp] in --config.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write REPORT.eml beside the PDF and show the message instead of sending.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --dry-run: replace an earlier REPORT.eml instead of writing REPORT-2.eml.",
)
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML file with an [smtp] table; the environment fills in keys it leaves out.",
)
def email(
    report_pdf: Path,
    to: tuple[str, ...],
    cc: tuple[str, ...],
    subject: str | None,
    message: Path | None,
    sender: str | None,
    dry_run: bool,
    config: Path | None,
    force: bool,
) -> None:
    """Email a report: your opening, the key figures and the PDF attached.

    The figures come from the results JSON saved beside the PDF; the text of --message
    comes first (paragraphs separated by a blank line, bullets as lines starting with "- ").
    SMTP settings come from CROSSOVER_SMTP_HOST, _PORT, _USER, _PASSWORD, _SECURITY
    (starttls, tls or none), _FROM and _CA_FILE, or the same keys in lower case under
    [smtp] in the --config file; --from wins over the configured sender, and nothing is
    sent without one. Exits 69 when the SMTP server cannot be reached or refuses the message.

    \b
    Example:
      crossover email reports/acme-2026-11-27.pdf --to cfo@acme.example --cc me@firm.example \\
        --message note-to-acme.txt --from "Jane Doe <jane@firm.example>" --dry-run
    """
    from crossover.delivery import email as mail

    if not dry_run:
        click.echo(
            mail.email_report(
                report_pdf, to, cc, subject, config=config, opening=message, sender=sender
            )
        )
        return
    saved = mail.dry_run(
        report_pdf, to, cc, subject, config=config, opening=message, sender=sender, force=force
    )
    for warning in saved.warnings:
        _error(f"Warning: {warning}")
    click.echo(saved.preview)
    kept = (
        f"; the earlier {saved.earlier} is kept, --force replaces it instead"
        if saved.earlier
        else ""
    )
    click.echo(f"\nMessage written to {saved.eml} (not sent{kept})")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@_output_options("Folder for the reports and summary.json / summary.csv.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes [default: CPU count]."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=120.0,
    show_default=True,
    help="Seconds one input may take before its worker is stopped.",
)
@click.option("--force", is_flag=True, help=FORCE_HELP)
def batch(
    paths: tuple[Path, ...],
    out_dir: Path,
    jobs: int | None,
    formats: frozenset[str],
    timeout: float,
    brand: Path | None,
    force: bool,
) -> None:
    """Render every workbook and JSON scenario in files and folders, in parallel.

    One bad, hung or crashing input is reported and the rest carry on; exits 65 if any failed.
    The summary table is also written as summary.json and summary.csv beside the reports.
    Earlier outputs are kept: this run's take a version suffix (-2, -3, ...) unless --force.
    Inputs whose client names give the same file names are named after their input files.
    A second batch into a folder a batch is writing into is refused (exit 74).

    \b
    Example:
      crossover batch clients/ extra.xlsx -o reports/ -j 4 --format pdf,xlsx
    """
    from crossover.delivery.batch import BatchOptions, default_jobs
    from crossover.delivery.batch import batch as run

    jobs = jobs or default_jobs()
    run(list(paths), BatchOptions(out_dir, formats, brand, jobs, timeout, force))


@cli.command()
@click.argument("old", type=SCENARIO_FILE)
@click.argument("new", type=SCENARIO_FILE)
@click.option(
    "--json",
    "json_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the comparison as JSON here ('-' for stdout).",
)
def diff(old: Path, new: Path, json_path: Path | None) -> None:
    """Compare two versions of a client's scenario: what changed and what it did to the savings.

    Each changed input is put in one at a time, in the scenario's order, and credited with
    the change in monthly savings it makes; the steps add up to the whole change.

    \b
    Example:
      crossover diff acme-v1.xlsx acme-v2.xlsx --json acme-diff.json
    """
    from crossover.catalogue import load_catalogue
    from crossover.diff import diff_scenarios
    from crossover.files import write_text_atomic
    from crossover.inputs import load_scenario
    from crossover.terminal import print_diff

    catalogue = load_catalogue()
    new_scenario = load_scenario(new, catalogue)
    result = diff_scenarios(load_scenario(old, catalogue), new_scenario, catalogue)
    if json_path is not None and str(json_path) == "-":
        click.echo(result.model_dump_json(indent=2))
        return
    print_diff(result, new_scenario.client.currency, new_scenario.client.usd_fx_rate)
    if json_path is not None:
        write_text_atomic(json_path, result.model_dump_json(indent=2) + "\n")
        click.echo(f"Comparison written to {json_path}")


from crossover.web.cli import COMMANDS as WEB_COMMANDS  # noqa: E402  (the portal's commands)

for _command in WEB_COMMANDS:
    cli.add_command(_command)


def _analyse(file: Path) -> Any:
    from crossover.catalogue import load_catalogue
    from crossover.inputs import analyse_file

    return analyse_file(file, load_catalogue())


def _comparison(old: Path, results: Any) -> Any:
    """The earlier version and what changed since, as `crossover diff` works it out."""
    from crossover.catalogue import load_catalogue
    from crossover.diff import diff_scenarios
    from crossover.inputs import load_scenario
    from crossover.report.changes import Comparison

    catalogue = load_catalogue()
    old_scenario = load_scenario(old, catalogue)
    return Comparison(old_scenario, diff_scenarios(old_scenario, results.scenario, catalogue))


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: domain errors become one 'Error: ...' block and a fixed exit code."""
    if argv is None:
        # The process ends with this command. Python's last garbage collection would walk the
        # whole heap only to free memory the OS takes back: a quarter second after a report.
        # Objects frozen at exit are left out of it.
        atexit.register(gc.freeze)
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="crossover", standalone_mode=False)
    except ProblemsError as e:
        if len(e.problems) == 1 and not e.problems[0].loc and not e.problems[0].where:
            # A file-level problem (unreadable, not a workbook): one line says it all.
            _error(f"Error: {e.source}: {e.problems[0].message}")
            sys.exit(EXIT_DATA)
        errors = [p for p in e.problems if getattr(p, "severity", "error") == "error"]
        warnings = [p for p in e.problems if p not in errors]
        _error(f"Error: {e.source}: {len(errors)} problem(s) to fix:")
        for problem in errors:
            _error(f"  {problem.describe()}")
        for problem in warnings:
            _error(f"  Warning: {problem.describe()}")
        sys.exit(EXIT_DATA)
    except CrossoverError as e:
        _error(f"Error: {e}")
        sys.exit(e.exit_code)
    except OSError as e:
        # What the commands do not explain themselves: the file and the system's reason.
        from crossover.files import reason

        where = f"{e.filename}: " if e.filename else ""
        _error(f"Error: {where}{reason(e)}")
        sys.exit(EXIT_IOERR)
    except RecursionError:
        _error("Error: the input is nested too deeply to read")
        sys.exit(EXIT_DATA)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_INTERNAL)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code if isinstance(e, click.UsageError) is False else EXIT_USAGE)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except Exception as e:  # an internal error: one line unless --debug
        if debug:
            raise
        _error(f"Error: internal error ({type(e).__name__}: {e}); run with --debug for details")
        sys.exit(EXIT_INTERNAL)


def _error(line: str) -> None:
    """One line of an error on stderr; typed text in it shows its control characters, inert."""
    from crossover.inert import cut_long_values, visible

    click.echo(cut_long_values(visible(line)), err=True)
