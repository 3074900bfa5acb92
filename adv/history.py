"""One history engine: django-pghistory events made readable for the history pages (the firm's
audit trail, a client's history, a deal's history).

Each app says, per tracked model, how its events read (`Tracked`, registered when the app is
ready, in its `history.py`): what a row is about, the labels of its columns, which columns a
creation shows and which stay hidden, how a value reads (a choice, a date, an amount, a foreign
key named by the row it points to, a column of its own). `rows()` turns one page of events into
`HistoryRow`s with one query per kind of row named (actors, members, clients…), whatever the page
size. Each app's selector still decides which events a reader may see.

`pgh_data` holds the row after the event, `pgh_diff` {column: [before, after]} against the previous
event of the same object, `pgh_context` the actor (user id), the URL or the API token of the change.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy

# Columns that change on every save or say nothing to a reader, on every page.
ALWAYS_HIDDEN = frozenset({"id", "created_at", "updated_at", "tenant_id"})
ACTIONS = {"insert": gettext_lazy("Création"), "update": gettext_lazy("Modification"), "delete": gettext_lazy("Suppression")}


@dataclass(frozen=True)
class HistoryChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    when: object
    action: str  # insert | update | delete (or another pghistory label)
    action_label: str
    subject_kind: str
    subject: str
    actor: str | None
    via_api: bool = False
    url: str | None = None
    changes: list[HistoryChange] = field(default_factory=list)


@dataclass(frozen=True)
class Relation:
    """How a foreign key reads: by the row it points to, loaded once per page for all events."""

    show: Callable[[Any], str] = str
    missing: Any = None  # what a row gone reads as; None: its raw id
    select_related: tuple[str, ...] = ()
    only: tuple[str, ...] = ()


def full_name(user) -> str:
    return user.get_full_name() or user.email


@dataclass(frozen=True)
class Tracked:
    """How the events of one tracked model read (`event`: the pghistory event model's label)."""

    event: str
    kind: Any  # what a row is about, e.g. "Fiche client"
    subject: Callable[[Any, dict, Names], str] = lambda event, data, names: ""
    creation: tuple[str, ...] = ()  # the columns a creation shows
    creation_skips: tuple = (None, "")  # values a creation does not show
    hidden: frozenset[str] = frozenset()  # beyond ALWAYS_HIDDEN
    labels: Mapping[str, Any] = field(default_factory=dict)  # column → label when the verbose name won't do
    values: Mapping[str, Callable[[str], str]] = field(default_factory=dict)  # column → how its text reads
    relations: Mapping[str, Relation] = field(default_factory=dict)  # related model label → how it reads
    unknown_relation: Any = None  # what a key to a model not in `relations` reads as; None: its raw id
    dates: bool = True  # dates and times in the reader's format (the audit trail keeps ISO)
    decimal: Callable[[Decimal], str] | None = None  # how an amount reads; None: as stored
    truncate: int | None = None  # long texts cut to this many characters
    actor: Callable[[Any], str] = full_name
    shows_columns: bool = True  # False: the row names its subject only (a link table)
    unchanged: Any = None  # the note of an update whose shown columns are all the same (None: none)
    skip: Callable[[Any, dict], bool] | None = None  # (event, shown diff) → not a row of its own
    actions: Mapping[str, Any] = field(default_factory=dict)  # labels of the actions, when they differ
    describe: Callable[[Any, dict, Names], list[HistoryChange]] | None = None  # changes told another way
    refers: Callable[[Any, dict], Iterable[tuple[str, Any]]] | None = None  # more (model label, id) to load

    @property
    def model(self):
        return apps.get_model(self.event).pgh_tracked_model


_REGISTRY: dict[str, Tracked] = {}


def register(*tracked: Tracked) -> None:
    """Declare how these event models read (each app, from its `ready()`)."""
    for item in tracked:
        _REGISTRY[item.event] = item


def tracked(event_model: str) -> Tracked:
    return _REGISTRY[event_model]


def is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class Names:
    """The rows named by one page of events, loaded with one query per model."""

    def __init__(self, wanted: Mapping[str, set[str]], relations: Mapping[str, Relation], **extra) -> None:
        self.extra = extra
        self._rows: dict[str, dict[str, Any]] = {}
        for label, ids in wanted.items():
            if not ids:
                continue
            model = apps.get_model(label)
            relation = relations.get(label, Relation())
            queryset = model._default_manager.filter(pk__in=ids)
            if relation.select_related:
                queryset = queryset.select_related(*relation.select_related)
            if relation.only:
                queryset = queryset.only(*relation.only)
            self._rows[label] = {str(row.pk): row for row in queryset}

    def get(self, model_label: str, pk) -> Any | None:
        return self._rows.get(model_label, {}).get(str(pk)) if pk else None


def _field(model, column: str):
    name = column[:-3] if column.endswith("_id") else column
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a column the model no longer has
        return None


def label(spec: Tracked, column: str) -> str:
    if column in spec.labels:
        return str(spec.labels[column])
    model_field = _field(spec.model, column)
    return str(model_field.verbose_name) if model_field is not None else column


def value(spec: Tracked, column: str, raw, names: Names) -> str:
    """How one stored value reads."""
    if raw is None or raw == "":
        return "—"
    if isinstance(raw, bool):
        return gettext("Oui") if raw else gettext("Non")
    model_field = _field(spec.model, column)
    if model_field is None:
        return str(raw)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(raw, raw))
    if model_field.is_relation:
        target = model_field.related_model._meta.label
        if target in spec.relations:
            relation = spec.relations[target]
            row = names.get(target, raw)
            if row is not None:
                return relation.show(row)
            return str(relation.missing) if relation.missing is not None else str(raw)
        if spec.unknown_relation is not None:
            return str(spec.unknown_relation)
    internal = model_field.get_internal_type()
    if spec.dates and internal == "DateTimeField":
        parsed = parse_datetime(str(raw))
        return formats.date_format(localtime(parsed), "SHORT_DATETIME_FORMAT") if parsed else str(raw)
    if spec.dates and internal == "DateField":
        parsed = parse_date(str(raw))
        return formats.date_format(parsed, "SHORT_DATE_FORMAT") if parsed else str(raw)
    if spec.decimal is not None and internal == "DecimalField":
        return spec.decimal(Decimal(str(raw)))
    text = str(raw)
    if column in spec.values:
        text = spec.values[column](text)
    if spec.truncate and internal == "TextField" and len(text) > spec.truncate:
        return text[: spec.truncate - 3] + "…"
    return text


