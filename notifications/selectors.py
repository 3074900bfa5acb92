"""Reads of the notifications core: scoped to the active tenant, ready for the page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When

from . import defaults
from .models import MessageTemplate, Notification, NotificationPreference, OutboxEmail, OutboxStatus


def notification_inbox(*, user) -> QuerySet[Notification]:
    """The user's in-app notifications: unread first, then newest first."""
    return (
        Notification.objects.filter(recipient=user, in_app=True)
        .select_related("actor")
        .annotate(unread_rank=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("unread_rank", "-created_at", "-id")
    )


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()


def notification_recent(*, user, limit: int = 5) -> list[Notification]:
    return list(notification_inbox(user=user).filter(read_at__isnull=True)[:limit])


def outbox_list(*, status: str | None = None) -> QuerySet[OutboxEmail]:
    """Outbox emails for the admin page; `status=None` shows those that need attention."""
    queryset = OutboxEmail.objects.defer("body", "body_html")
    if status in OutboxStatus.values:
        queryset = queryset.filter(status=status)
    elif status != "all":
        queryset = queryset.filter(status__in=[OutboxStatus.FAILED, OutboxStatus.PENDING, OutboxStatus.SENDING])
    return queryset.order_by("-created_at", "-id")


def outbox_counts() -> dict[str, int]:
    from django.db.models import Count

    counts = dict(OutboxEmail.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in OutboxStatus.values}


@dataclass(frozen=True)
class TemplateRow:
    default: defaults.DefaultTemplate
    language: str
    override: MessageTemplate | None

    @property
    def subject(self) -> str:
        return self.override.subject if self.override else self.default.subject(self.language)

    @property
    def body(self) -> str:
        return self.override.body if self.override else self.default.body(self.language)

    @property
    def is_customised(self) -> bool:
        return self.override is not None


def message_template_rows() -> list[TemplateRow]:
    """Every registered message in every language, with the tenant's override if any."""
    overrides = {(t.key, t.language): t for t in MessageTemplate.objects.select_related("updated_by")}
    return [
        TemplateRow(default=template, language=language, override=overrides.get((template.key, language)))
        for template in defaults.all_templates()
        for language in defaults.LANGUAGES
    ]


def message_template_groups() -> list[tuple[defaults.DefaultTemplate, list[TemplateRow]]]:
    """The same rows, one group per message (its languages side by side)."""
    groups: dict[str, tuple[defaults.DefaultTemplate, list[TemplateRow]]] = {}
    for row in message_template_rows():
        groups.setdefault(row.default.key, (row.default, []))[1].append(row)
    return list(groups.values())


def message_template_row(*, key: str, language: str) -> TemplateRow:
    template = defaults.get(key)
    override = MessageTemplate.objects.filter(key=key, language=language).select_related("updated_by").first()
    return TemplateRow(default=template, language=language, override=override)


def preference_rows(*, user) -> dict[str, NotificationPreference]:
    """The user's saved preferences by event ("" is the general one)."""
    return {row.event: row for row in NotificationPreference.objects.filter(user=user)}
