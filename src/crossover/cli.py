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

from crossover.errors import EXIT_DATA, EXIT_INTERNAL, EXIT_USAGE, CrossoverError, ProblemsError

SCENARIO_FILE = click.Path(path_type=Path, dir_okay=False)
F = TypeVar("F", bound=Callable[..., Any])


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
    from crossover.delivery.files import write_text_atomic
    from crossover.terminal import print_results

    results = _analyse(file)
    if json_path is not None and str(json_path) == "-":
        click.echo(results.model_dump_json(indent=2))
        return
    print_results(results)
    if json_path is not None:
        write_text_atomic(json_path, results.model_dump_json(indent=2) + "\n")
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


@cli.command()
@click.argument(
    "kind",
    type=click.Choice(["gpus", "instances", "plans", "models", "throughput", "prices"]),
    default="gpus",
)
def catalogue(kind: str) -> None:
    """Show what the tool knows, with sources and dates.

    \b
    Example:
      crossover catalogue throughput
    """
    from crossover.catalogue import load_catalogue
    from crossover.catalogue.listing import catalogue_table
    from crossover.terminal import print_table

    headers, rows = catalogue_table(kind, load_catalogue())
    print_table(f"Catalogue: {kind} (version {load_catalogue().version})", headers, rows)


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
    from crossover.inputs import load_scenario_with_warnings
    from crossover.terminal import print_scenario_summary

    scenario, warnings = load_scenario_with_warnings(file, load_catalogue())
    print_scenario_summary(file, scenario, warnings)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False), default="template.xlsx")
def template(path: Path) -> None:
    """Write the blank client workbook, with drop-downs from the catalogue.

    \b
    Example:
      crossover template acme-llm-costs.xlsx
    """
    from crossover.workbook import write_template

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
def report(
    file: Path, out_dir: Path, formats: frozenset[str], brand: Path | None, name: str | None
) -> None:
    """Render the client report (PDF and HTML) with the results JSON beside it.

    Files are named from the client and the report date and written atomically: a failure
    leaves no partial file and an earlier report for the same client untouched.

    \b
    Example:
      crossover report client.xlsx -o output --format pdf,html --brand ./our-brand
      crossover report client-v2.xlsx --name acme-v2     # acme-v2.pdf, acme-v2.html, …
    """
    from crossover.delivery.outputs import REPORT_FORMATS, write_outputs

    results = _analyse(file)
    # The brand (and WeasyPrint with it) loads only once the input has proved sound.
    chosen_brand = None
    if formats & REPORT_FORMATS:
        from crossover.report import brand_or_default

        chosen_brand = brand_or_default(brand)
    for path in write_outputs(results, out_dir, formats, chosen_brand, name):
        click.echo(f"Wrote {path}")


@cli.command()
@click.argument("report_pdf", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--to", "to", multiple=True, required=True, help="A recipient (repeat for more).")
@click.option("--cc", "cc", multiple=True, help="A copy recipient (repeat for more).")
@click.option("--subject", help="The subject line; default: the client and the recommendation.")
@click.option("--dry-run", is_flag=True, help="Write REPORT.eml beside the PDF instead of sending.")
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
    dry_run: bool,
    config: Path | None,
) -> None:
    """Email a report: the key figures in the message, the PDF attached.

    The figures come from the results JSON saved beside the PDF. SMTP settings come from
    CROSSOVER_SMTP_HOST, _PORT, _USER, _PASSWORD, _SECURITY (starttls, tls or none), _FROM
    and _CA_FILE, or the same keys in lower case under [smtp] in the --config file.
    Exits 69 when the SMTP server cannot be reached or refuses the message.

    \b
    Example:
      crossover email reports/acme-2026-11-27.pdf --to cfo@acme.example --cc me@firm.example
    """
    from crossover.delivery.email import email_report

    click.echo(email_report(report_pdf, to, cc, subject, dry_run=dry_run, config=config))


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
def batch(
    paths: tuple[Path, ...],
    out_dir: Path,
    jobs: int | None,
    formats: frozenset[str],
    timeout: float,
    brand: Path | None,
) -> None:
    """Render every workbook and JSON scenario in files and folders, in parallel.

    One bad, hung or crashing input is reported and the rest carry on; exits 65 if any failed.
    The summary table is also written as summary.json and summary.csv beside the reports.

    \b
    Example:
      crossover batch clients/ extra.xlsx -o reports/ -j 4 --format pdf,xlsx
    """
    from crossover.delivery.batch import BatchOptions, default_jobs
    from crossover.delivery.batch import batch as run

    jobs = jobs or default_jobs()
    run(list(paths), BatchOptions(out_dir, formats, brand, jobs, timeout))


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
    from crossover.delivery.files import write_text_atomic
    from crossover.diff import diff_scenarios
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
    from crossover.engine import analyse as run
    from crossover.inputs import load_scenario

    catalogue = load_catalogue()
    return run(load_scenario(file, catalogue), catalogue)


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
            click.echo(f"Error: {e.source}: {e.problems[0].message}", err=True)
            sys.exit(EXIT_DATA)
        click.echo(f"Error: {e.source}: {len(e.problems)} problem(s) to fix:", err=True)
        for problem in e.problems:
            click.echo(f"  {problem.describe()}", err=True)
        sys.exit(EXIT_DATA)
    except CrossoverError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(e.exit_code)
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
        click.echo(
            f"Error: internal error ({type(e).__name__}: {e}); run with --debug for details",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
