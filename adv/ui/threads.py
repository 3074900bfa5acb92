"""Each report row's conversation, as data: a floor above (the chat) registers the one provider
that reads, for a page of rows, each object's thread's last message and the reader's unread count
in one query; the reports of the lower floors (the billing cockpit, the unsigned deals, the missing
documents) call `summaries` without importing the chat. With no provider, nothing is shown.

    from adv.ui import threads
    rows_threads = threads.summaries(membership, "deal", [deal.pk for deal in page])
    # {deal id: {"conversation", "unread", "last_message", "last_author"}}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Provider = Callable[..., dict]
_provider: list[Provider] = []


def register(provider: Provider) -> Provider:
    _provider[:] = [provider]
    return provider


def summaries(membership, object_type: str, object_ids: Iterable) -> dict:
    if not _provider or membership is None:
        return {}
    return _provider[0](actor=membership, object_type=object_type, object_ids=list(object_ids))


def attach(membership, object_type: str, rows: list, *, key=lambda row: row.pk, attribute: str = "thread") -> list:
    """Set `row.<attribute>` (the summary, or None) on each row of a page: one query."""
    found = summaries(membership, object_type, [key(row) for row in rows])
    for row in rows:
        setattr(row, attribute, found.get(key(row)))
    return rows
