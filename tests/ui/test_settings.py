"""Firm settings: legal identity and defaults, validated, saved through tenant_update."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from adv.tenancy.models import Tenant

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Alpha Conseil",
    "legal_name": "Alpha Conseil SAS",
    "legal_form": "SAS",
    "share_capital": "10 000,50",
    "rcs_city": "Lyon",
    "siren": "732 829 320",
    "siret": "73282932000074",
    "vat_number": "FR44732829320",
    "address_line1": "1 place Bellecour",
    "address_line2": "",
    "postal_code": "69002",
    "city": "Lyon",
    "country": "FR",
    "iban": "FR14 2004 1010 0505 0001 3M02 606",
    "bic": "PSSTFRPPPAR",
    "payment_terms_days": "45",
    "time_zone": "Europe/Paris",
    "language": "fr",
}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 58, 95)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_admin_saves_the_legal_identity(alice):
    response = alice.client().post(alice.url("settings/"), VALID)
    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=alice.tenant.pk)
    assert tenant.share_capital == Decimal("10000.50")
    assert tenant.siren == "732829320"
    assert tenant.iban == "FR1420041010050500013M02606"
    assert tenant.payment_terms_days == 45
    assert tenant.rcs_city == "Lyon"


def test_invalid_form_shows_field_errors_in_french_and_saves_nothing(alice):
    before = Tenant.objects.get(pk=alice.tenant.pk)
    data = {**VALID, "siren": "123456789", "iban": "FR00 1234", "payment_terms_days": "90", "legal_name": "", "city": "Marseille"}
    # when alice submits a bad SIREN, a bad IBAN, an illegal payment term and no legal name
    response = alice.client().post(alice.url("settings/"), data)
    # then every field says what is wrong, and nothing is saved (not even the valid city)
    assert response.status_code == 400
    body = response.content.decode()
    assert "SIREN invalide" in body
    assert "IBAN invalide" in body
    assert "inférieure ou égale à 60" in body
    assert "Ce champ est obligatoire" in body
    assert 'data-testid="form-error-summary"' in body
    after = Tenant.objects.get(pk=alice.tenant.pk)
    assert (after.city, after.siren, after.iban, after.legal_name) == (before.city, before.siren, before.iban, before.legal_name)
    # and the layout still shows the firm's saved name
    assert "Alpha Conseil" in body



def test_field_errors_speak_the_users_language(alice):
    # given alice works in English
    type(alice.user).objects.filter(pk=alice.user.pk).update(language="en")
    # when she submits a bad SIREN and no legal name
    response = alice.client().post(alice.url("settings/"), {**VALID, "siren": "123456789", "legal_name": ""})
    # then the errors are in English, and nothing is saved
    body = response.content.decode()
    assert response.status_code == 400
    assert "Invalid SIREN" in body and "This field is required." in body
    assert "SIREN invalide" not in body
    assert Tenant.objects.get(pk=alice.tenant.pk).siren == alice.tenant.siren

def test_siret_must_extend_the_siren(alice):
    response = alice.client().post(alice.url("settings/"), {**VALID, "siren": "552100554", "vat_number": ""})
    assert response.status_code == 400
    assert "Le SIRET doit commencer par le SIREN" in response.content.decode()


def test_logo_upload_accepts_an_image_and_serves_it_to_members(alice, bob):
    logo = SimpleUploadedFile("../../evil name.png", _png(), content_type="image/png")
    response = alice.client().post(alice.url("settings/"), {**VALID, "logo": logo})
    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=alice.tenant.pk)
    assert tenant.logo.name.startswith("tenant-logos/logo")
    served = bob.client().get(bob.url("settings/logo/"))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == _png()


def test_logo_upload_refuses_a_file_that_is_not_an_image(alice):
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)></svg>", content_type="image/png")
    response = alice.client().post(alice.url("settings/"), {**VALID, "logo": fake})
    assert response.status_code == 400
    assert "pas une image lisible" in response.content.decode()
    assert not Tenant.objects.get(pk=alice.tenant.pk).logo


def test_logo_can_be_removed(alice):
    alice.client().post(alice.url("settings/"), {**VALID, "logo": SimpleUploadedFile("l.png", _png())})
    response = alice.client().post(alice.url("settings/"), {**VALID, "logo_clear": "on"})
    assert response.status_code == 302
    assert not Tenant.objects.get(pk=alice.tenant.pk).logo


def test_consultant_cannot_change_the_settings(bob):
    response = bob.client().post(bob.url("settings/"), {**VALID, "name": "Hacked"})
    assert response.status_code == 403
    assert Tenant.objects.get(pk=bob.tenant.pk).name == "Alpha Conseil"


def test_carol_cannot_change_alices_settings(alice, carol):
    response = carol.client().post(alice.url("settings/"), {**VALID, "name": "Hacked"})
    assert response.status_code == 404
    assert Tenant.objects.get(pk=alice.tenant.pk).name == "Alpha Conseil"


def test_a_wrong_siren_is_reported_once_not_also_on_the_valid_siret(alice):
    response = alice.client().post(alice.url("settings/"), {**VALID, "siren": "123456789", "vat_number": ""})
    body = response.content.decode()
    assert "SIREN invalide" in body
    assert "Le SIRET doit commencer par le SIREN" not in body
