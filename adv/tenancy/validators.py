"""French company identifiers and bank details, checked with python-stdnum and schwifty."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret


def _compact(value: str) -> str:
    return "".join(str(value).split()).replace(".", "").replace("-", "")


def validate_siren(value: str) -> None:
    try:
        fr_siren.validate(_compact(value))
    except StdnumError:
        raise ValidationError(_("SIREN invalide : 9 chiffres avec une clé de contrôle correcte."), code="invalid_siren")


def validate_siret(value: str) -> None:
    try:
        fr_siret.validate(_compact(value))
    except StdnumError:
        raise ValidationError(
            _("SIRET invalide : 14 chiffres (SIREN + NIC) avec une clé de contrôle correcte."), code="invalid_siret"
        )


def validate_vat_number(value: str) -> None:
    try:
        eu_vat.validate(_compact(value).upper())
    except StdnumError:
        raise ValidationError(
            _("Numéro de TVA intracommunautaire invalide (par exemple FR40303265045)."), code="invalid_vat"
        )


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException:
        raise ValidationError(_("IBAN invalide : vérifiez le pays, la longueur et la clé."), code="invalid_iban")


def validate_bic(value: str) -> None:
    try:
        BIC(value)
    except SchwiftyException:
        raise ValidationError(_("BIC invalide (8 ou 11 caractères, par exemple BNPAFRPP)."), code="invalid_bic")


def normalize_identifier(value: str) -> str:
    return _compact(value).upper()
