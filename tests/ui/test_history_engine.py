"""The history engine (adv/history.py): each model's configuration decides how its events read."""

from __future__ import annotations

import uuid
from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from adv import history
from adv.tenancy.context import tenant_context
from adv.ui.numbers import format_decimal
from deals.history import RATE_FIELDS
from deals.models import Assignment


def event(model: str, label: str, data: dict, diff: dict | None = None, context: dict | None = None):
    return SimpleNamespace(
        pgh_model=model, pgh_label=label, pgh_data=data, pgh_diff=diff, pgh_context=context or {},
        pgh_created_at=None, pgh_obj_id=str(uuid.uuid4()),
    )


def label(column: str) -> str:
    return str(Assignment._meta.get_field(column).verbose_name)


def test_a_creation_shows_its_configured_columns_read_for_a_person(alice):
    # given the creation of a staffing line (rates, dates, days) and of a milestone
    staffing = event("deals.AssignmentEvent", "insert", {
        "daily_rate": "650.00", "purchase_daily_rate": "480.00", "start_date": "2026-05-04", "end_date": None,
        "planned_days": "20.00", "comment": "not a creation column",
    })
    with translation.override("fr"), tenant_context(alice.tenant):
        # when it is read by someone who may see rates, and by someone who may not
        full = history.rows([staffing])[0]
        without_rates = history.rows([staffing], hide=RATE_FIELDS)[0]
    # then amounts and dates read as in the rest of the product, empty columns are left out
    assert [(c.field, c.after) for c in full.changes] == [
        ("TJM de vente (HT)", format_decimal(Decimal("650.00"), None)),
        (label("purchase_daily_rate"), format_decimal(Decimal("480.00"), None)),
        ("début", "04/05/2026"),
        ("jours prévus", format_decimal(Decimal("20.00"), None)),
    ]
    assert len(full.changes) == 4 and full.action_label == "Création" and full.subject_kind == "Staffing"
    # and the rates never reach whoever may not see them
    assert len(without_rates.changes) == 2


def test_an_update_names_the_rows_its_keys_point_to_or_says_they_are_gone(alice, bob):
    gone = str(uuid.uuid4())
    change = event(
        "deals.DealEvent", "update", {"reference": "AFF-2026-0001"},
        diff={"sales_owner_id": [str(bob.membership.pk), gone], "updated_at": ["x", "y"]},
        context={"user": str(alice.user.pk), "token": "t"},
    )
    with translation.override("fr"), tenant_context(alice.tenant):
        row = history.rows([change])[0]
    assert row.subject == "AFF-2026-0001" and row.via_api
    assert row.actor == (alice.user.get_full_name() or alice.user.email)
    # (updated_at is hidden on every page)
    assert [(c.before, c.after) for c in row.changes] == [(str(bob.user), "élément supprimé")]


def test_a_save_that_changed_no_shown_column_says_so_and_rich_text_reads_as_words(alice):
    password_only = event("clients.BillingProfileEvent", "update", {}, diff={"updated_at": ["a", "b"]})
    process = event(
        "clients.BillingProfileEvent", "update", {},
        diff={"billing_process": ["", "<p>Envoyer sur <b>Chorus</b>&nbsp;Pro</p>"]},
    )
    with translation.override("fr"), tenant_context(alice.tenant):
        first, second = history.rows([password_only, process])
    assert [c.field for c in first.changes] == ["Mot de passe de la plateforme modifié"]
    assert second.changes[0].after == "Envoyer sur Chorus Pro"


def test_the_first_file_of_a_new_document_is_part_of_its_creation_not_a_row(alice):
    first_file = event("documents.DocumentEvent", "update", {"title": "K-bis"}, diff={"current_version_id": [None, str(uuid.uuid4())]})
    with tenant_context(alice.tenant):
        assert history.rows([first_file]) == []
