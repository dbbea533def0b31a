"""The engine writes no sentence into a problem or warning: it gives a code and its facts, and
crossover.problem_words writes the words."""

from __future__ import annotations

import ast
from pathlib import Path

import crossover.engine

ENGINE = Path(crossover.engine.__file__).parent
MAX_WORDS = 3
"""A literal of more words than this, passed as message=, is a sentence."""


def sentences_passed_as_message(source: str) -> list[int]:
    """The lines where a call passes message= an f-string, or string literals of more than a
    few words in all (a sentence joined from parts counts)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg != "message":
                continue
            parts = list(ast.walk(keyword.value))
            literal_words = sum(
                len(part.value.split())
                for part in parts
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
            if literal_words > MAX_WORDS or any(isinstance(p, ast.JoinedStr) for p in parts):
                lines.append(keyword.lineno)
    return lines


def test_no_engine_module_writes_a_message() -> None:
    found = {
        str(path.relative_to(ENGINE)): lines
        for path in sorted(ENGINE.rglob("*.py"))
        if (lines := sentences_passed_as_message(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_check_finds_a_sentence_however_it_is_written() -> None:
    written = """
Problem(loc=(), message=f"tier {tier!r} has no volume")
Problem(loc=(), message="the shares do not add up")
Problem(loc=(), message="unknown model " + name + "; known: " + known)
InputWarning(code="bill_mismatch", message=("The API cost differs " "from the bill"))
"""
    assert sentences_passed_as_message(written) == [2, 3, 4, 5]


def test_the_check_lets_through_what_is_not_a_sentence() -> None:
    passed_on = """
InputWarning(field=None, message=problem.message)
Problem(loc=(), facts=NoVolume(tier="chat"))
Problem(loc=(), message="no plan")
"""
    assert sentences_passed_as_message(passed_on) == []