def _wanted(events: list, specs: dict[str, Tracked]) -> dict[str, set[str]]:
    """(model label → ids) of every row the page names: actors, and foreign keys it shows."""
    user_label = get_user_model()._meta.label
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        context = event.pgh_context or {}
        if context.get("user") and is_uuid(context["user"]):
            wanted[user_label].add(str(context["user"]))
        spec = specs[event.pgh_model]
        data = event.pgh_data or {}
        hidden = ALWAYS_HIDDEN | spec.hidden
        columns = {**{k: [v] for k, v in data.items()}, **(event.pgh_diff or {})}
        for column, values in columns.items():
            model_field = _field(spec.model, column) if column not in hidden else None
            if model_field is None or not model_field.is_relation:
                continue
            target = model_field.related_model._meta.label
            if target in spec.relations:
                wanted[target].update(str(v) for v in (*values, data.get(column)) if v and is_uuid(v))
        if spec.refers is not None:
            for target, pk in spec.refers(event, data):
                if pk and is_uuid(pk):
                    wanted[target].add(str(pk))
    return wanted


def _changes(spec: Tracked, event, data: dict, diff: dict, names: Names, hide: frozenset[str]) -> list[HistoryChange]:
    if spec.describe is not None:
        return spec.describe(event, data, names)
    if not spec.shows_columns:
        return []
    changes = []
    if event.pgh_label == "insert":
        for column in spec.creation:
            raw = data.get(column)
            if raw in spec.creation_skips or column in hide:
                continue
            changes.append(HistoryChange(field=label(spec, column), before="", after=value(spec, column, raw, names)))
    elif event.pgh_label == "update" and event.pgh_diff:
        for column, (before, after) in sorted(diff.items()):
            if column in hide:
                continue
            changes.append(
                HistoryChange(
                    field=label(spec, column),
                    before=value(spec, column, before, names),
                    after=value(spec, column, after, names),
                )
            )
        if not changes and spec.unchanged is not None:
            changes.append(HistoryChange(field=str(spec.unchanged), before="", after=""))
    return changes


def rows(events: Iterable, *, hide: Iterable[str] = (), **extra) -> list[HistoryRow]:
    """Readable rows for one page of events of registered models. `hide`: columns this reader may
    not see (e.g. rates); `extra` is handed to the subjects (e.g. the firm)."""
    events = list(events)
    specs = {event.pgh_model: tracked(event.pgh_model) for event in events}
    relations: dict[str, Relation] = {}
    for spec in specs.values():
        relations.update(spec.relations)
    names = Names(_wanted(events, specs), relations, **extra)
    hide = frozenset(hide)
    user_label = get_user_model()._meta.label
    result = []
    for event in events:
        spec = specs[event.pgh_model]
        data = event.pgh_data or {}
        context = event.pgh_context or {}
        hidden = ALWAYS_HIDDEN | spec.hidden
        diff = {k: v for k, v in (event.pgh_diff or {}).items() if k not in hidden}
        if spec.skip is not None and spec.skip(event, diff):
            continue
        user = names.get(user_label, context.get("user"))
        actions = {**ACTIONS, **spec.actions}
        result.append(
            HistoryRow(
                when=event.pgh_created_at,
                action=event.pgh_label,
                action_label=str(actions.get(event.pgh_label, event.pgh_label)),
                subject_kind=str(spec.kind),
                subject=spec.subject(event, data, names),
                actor=spec.actor(user) if user is not None else None,
                via_api=bool(context.get("token")),
                url=context.get("url"),
                changes=_changes(spec, event, data, diff, names, hide),
            )
        )
    return result
