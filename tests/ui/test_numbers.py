"""Numbers typed and shown in the reader's language: the shared parser, formatter, field and filter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from adv.ui.forms import AmountField, QuantityField
from adv.ui.numbers import NumberError, format_decimal, format_money, parse_decimal

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    "typed",
    ["1 000,50", "1000,50", f"1{NNBSP}000,50", f"1{NBSP}000,50", "1.000,50", "1000.50", " 1 000,50 € "],
)
def test_french_reads_every_way_a_french_keyboard_or_a_copy_writes_a_thousand_and_a_half(typed):
    assert parse_decimal(typed, language_code="fr") == Decimal("1000.50")


@pytest.mark.parametrize("typed", ["1,000.50", "1000.50", "1 000.50"])
def test_english_reads_comma_grouping_and_a_decimal_dot(typed):
    assert parse_decimal(typed, language_code="en") == Decimal("1000.50")


@pytest.mark.parametrize(
    ("language", "typed"),
    [("fr", "1.000"), ("fr", "1,000,000"), ("en", "1000,50"), ("en", "1,5"), ("fr", "10 00"), ("fr", "douze")],
)
def test_ambiguous_or_malformed_input_is_refused_never_guessed(language, typed):
    with pytest.raises(NumberError) as error:
        parse_decimal(typed, language_code=language)
    assert error.value.message


def test_amounts_are_written_the_cldr_way_in_each_language():
    assert format_money(Decimal("1000.5"), language_code="fr") == f"1{NNBSP}000,50{NBSP}€"
    assert format_money(Decimal("1000.5"), language_code="en") == "€1,000.50"
    assert format_money(Decimal("-31236"), language_code="fr") == f"-31{NNBSP}236,00{NBSP}€"
    assert format_money(Decimal("1000.5"), "CHF", language_code="en") == f"CHF{NBSP}1,000.50"
    assert format_money(Decimal("83.3333"), language_code="fr") == f"83,3333{NBSP}€"  # a unit price keeps its 4 decimals
    assert format_decimal(Decimal("12.50"), trim=True, language_code="fr") == "12,5"


class AmountForm(forms.Form):
    amount = AmountField(max_digits=14, decimal_places=2)
    days = QuantityField(max_digits=7, decimal_places=2, required=False)


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [("fr", "1 000,50", "1000.50"), ("fr", f"1{NNBSP}000,50", "1000.50"), ("fr", "1000,50", "1000.50"),
     ("en", "1,000.50", "1000.50"), ("en", "1000.50", "1000.50")],
)
def test_the_shared_field_parses_in_the_active_language(language, typed, expected):
    with translation.override(language):
        form = AmountForm({"amount": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal(expected)


def test_the_shared_field_refuses_an_english_comma_with_a_message_saying_how_to_write_it():
    with translation.override("en"):
        form = AmountForm({"amount": "1000,50"})
        assert not form.is_valid()
        assert "1,000.50" in form.errors["amount"][0]
    with translation.override("fr"):
        form = AmountForm({"amount": "1.000"})
        assert not form.is_valid()
        assert "1 000" in form.errors["amount"][0].replace(NNBSP, " ")


def test_the_widget_is_a_decimal_text_input_showing_the_initial_value_in_the_readers_language():
    with translation.override("fr"):
        html = str(AmountForm(initial={"amount": Decimal("31236.00"), "days": Decimal("12.50")}))
    assert 'type="text"' in html and 'inputmode="decimal"' in html and 'type="number"' not in html
    assert f'value="31{NNBSP}236,00"' in html and 'value="12,5"' in html
    with translation.override("en"):
        html = str(AmountForm(initial={"amount": Decimal("31236.00")}))
    assert 'value="31,236.00"' in html
    # what the user typed is shown back as typed when the form has an error
    with translation.override("fr"):
        html = str(AmountForm({"amount": "1.000"})["amount"])
    assert 'value="1.000"' in html


def test_one_money_filter_for_every_page():
    template = Template("{% load adv_numbers %}{{ a|money }}|{{ a|money:'CHF' }}|{{ q|quantity }}|{{ p|amount }}")
    context = Context({"a": Decimal("50000"), "q": Decimal("20.00"), "p": Decimal("83.3333")})
    with translation.override("fr"):
        assert template.render(context) == f"50{NNBSP}000,00{NBSP}€|50{NNBSP}000,00{NBSP}CHF|20|83,3333"
    with translation.override("en"):
        assert template.render(context) == f"€50,000.00|CHF{NBSP}50,000.00|20|83.3333"
