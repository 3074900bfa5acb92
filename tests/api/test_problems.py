"""Every domain error answers one way in the API: problem+json with its stable code, every
invalid field in `errors`, and what the client needs to act (adv/api/exceptions.py)."""

import json
from enum import StrEnum
from types import SimpleNamespace

import pytest
from rest_framework import exceptions

from adv.api.exceptions import PROBLEM_CONTENT_TYPE, problem_exception_handler
from adv.tenancy.errors import Conflict, DomainError, NotFound, TenancyErrorCode
from billing.errors import BillingErrorCode, InvoiceBlocked
from clients.errors import ClientErrorCode, SirenTaken
from deals.errors import DealErrorCode, MissingDocuments
from documents.errors import DocumentErrorCode
from notifications.errors import NotificationErrorCode
from timesheets.errors import TimesheetErrorCode


def problem(exc):
    response = problem_exception_handler(exc, {})
    return response, json.loads(json.dumps(response.data))


def test_an_error_with_every_invalid_field_keeps_them_all():
    error = DomainError("SIREN invalide.", code=ClientErrorCode.INVALID, field="siren")
    error.errors = {"siren": ["SIREN invalide."], "vat_number": ["TVA invalide.", "Pays inconnu."]}
    response, body = problem(error)
    assert response.status_code == 400 and response.content_type == PROBLEM_CONTENT_TYPE
    assert body["code"] == "invalid" and body["title"] == "SIREN invalide."
    assert body["errors"] == {"siren": ["SIREN invalide."], "vat_number": ["TVA invalide.", "Pays inconnu."]}


def test_an_error_on_one_field_names_it_and_an_error_on_none_has_no_errors():
    _, body = problem(DomainError("Trop tard.", code=TimesheetErrorCode.FUTURE_MONTH, field="month"))
    assert body["errors"] == {"month": ["Trop tard."]} and body["code"] == "future_month"
    _, body = problem(Conflict("Déjà là."))
    assert "errors" not in body and body["status"] == 409 and body["code"] == "conflict"
    response, body = problem(NotFound("Introuvable."))
    assert response.status_code == 404 and body["type"] == "https://adv.invalid/problems/not_found"


def test_signing_without_the_documents_lists_what_is_missing():
    response, body = problem(MissingDocuments(["Devis signé", "Bon de commande"]))
    assert response.status_code == 409 and body["code"] == "missing_documents"
    assert body["missing"] == ["Devis signé", "Bon de commande"]
    assert body["errors"] == {"missing": ["Devis signé", "Bon de commande"]}


def test_a_blocked_pre_invoice_gives_its_reasons():
    response, body = problem(InvoiceBlocked(["Numéro de réception manquant"]))
    assert response.status_code == 409 and body["code"] == "invoice_blocked"
    assert body["reasons"] == ["Numéro de réception manquant"]


def test_a_siren_taken_names_the_client_that_holds_it():
    existing = SimpleNamespace(pk="5b1c0f8e-0000-4000-8000-000000000001", display_name="Helios")
    response, body = problem(SirenTaken(existing))
    assert response.status_code == 409 and body["code"] == "siren_taken"
    assert body["existing_client"] == {"id": existing.pk, "display_name": "Helios"}
    assert body["errors"] == {"siren": [body["title"]]}


def test_a_serializers_field_errors_are_kept():
    _, body = problem(exceptions.ValidationError({"month": ["Mois invalide : attendu AAAA-MM."], "deal": ["Requis."]}))
    assert body["code"] == "validation_error"
    assert body["errors"] == {"month": ["Mois invalide : attendu AAAA-MM."], "deal": ["Requis."]}


@pytest.mark.parametrize(
    "codes", [BillingErrorCode, ClientErrorCode, DocumentErrorCode, DealErrorCode, TimesheetErrorCode, NotificationErrorCode, TenancyErrorCode]
)
def test_each_apps_codes_are_plain_snake_case_values_named_after_themselves(codes: type[StrEnum]):
    for member in codes:
        assert member.value == member.name.lower() and member.value.replace("_", "").isalpha()
        assert json.dumps(member) == f'"{member.value}"' and f"{member}" == member.value


def test_the_codes_clients_of_the_api_match_on_keep_their_values():
    assert (DealErrorCode.MISSING_DOCUMENTS, DealErrorCode.INVALID_TRANSITION) == ("missing_documents", "invalid_transition")
    assert (BillingErrorCode.INVOICE_IMMUTABLE, BillingErrorCode.BILLING_RUN_IN_PROGRESS) == ("invoice_immutable", "billing_run_in_progress")
    assert DocumentErrorCode.UPLOAD_REFUSED == "upload_refused" and TenancyErrorCode.LAST_ADMIN == "last_admin"
    assert DomainError("x", code=DealErrorCode.REQUIRED).code.__class__ is str
