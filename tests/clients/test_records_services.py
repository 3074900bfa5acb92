"""Client records in the domain: identity checks, SIREN per tenant, dated names, payment terms,
public clients on Chorus Pro, the encrypted platform password, archive versus delete."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import Conflict, DomainError, PermissionDenied
from clients import services
from clients.errors import SirenTaken
from clients.models import BillingProfile, Client, ClientName
from documents import services as document_services
from documents.models import DocumentType
from tests.clients.test_records_support import create_client, make_siren, make_siret, make_vat, member
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


# --- Identity --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("siren", "123456789"),  # bad Luhn key
        ("siren", "12345"),
        ("siret", "73282932000075"),  # bad key
        ("vat_number", "FR00732829320"),  # bad VAT key
        ("vat_number", "XX123"),
    ],
)
def test_invalid_identifier_is_a_field_error_and_nothing_is_saved(alice, field, value):
    # given a valid identity except one identifier
    with tenant_context(alice.tenant):
        before = Client.objects.count()
        # when the client is created
        with pytest.raises(DomainError) as caught:
            services.client_create(actor=alice.membership, legal_name="Globex SA", **{field: value})
        # then the error names the field, and no row was written
        assert caught.value.field == field
        assert field in caught.value.errors
        assert Client.objects.count() == before
        assert BillingProfile.objects.count() == 0


def test_identifiers_are_stored_compact_and_upper_case(alice):
    siren = make_siren()
    spaced = f"{siren[:3]} {siren[3:6]} {siren[6:]}"
    client = create_client(alice, siren=spaced, siret=make_siret(siren), vat_number=make_vat(siren).lower())
    assert client.siren == siren
    assert client.vat_number == make_vat(siren)


def test_siret_and_vat_number_must_belong_to_the_siren(alice):
    siren, other = make_siren(), make_siren()
    with tenant_context(alice.tenant):
        # a SIRET of another company: a field error, nothing saved
        with pytest.raises(DomainError) as caught:
            services.client_create(actor=alice.membership, legal_name="Mauvais SIRET", siren=siren, siret=make_siret(other))
        assert (caught.value.code, caught.value.field) == ("siret_siren_mismatch", "siret")
        # a French VAT number built on another SIREN: a field error
        with pytest.raises(DomainError) as caught:
            services.client_create(actor=alice.membership, legal_name="Mauvaise TVA", siren=siren, vat_number=make_vat(other))
        assert (caught.value.code, caught.value.field) == ("vat_siren_mismatch", "vat_number")
        assert not Client.objects.filter(legal_name__startswith="Mauvais").exists()
        # a SIRET alone gives its SIREN
        client = services.client_create(actor=alice.membership, legal_name="SIRET seul", siret=make_siret(siren))
        assert client.siren == siren
        # and an update cannot break the agreement either
        with pytest.raises(DomainError):
            services.client_update(actor=alice.membership, client=client, siret=make_siret(other))


def test_siren_is_unique_within_a_tenant_and_the_error_names_the_existing_client(alice):
    # given a client with a SIREN
    siren = make_siren()
    existing = create_client(alice, legal_name="Initech SAS", siren=siren)
    # when another client is created with the same SIREN
    with tenant_context(alice.tenant):
        with pytest.raises(SirenTaken) as caught:
            services.client_create(actor=alice.membership, legal_name="Initech bis", siren=siren)
        # then the error links to the existing client and nothing is written
        assert caught.value.existing.pk == existing.pk
        assert caught.value.field == "siren"
        assert caught.value.status == 409
        assert Client.objects.filter(siren=siren).count() == 1


def test_the_same_siren_is_allowed_in_another_tenant(alice, carol):
    siren = make_siren()
    create_client(alice, siren=siren)
    other = create_client(carol, siren=siren)
    assert other.siren == siren


def test_an_update_cannot_take_another_clients_siren(alice):
    siren = make_siren()
    create_client(alice, siren=siren)
    second = create_client(alice)
    with tenant_context(alice.tenant):
        with pytest.raises(SirenTaken):
            services.client_update(actor=alice.membership, client=second, siren=siren)
        second.refresh_from_db()
        assert second.siren == ""


def test_a_group_cannot_be_its_own_ancestor(alice):
    group = create_client(alice, legal_name="Groupe")
    subsidiary = create_client(alice, legal_name="Filiale", parent=group)
    with tenant_context(alice.tenant):
        with pytest.raises(DomainError) as caught:
            services.client_update(actor=alice.membership, client=group, parent=subsidiary)
        assert caught.value.code == "parent_cycle"


# --- Names --------------------------------------------------------------------------------------------


def test_rename_keeps_the_dated_history_and_the_old_name_for_older_dates(alice):
    # given a client known as "Ancien Nom" since its creation (backdated to 2020)
    client = create_client(alice, legal_name="Ancien Nom SA")
    with tenant_context(alice.tenant):
        ClientName.objects.filter(client=client).update(valid_from=datetime.date(2020, 1, 1))
        # when it is renamed from 1 March 2024
        services.client_rename(
            actor=alice.membership, client=client, legal_name="Nouveau Nom SA", valid_from=datetime.date(2024, 3, 1)
        )
        client = Client.objects.prefetch_related("names").get(pk=client.pk)
        # then the record carries the new name, and the history both, dated
        assert client.legal_name == "Nouveau Nom SA"
        assert [(n.legal_name, n.valid_from) for n in client.names.order_by("valid_from")] == [
            ("Ancien Nom SA", datetime.date(2020, 1, 1)),
            ("Nouveau Nom SA", datetime.date(2024, 3, 1)),
        ]
        assert services.client_name_on(client, datetime.date(2024, 2, 29)) == "Ancien Nom SA"
        assert services.client_name_on(client, datetime.date(2024, 3, 1)) == "Nouveau Nom SA"
        assert services.client_name_on(client, datetime.date(2019, 6, 1)) == "Ancien Nom SA"


def test_a_rename_dated_before_the_record_was_created_becomes_the_current_name(alice):
    # given a client created today
    client = create_client(alice, legal_name="Ancien SA")
    last_month = timezone.localdate() - datetime.timedelta(days=30)
    with tenant_context(alice.tenant):
        # when its change of name last month is recorded
        services.client_rename(actor=alice.membership, client=client, legal_name="Nouveau SA", valid_from=last_month)
        client = Client.objects.get(pk=client.pk)
        # then the new name is current from last month, and the former one before it
        assert client.legal_name == "Nouveau SA"
        assert services.client_name_on(client, last_month) == "Nouveau SA"
        assert services.client_name_on(client, last_month - datetime.timedelta(days=1)) == "Ancien SA"


def test_a_rename_dated_the_day_the_client_was_created_keeps_the_first_name_in_the_history(alice):
    # given a client created today under its first name
    client = create_client(alice, legal_name="Premier Nom SA")
    today = timezone.localdate()
    with tenant_context(alice.tenant):
        # when a change of name from today is recorded
        services.client_rename(actor=alice.membership, client=client, legal_name="Second Nom SA", valid_from=today)
        client = Client.objects.get(pk=client.pk)
        # then the new name is current, and the first one is still in the history, before today
        assert client.legal_name == "Second Nom SA"
        assert [n.legal_name for n in ClientName.objects.filter(client=client).order_by("valid_from")] == [
            "Premier Nom SA", "Second Nom SA",
        ]
        assert services.client_name_on(client, today) == "Second Nom SA"
        assert services.client_name_on(client, today - datetime.timedelta(days=1)) == "Premier Nom SA"
        # and a second rename the same day corrects that day's name instead of adding another
        services.client_rename(actor=alice.membership, client=client, legal_name="Second Nom SAS", valid_from=today)
        assert [n.legal_name for n in ClientName.objects.filter(client=client).order_by("valid_from")] == [
            "Premier Nom SA", "Second Nom SAS",
        ]


def test_rename_in_the_future_is_refused(alice):
    client = create_client(alice, legal_name="Stable SA")
    with tenant_context(alice.tenant):
        with pytest.raises(DomainError) as caught:
            services.client_rename(
                actor=alice.membership, client=client, legal_name="Futur SA",
                valid_from=timezone.localdate() + datetime.timedelta(days=1),
            )
        assert caught.value.field == "valid_from"
        client.refresh_from_db()
        assert client.legal_name == "Stable SA"


def test_a_plain_update_cannot_change_the_name(alice):
    client = create_client(alice, legal_name="Nom SA")
    with tenant_context(alice.tenant):
        with pytest.raises(DomainError) as caught:
            services.client_update(actor=alice.membership, client=client, legal_name="Autre SA")
        assert caught.value.code == "use_rename"


# --- Billing profile -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "end_of_month", "allowed"),
    [(60, False, True), (61, False, False), (45, True, True), (46, True, False), (0, False, True)],
)
def test_payment_terms_respect_the_legal_maxima(alice, days, end_of_month, allowed):
    client = create_client(alice)
    with tenant_context(alice.tenant):
        call = lambda: services.billing_profile_update(  # noqa: E731
            actor=alice.membership, client=client, payment_terms_days=days, payment_terms_end_of_month=end_of_month
        )
        if allowed:
            call()
        else:
            with pytest.raises(DomainError) as caught:
                call()
            assert caught.value.code == "payment_terms_over_legal_max"
            assert caught.value.field == "payment_terms_days"
        profile = BillingProfile.objects.get(client=client)
        assert (profile.payment_terms_days == days) is allowed


def test_a_public_client_is_billed_through_chorus_pro(alice):
    # given a public-sector client: its profile starts on Chorus Pro
    client = create_client(alice, legal_name="Mairie de Lyon", is_public_sector=True)
    with tenant_context(alice.tenant):
        assert BillingProfile.objects.get(client=client).einvoicing_platform == "chorus_pro"
        # when someone tries to bill it by e-mail, then it is refused
        with pytest.raises(DomainError) as caught:
            services.billing_profile_update(actor=alice.membership, client=client, einvoicing_platform="none")
        assert caught.value.code == "public_sector_chorus"
        assert BillingProfile.objects.get(client=client).einvoicing_platform == "chorus_pro"


def test_a_client_that_becomes_public_moves_to_chorus_pro(alice):
    client = create_client(alice, legal_name="Future régie")
    with tenant_context(alice.tenant):
        assert BillingProfile.objects.get(client=client).einvoicing_platform == "none"
        services.client_update(actor=alice.membership, client=client, is_public_sector=True)
        assert BillingProfile.objects.get(client=client).einvoicing_platform == "chorus_pro"


def test_the_platform_password_is_stored_encrypted(alice):
    client = create_client(alice)
    secret = "Tr3s-S3cret!chorus"
    with tenant_context(alice.tenant):
        services.billing_profile_update(
            actor=alice.membership, client=client, einvoicing_platform="other", platform_name="Ariba",
            platform_password=secret,
        )
        profile = BillingProfile.objects.get(client=client)
        with connection.cursor() as cursor:
            cursor.execute("SELECT platform_password_encrypted FROM clients_billingprofile WHERE id = %s", [profile.pk])
            (stored,) = cursor.fetchone()
    assert stored and secret not in stored
    assert profile.has_platform_password
    with tenant_context(alice.tenant):
        assert services.billing_profile_platform_password(actor=alice.membership, profile=profile) == secret


@pytest.mark.parametrize(("role", "allowed"), [("adv", True), ("admin", True), ("sales", False), ("accountant", False), ("manager", False)])
def test_only_adv_and_admin_reveal_the_platform_password(alice, role, allowed):
    client = create_client(alice)
    with tenant_context(alice.tenant):
        services.billing_profile_update(actor=alice.membership, client=client, platform_password="p4ss")
        profile = BillingProfile.objects.get(client=client)
    actor = alice if role == "admin" else member(alice, role)
    with tenant_context(alice.tenant):
        if allowed:
            assert services.billing_profile_platform_password(actor=actor.membership, profile=profile) == "p4ss"
        else:
            with pytest.raises(PermissionDenied):
                services.billing_profile_platform_password(actor=actor.membership, profile=profile)


def test_rich_text_billing_process_is_sanitised(alice):
    client = create_client(alice)
    with tenant_context(alice.tenant):
        profile = services.billing_profile_update(
            actor=alice.membership, client=client,
            billing_process='<p>Déposer <strong>avant le 5</strong></p><script>alert(1)</script><img src=x onerror=alert(1)>',
        )
    assert profile.billing_process == "<p>Déposer <strong>avant le 5</strong></p>"


# --- Archive versus delete -----------------------------------------------------------------------------------


def test_a_client_nothing_depends_on_can_be_deleted(alice):
    client = create_client(alice)
    with tenant_context(alice.tenant):
        services.client_delete(actor=alice.membership, client=client)
        assert not Client.objects.filter(pk=client.pk).exists()


def test_a_client_with_a_subsidiary_or_a_document_is_archived_not_deleted(alice):
    group = create_client(alice, legal_name="Groupe")
    create_client(alice, legal_name="Filiale", parent=group)
    with_document = create_client(alice, legal_name="Avec document")
    with tenant_context(alice.tenant):
        document_services.document_types_seed_defaults()
        DocumentFactory(
            client=with_document, document_type=DocumentType.objects.get(code="kbis"), title="K-bis"
        )
        for client in (group, with_document):
            with pytest.raises(Conflict) as caught:
                services.client_delete(actor=alice.membership, client=client)
            assert caught.value.code == "client_in_use"
            assert Client.objects.filter(pk=client.pk).exists()
            archived = services.client_archive(actor=alice.membership, client=client)
            assert archived.archived_at is not None
        restored = services.client_unarchive(actor=alice.membership, client=group)
        assert restored.archived_at is None


def test_a_client_with_a_deal_is_archived_not_deleted_and_the_error_says_why(alice):
    # given a client with a deal (the deal protects its client in the database)
    from deals import services as deal_services

    client = create_client(alice, legal_name="Avec affaire", status="client")
    with tenant_context(alice.tenant):
        deal_services.deal_create(
            actor=alice.membership, client=client, deal_type="t_and_m", title="Régie",
            start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31),
        )
        # when it is deleted: a clear conflict naming what depends on it, not a server error
        with pytest.raises(Conflict) as caught:
            services.client_delete(actor=alice.membership, client=client)
        # then it is still there and can be archived
        assert caught.value.code == "client_in_use"
        assert "affaires" in str(caught.value)
        assert Client.objects.filter(pk=client.pk).exists()
        assert services.client_archive(actor=alice.membership, client=client).archived_at is not None


@pytest.mark.parametrize("role", ["accountant", "manager", "project_manager", "consultant"])
def test_read_only_roles_cannot_write_client_records(alice, role):
    actor = member(alice, role)
    client = create_client(alice)
    with tenant_context(alice.tenant):
        with pytest.raises(PermissionDenied):
            services.client_create(actor=actor.membership, legal_name="Interdit SA")
        with pytest.raises(PermissionDenied):
            services.client_archive(actor=actor.membership, client=client)
        with pytest.raises(PermissionDenied):
            services.contact_create(actor=actor.membership, client=client, last_name="Durand")
