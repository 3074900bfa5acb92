"""Template helpers of the UI shell: sortable column headers, status badges, initials."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str, param: str = "sort"):
    """A column header that sorts the list by `key` (click again: descending).

    Keeps the other query parameters (filters), drops the page number.
    """
    request = context["request"]
    current = request.GET.get(param, "")
    query = request.GET.copy()
    query.pop("page", None)
    if current == key:
        query[param] = f"-{key}"
        icon, state = "bi-caret-up-fill", "ascending"
    elif current == f"-{key}":
        query[param] = key
        icon, state = "bi-caret-down-fill", "descending"
    else:
        query[param] = key
        icon, state = "bi-chevron-expand", "none"
    return format_html(
        '<a href="?{}" data-sort="{}" aria-sort="{}" title="{}">{} <i class="bi {}" aria-hidden="true"></i></a>',
        query.urlencode(),
        key,
        state,
        _("Trier"),
        label,
        icon,
    )


@register.filter
def initials(user) -> str:
    first = (getattr(user, "first_name", "") or "")[:1]
    last = (getattr(user, "last_name", "") or "")[:1]
    return (first + last).upper() or (getattr(user, "email", "?") or "?")[:1].upper()


@register.simple_tag
def status_badge(status: str, label: str):
    return format_html('<span class="badge rounded-pill adv-status adv-status-{}">{}</span>', status, label)


@register.filter
def add_class(bound_field, css: str):
    """Render a bound field's widget with extra CSS classes: {{ form.q|add_class:"form-control" }}."""
    attrs = dict(bound_field.field.widget.attrs)
    attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
    return bound_field.as_widget(attrs=attrs)
