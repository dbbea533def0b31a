"""Mutated workbooks are read or refused with a clean error: never a traceback.

A short run in CI; a long one with `CROSSOVER_FUZZ_EXAMPLES=20000 pytest tests/security/test_fuzz_workbooks.py`.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossover.errors import CrossoverError
from crossover.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[2]
SEED = (ROOT / "inputs" / "examples" / "document-intelligence.xlsx").read_bytes()
EXAMPLES = int(os.environ.get("CROSSOVER_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _read_or_refuse(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "fuzzed.xlsx"
    path.write_bytes(data)
    try:
        read_workbook(path)
    except CrossoverError as e:
        text = str(e)
        assert text and "Traceback" not in text
        assert str(path) in text


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


MEMBERS = _members(SEED)
XML_MEMBERS = sorted(n for n in MEMBERS if n.endswith((".xml", ".rels")))


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255)), min_size=1, max_size=20
    )
)
def test_flipped_bytes_anywhere_in_the_file(
    flips: list[tuple[int, int]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = bytearray(SEED)
    for position, value in flips:
        data[position] = value
    _read_or_refuse(bytes(data), tmp_path_factory.mktemp("flip"))


@FUZZ
@given(
    member=st.sampled_from(XML_MEMBERS),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 40), st.binary(max_size=12)),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_xml_inside_a_valid_zip(
    member: str,
    edits: list[tuple[float, int, bytes]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    content = bytearray(MEMBERS[member])
    for where, cut, insert in edits:
        at = int(where * len(content))
        content[at : at + cut] = insert
    _read_or_refuse(_rezip({**MEMBERS, member: bytes(content)}), tmp_path_factory.mktemp("xml"))


@FUZZ
@given(
    dropped=st.sets(st.sampled_from(sorted(MEMBERS)), max_size=3),
    duplicated=st.sampled_from(sorted(MEMBERS)),
)
def test_zip_structure_with_parts_missing(
    dropped: set[str], duplicated: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    kept = {name: content for name, content in MEMBERS.items() if name not in dropped}
    kept[f"xl/{duplicated.rsplit('/', 1)[-1]}"] = MEMBERS[duplicated]
    _read_or_refuse(_rezip(kept), tmp_path_factory.mktemp("zip"))


CELL_VALUES = st.one_of(
    st.none(),
    # openpyxl itself refuses to write control characters, so they cannot reach a reader.
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.sampled_from(["1,200", "15%", "yes", "=1/0", "=A1", "1.234,5", "12/01/2026", "-0", "1e400"]),
)


@FUZZ
@given(
    cells=st.lists(
        st.tuples(st.integers(0, 8), st.integers(1, 30), st.integers(1, 14), CELL_VALUES),
        min_size=1,
        max_size=8,
    )
)
def test_random_cell_values(
    cells: list[tuple[int, int, int, object]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(SEED))
    for sheet_index, row, column, value in cells:
        sheet = workbook.worksheets[sheet_index % len(workbook.worksheets)]
        sheet.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _read_or_refuse(buffer.getvalue(), tmp_path_factory.mktemp("cells"))
