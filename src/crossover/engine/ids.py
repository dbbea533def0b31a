"""References matched without regard to case: every id takes the spelling of what it names.

A tier's deployment and candidates take the Deployments table's spelling; open-weight models,
GPUs, instances, providers and API models take the catalogue's; an API model the catalogue
does not know takes its price override's. Spaces around ids are already gone (the schema strips
them). An id that matches nothing is left as typed, for the checks to report.
"""

from __future__ import annotations

from collections.abc import Iterable

from crossover.catalogue import Catalogue
from crossover.scenario import Deployment, Operations, Scenario, Tier


def canonical_ids(scenario: Scenario, catalogue: Catalogue) -> Scenario:
    """The scenario with every reference spelled as the table or catalogue entry it names."""
    deployments = _spellings(d.deployment for d in scenario.deployments)
    models = _spellings(catalogue.models)
    gpus = _spellings(catalogue.gpus)
    instances = _spellings(catalogue.instances)
    clouds = _spellings(sorted({i.cloud for i in catalogue.instances.values()}))
    overrides = [
        o.model_copy(update={"api_model": _api_model(catalogue, o.api_model, {})})
        for o in scenario.price_overrides
    ]
    private = _spellings(o.api_model for o in overrides)
    return scenario.model_copy(
        update={
            "tiers": [_tier(t, deployments, catalogue, private) for t in scenario.tiers],
            "deployments": [_deployment(d, models, gpus, instances) for d in scenario.deployments],
            "price_overrides": overrides,
            "operations": _operations(scenario.operations, clouds),
        }
    )


def _spellings(ids: Iterable[str]) -> dict[str, str]:
    """Each id by its case-folded form; the first spelling wins (duplicates are errors anyway)."""
    found: dict[str, str] = {}
    for each in ids:
        found.setdefault(each.casefold(), each)
    return found


def _as(spellings: dict[str, str], typed: str) -> str:
    return spellings.get(typed.casefold(), typed)


def _api_model(catalogue: Catalogue, typed: str, private: dict[str, str]) -> str:
    """The catalogue's id where only case differs; else a price override's spelling."""
    known = catalogue.resolve_api_model(typed)
    if known is not None:
        # The catalogue may also resolve an alias (a dated name): that is not a matter of case.
        return known if known.casefold() == typed.casefold() else typed
    return _as(private, typed)


def _tier(
    tier: Tier, deployments: dict[str, str], catalogue: Catalogue, private: dict[str, str]
) -> Tier:
    return tier.model_copy(
        update={
            "deployment": None if tier.deployment is None else _as(deployments, tier.deployment),
            "candidates": [_as(deployments, c) for c in tier.candidates],
            "api_model": _api_model(catalogue, tier.api_model, private),
        }
    )


def _deployment(
    deployment: Deployment,
    models: dict[str, str],
    gpus: dict[str, str],
    instances: dict[str, str],
) -> Deployment:
    instance = deployment.instance
    return deployment.model_copy(
        update={
            "model": _as(models, deployment.model),
            "gpu": _as(gpus, deployment.gpu),
            "instance": None if instance is None else _as(instances, instance),
        }
    )


def _operations(operations: Operations, clouds: dict[str, str]) -> Operations:
    return operations.model_copy(
        update={"providers": [_as(clouds, p) for p in operations.providers]}
    )
