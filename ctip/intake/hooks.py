"""Extension points for apps above intake (verification): links they add to the triage pages,
and the outcome they tell a reporter on the receipt page. Registered in their
AppConfig.ready(); intake cannot import those apps (decision 0011)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ctip.registry.hooks import PageLink

from .models import Matter, Report

# --- links on the matter page and in the triage queue ---------------------------------------

MatterLinkProvider = Callable[..., None]
_MATTER_LINKS: list[MatterLinkProvider] = []


def matter_link_provider(provider: MatterLinkProvider) -> MatterLinkProvider:
    """Register `provider(actor=, matters=, links=)`: it adds PageLinks to `links`
    (matter id -> list), for matters the actor may see already; at most a query per call."""
    if provider not in _MATTER_LINKS:
        _MATTER_LINKS.append(provider)
    return provider


def matter_links(*, actor: Any, matters: list[Matter]) -> dict[int, list[PageLink]]:
    """The links other apps offer this actor for these matters (read through intake's
    selectors, so visible to the actor)."""
    links: dict[int, list[PageLink]] = {}
    if matters:
        for provider in _MATTER_LINKS:
            provider(actor=actor, matters=matters, links=links)
    return links


# --- what the reporter reads about the outcome ------------------------------------------------


@dataclass(frozen=True)
class ReceiptOutcome:
    """A piece of the reporter's receipt page: plain words, no names, no agencies."""

    title: str
    text: str = ""


ReceiptProvider = Callable[..., ReceiptOutcome | None]
_RECEIPT_OUTCOMES: list[ReceiptProvider] = []


def receipt_outcome_provider(provider: ReceiptProvider) -> ReceiptProvider:
    """Register `provider(report=)` -> ReceiptOutcome | None (the report was opened with its
    receipt code; the provider says only what the public may read)."""
    if provider not in _RECEIPT_OUTCOMES:
        _RECEIPT_OUTCOMES.append(provider)
    return provider


def receipt_outcomes(*, report: Report) -> list[ReceiptOutcome]:
    found = (provider(report=report) for provider in _RECEIPT_OUTCOMES)
    return [outcome for outcome in found if outcome is not None]
