"""The late-submitters exports (the month's and the people's, CSV and XLSX) are guarded against
formula injection (adv/exports.py): people named like formulas, downloaded as the ADV does."""

from __future__ import annotations

import datetime

import pytest

from adv.users.models import User
from tests.export_guard import PAYLOADS, assert_csv_inert, assert_xlsx_inert, body
from timesheets.models import TimesheetStatus

from . import test_closing_support as support
from .test_closing_support import MAY, at, timesheet

firm = support.firm  # the fixture

pytestmark = pytest.mark.django_db

# get_full_name() strips the name, so a leading tab cannot survive there
NAMED = PAYLOADS[:4]


@pytest.fixture
def hostile_names(firm):
    """Late consultants and their manager named like formulas; Lise submitted May 3 days late."""
    timesheet(firm.late2, MAY, TimesheetStatus.SUBMITTED, submitted=at(datetime.date(2026, 5, 29)))
    for persona, payload in zip((firm.late1, firm.late2, firm.manager, firm.loner), NAMED, strict=True):
        User.objects.filter(pk=persona.user.pk).update(first_name=payload)
    return firm


def _download(firm, query: str) -> bytes:
    return body(firm.adv.client().get(firm.adv.url(f"timesheets/closing/late/?{query}")))


def test_the_months_late_submitters_export_is_inert(hostile_names):
    month = "view=month&month=2026-05"
    cells = assert_csv_inert(_download(hostile_names, f"{month}&export=csv"), NAMED)
    assert "2" in cells  # Lise's delay in days: a number, as typed
    assert_xlsx_inert(_download(hostile_names, f"{month}&export=xlsx"), NAMED)


def test_the_habitually_late_export_is_inert(hostile_names):
    shown = [PAYLOADS[1], PAYLOADS[2]]  # Lise, late in May, and her manager
    assert_csv_inert(_download(hostile_names, "view=people&export=csv"), shown)
    assert_xlsx_inert(_download(hostile_names, "view=people&export=xlsx"), shown)
