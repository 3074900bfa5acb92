"""The one reader of `YYYY-MM` months (adv/months.py)."""

import datetime

import pytest
from django.utils import translation

from adv.months import Month, first_day


def test_a_month_is_read_from_yyyy_mm():
    assert Month.parse("2026-12") == Month(2026, 12)
    assert str(Month.parse("2026-02")) == "2026-02"


@pytest.mark.parametrize("text", ["", None, "2026-13", "2026-00", "2026-5", "26-05", "2026/05", "2026-05-01", " 2026-05", "1999-12", "3000-01", 202605])
def test_anything_but_a_real_yyyy_mm_is_refused_with_a_french_message(text):
    with translation.override("fr"), pytest.raises(ValueError, match="Mois invalide : attendu AAAA-MM"):
        Month.parse(text)


def test_a_date_picked_in_a_form_is_read_as_its_month_only_when_allowed():
    assert Month.parse("2026-05-17", day_allowed=True) == Month(2026, 5)
    assert Month.parse("2026-05", day_allowed=True) == Month(2026, 5)
    with pytest.raises(ValueError):
        Month.parse("2026-02-30", day_allowed=True)


def test_a_query_parameter_falls_back_to_its_default():
    default = datetime.date(2026, 1, 1)
    assert first_day("2026-10") == datetime.date(2026, 10, 1)
    assert first_day("octobre", default) == default
    assert first_day(None) is None
    assert Month.parse_or("x", Month(2026, 1)) == Month(2026, 1)


def test_first_and_last_days_know_leap_years():
    assert Month(2028, 2).first == datetime.date(2028, 2, 1)
    assert Month(2028, 2).last == datetime.date(2028, 2, 29)
    assert Month(2026, 2).last == datetime.date(2026, 2, 28)
    assert Month(2026, 12).last == datetime.date(2026, 12, 31)


def test_previous_and_next_cross_the_year():
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2026, 3) + 14 == Month(2027, 5)
    assert Month(2026, 3) - 3 == Month(2025, 12)


def test_a_month_is_taken_from_a_date_and_iterated_in_order():
    assert Month.of(datetime.date(2026, 12, 31)) == Month(2026, 12)
    assert list(Month(2026, 11).until(Month(2027, 2))) == [Month(2026, 11), Month(2026, 12), Month(2027, 1), Month(2027, 2)]
    assert list(Month(2026, 3).until(Month(2026, 2))) == []
    assert Month(2025, 12) < Month(2026, 1)


def test_the_label_is_in_the_readers_language():
    assert Month(2026, 12).label("fr") == "décembre 2026"
    assert Month(2026, 12).label("en") == "December 2026"
    with translation.override("fr"):
        assert Month(2027, 8).label() == "août 2027"
