"""The dashboard's "to do" registry: every provider is asked, empty lines are dropped, the most
urgent come first. What each feature puts there: tests/billing/test_dashboard.py."""

from __future__ import annotations

from adv.ui import dashboard
from adv.ui.dashboard import WorkItem


def test_work_items_drop_zero_counts_and_sort_by_urgency_then_order(monkeypatch):
    def first(membership):
        return [
            WorkItem("a.info", "Info", 4, "/a", tone="primary", order=1),
            WorkItem("a.none", "Nothing", 0, "/n", tone="danger"),
        ]

    def second(membership):
        return [
            WorkItem("b.late", "Late", 2, "/b", tone="warning", order=5),
            WorkItem("b.urgent", "Urgent", 1, "/c", tone="danger", order=9),
        ]

    monkeypatch.setattr(dashboard, "_PROVIDERS", [])
    dashboard.register(first)
    dashboard.register(second)
    dashboard.register(first)  # registered once only
    assert [item.key for item in dashboard.work_items(membership=None)] == ["b.urgent", "b.late", "a.info"]
