"""A client's document speaks the client's words: no internal notes, tool names or raw ids."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from .helpers import Rendered

FORBIDDEN = (
    "domain article",
    "SkyPilot",
    "3rd-party",
    "reserved_1y",
    "reserved_3y",
    "on_demand",
    "api_only",
    "all_self_hosted",
    "self_host",
    "config.json",
)


def _text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # A line may break after a hyphen inside an id: join it again before searching.
    return re.sub(r"-\s+", "-", " ".join(text.split()))


def test_no_internal_word_or_raw_id_in_the_pdf(rendered: Rendered) -> None:
    text = _text(rendered.pdf)
    for word in FORBIDDEN:
        assert word.lower() not in text.lower(), word
    results = rendered.results
    deployments = [d for p in results.plans for d in p.deployments] + results.unused_deployments
    for deployment in deployments:
        assert deployment.deployment not in text, deployment.deployment
    for tier in results.tiers:
        assert tier.api_model not in text, tier.api_model
    # No commit hash or file path from a source's provenance (those stay in the results JSON).
    assert not re.search(r"@[0-9a-f]{7,}", text)
    assert not re.search(r"\b\w+\.(?:csv|jsonl|rst)\b", text)
    # Nor a provider's instance code: machines are named by provider and GPUs.
    for d in deployments:
        if d.instance:
            assert d.instance not in text, d.instance
            assert d.instance.partition("/")[2] not in text, d.instance


def test_the_author_and_the_brand_are_named_once(rendered: Rendered) -> None:
    text = _text(rendered.pdf)
    assert "Crossover Advisory, Crossover Advisory" not in text


def test_the_glossary_defines_the_terms_used(rendered: Rendered) -> None:
    text = _text(rendered.pdf)
    for term in (
        "Mtok:",
        "Replica:",
        "Prefill and decode:",
        "Precision:",
        "Utilisation ceiling:",
        "Crossover:",
        "Payback:",
    ):
        assert term in text, term
