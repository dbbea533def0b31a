"""Set-up steps of bench/run.py that need crossover or openpyxl, run in a child process.

The benchmark's own process stays small: a child's peak memory as the kernel reports it
includes what its parent held when it forked.

    python bench/prepare.py baseline-code HTML PDF   # prints the WeasyPrint-alone program
    python bench/prepare.py batch-inputs FOLDER N    # writes N workbooks with distinct clients
"""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "inputs" / "examples"
# The client's name is the workbook's named cell client_name ('Client'!C5): a distinct name
# per copy gives a distinct report file, which the batch requires.
CLIENT_NAME_CELL = ("Client", "C5")


def baseline_code(html: Path, pdf: Path) -> str:
    """`python -c` code that does what render_pdf does with WeasyPrint, and nothing else.

    The same HTML file (CSS, charts and logo are inline), the same user stylesheet of the
    brand's @font-face rules with one FontConfiguration for both, the same base URL and PDF
    variant; WeasyPrint's default fetcher in place of ours.
    """
    from crossover.report import default_brand
    from crossover.report.render import PDF_VARIANT, font_faces_css

    brand = default_brand()
    return (
        "from weasyprint import CSS, HTML\n"
        "from weasyprint.text.fonts import FontConfiguration\n"
        "fc = FontConfiguration()\n"
        f"base = {brand.folder.as_uri() + '/'!r}\n"
        f"fonts = CSS(string={font_faces_css(brand)!r}, base_url=base, font_config=fc)\n"
        f"HTML(filename={str(html)!r}, base_url=base).write_pdf(\n"
        f"    {str(pdf)!r}, stylesheets=[fonts], font_config=fc, pdf_variant={PDF_VARIANT!r})\n"
    )


def batch_inputs(folder: Path, count: int) -> None:
    """Copies of the three example workbooks, each with a client name of its own."""
    from openpyxl import load_workbook

    examples = sorted(EXAMPLES.glob("*.xlsx"))
    sheet, cell = CLIENT_NAME_CELL
    for i in range(count):
        example = examples[i % len(examples)]
        workbook = load_workbook(example)
        workbook[sheet][cell] = f"{workbook[sheet][cell].value} {i + 1:02d}"
        workbook.save(folder / f"{example.stem}-{i + 1:02d}.xlsx")


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "baseline-code":
        print(baseline_code(Path(args[0]), Path(args[1])))
    elif command == "batch-inputs":
        batch_inputs(Path(args[0]), int(args[1]))
    else:
        sys.exit(f"unknown step {command!r}")


if __name__ == "__main__":
    main()
