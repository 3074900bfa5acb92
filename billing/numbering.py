"""Invoice and credit-note numbers: one gapless counter per (tenant, series, year).

The counter row is locked (SELECT ... FOR UPDATE) by the issuing transaction and incremented in it:
a rollback gives the number back, two issuers wait for each other, so numbers follow issuance
order without gap or duplicate. Nothing slow may run while the lock is held.
"""

from __future__ import annotations

import re
import string

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import InvalidNumberFormat
from .models import NumberCounter

MAX_LENGTH = 20
ALLOWED = re.compile(r"^[A-Za-z0-9\-+_/]+$")
FIELDS = {"year", "yy", "seq"}


def format_number(template: str, *, year: int, seq: int) -> str:
    return template.format(year=year, yy=f"{year % 100:02d}", seq=seq)


def validate_format(template: str, field: str = "invoice_number_format") -> None:
    """Refuse a format that is not a number, may exceed 20 characters or use other characters."""
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise InvalidNumberFormat(_("Format illisible : %(error)s.") % {"error": exc}, field) from exc
    if "seq" not in names:
        raise InvalidNumberFormat(_("Le format doit contenir {seq}, le numéro chronologique."), field)
    if names - FIELDS:
        raise InvalidNumberFormat(
            _("Variables inconnues : %(names)s. Utilisez {year}, {yy} et {seq}.")
            % {"names": ", ".join(sorted(names - FIELDS))},
            field,
        )
    for seq in (1, 99_999):
        try:
            sample = format_number(template, year=2099, seq=seq)
        except (ValueError, KeyError, IndexError) as exc:
            raise InvalidNumberFormat(_("Format illisible : %(error)s.") % {"error": exc}, field) from exc
        if not ALLOWED.match(sample):
            raise InvalidNumberFormat(
                _("« %(sample)s » : seuls les caractères A-Z a-z 0-9 - + _ / sont permis.") % {"sample": sample}, field
            )
        if len(sample) > MAX_LENGTH:
            raise InvalidNumberFormat(_("« %(sample)s » dépasse 20 caractères.") % {"sample": sample}, field)


def _counter(series: str, year: int) -> NumberCounter:
    counter = NumberCounter.objects.select_for_update().filter(series=series, year=year).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():
            NumberCounter.objects.create(series=series, year=year)
    except IntegrityError:
        pass  # another transaction created it first; lock theirs
    return NumberCounter.objects.select_for_update().get(series=series, year=year)


def take_numbers(series: str, year: int, template: str, count: int) -> list[str]:
    """The next `count` numbers of the series, taken inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Numbers are taken inside the issuing transaction.")
    counter = _counter(series, year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number", "updated_at"])
    numbers = [format_number(template, year=year, seq=seq) for seq in range(first, first + count)]
    for number in numbers:
        if len(number) > MAX_LENGTH or not ALLOWED.match(number):
            raise InvalidNumberFormat(_("Le numéro « %(number)s » n'est pas conforme.") % {"number": number})
    return numbers
