"""The firm's legal identifiers and bank details are checked with their control keys."""

import pytest
from django.core.exceptions import ValidationError

from adv.tenancy.validators import validate_bic, validate_iban, validate_siren, validate_siret, validate_vat_number

VALID = [
    (validate_siren, "732 829 320"),
    (validate_siret, "732 829 320 00074"),
    (validate_vat_number, "FR 44 732829320"),
    (validate_iban, "FR14 2004 1010 0505 0001 3M02 606"),
    (validate_bic, "BNPAFRPP"),
]
# Each one character away from a valid value: the control key catches it.
INVALID = [
    (validate_siren, "732829321", "invalid_siren"),
    (validate_siret, "73282932000075", "invalid_siret"),
    (validate_vat_number, "FR45732829320", "invalid_vat"),
    (validate_iban, "FR15 2004 1010 0505 0001 3M02 606", "invalid_iban"),
    (validate_bic, "BNPAFRP", "invalid_bic"),
]


@pytest.mark.parametrize(("validator", "value"), VALID)
def test_valid_identifiers_pass(validator, value):
    validator(value)


@pytest.mark.parametrize(("validator", "value", "code"), INVALID)
def test_a_wrong_control_key_is_refused_in_french_with_its_code(validator, value, code):
    with pytest.raises(ValidationError) as error:
        validator(value)
    assert error.value.code == code
    assert "invalide" in str(error.value.messages[0]).lower()
