"""The dashboard's "to do" list, as data: each feature registers a provider that returns, for a
member, the work waiting for them (pre-invoices to issue, timesheets to approve, deals to get
signed...), each with a count and the page where it is done.

    from adv.ui.dashboard import WorkItem, register
    register(my_provider)  # my_provider(membership) -> list[WorkItem]

Beside the list, a feature may add a panel of its own (the month's closing calendar, the latest
notifications): `register_panel("closing_card", fn)` where fn(membership) returns the panel's
context, read by the dashboard template under that name (None: nothing shown).

Providers and panels run on every dashboard view: each must answer in a fixed, small number of
queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from adv.tenancy.models import Membership

TONES = ("danger", "warning", "primary", "success")


@dataclass(frozen=True)
class WorkItem:
    key: str  # stable, for tests and styling: "billing.ready"
    label: str
    count: int
    url: str
    tone: str = "primary"  # one of TONES: how urgent it is
    detail: str = ""  # a second line: an amount, the deadline...
    amount: Decimal | None = None
    order: int = 50


Provider = Callable[[Membership], list[WorkItem]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (usable as a decorator); registering the same one twice keeps one."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def work_items(membership: Membership) -> list[WorkItem]:
    """What is waiting for this member, most urgent first; nothing with a zero count."""
    items = [item for provider in _PROVIDERS for item in provider(membership) if item.count]
    return sorted(items, key=lambda item: (TONES.index(item.tone), item.order, item.label))


Panel = Callable[[Membership], object]
_PANELS: dict[str, Panel] = {}


def register_panel(name: str, panel: Panel) -> Panel:
    """Add the dashboard panel `name` (a later registration of the same name replaces it)."""
    _PANELS[name] = panel
    return panel


def panels(membership: Membership) -> dict[str, object]:
    """Each registered panel's context for this member, by name."""
    return {name: panel(membership) for name, panel in _PANELS.items()}
