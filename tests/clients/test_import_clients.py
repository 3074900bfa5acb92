"""Import of clients and contacts (CSV with or without BOM, ";" or ","; XLSX): a dry run that
shows every row's errors and writes nothing, all or nothing on confirmation, and a re-import
that updates (matched by SIREN; contacts by e-mail) instead of duplicating."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from adv.tenancy.context import tenant_context
from clients import importing
from clients.models import Client, ClientName, Contact
from tests.documents import test_requirements_support as support
from tests.documents.test_requirements_support import make_siren

pytestmark = pytest.mark.django_db
media = support.media
world = support.world

SIREN_A, SIREN_B = make_siren(), make_siren()
HEADER = "Raison sociale;Nom commercial;SIREN;Statut;Secteur public;Commercial (e-mail);Ville;Contact prénom;Contact nom;Contact e-mail;Contact reçoit les factures;Contact signe les CRA"


def csv_bytes(*lines: str, bom: bool = True, header: str = HEADER, delimiter: str = ";") -> bytes:
    text = "\n".join([header, *lines]).replace(";", delimiter) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


GOOD = csv_bytes(
    f"Helios Énergies SA;Helios;{SIREN_A};client;non;sam@alpha.test;Paris;Claire;Fontaine;claire@helios.example;destinataire;non",
    f"Helios Énergies SA;Helios;{SIREN_A};client;non;sam@alpha.test;Paris;Marc;Olivier;marc@helios.example;copie;oui",
    f"NovaPay SAS;;{SIREN_B};prospect;;;Lyon;;;;;",
)


def run(world, data: bytes, *, commit: bool, filename: str = "clients.csv", actor=None):
    with tenant_context(world.tenant):
        return importing.import_run(actor=(actor or world.alice).membership, data=data, filename=filename, commit=commit)


def counts(world) -> tuple[int, int]:
    with tenant_context(world.tenant):
        return Client.objects.count(), Contact.objects.count()


def test_a_valid_file_imports_clients_and_their_contacts(world):
    # when alice imports a file with a client on two rows (two contacts) and a prospect
    report = run(world, GOOD, commit=True)
    # then two clients and two contacts exist, with their values
    assert report.committed and report.is_valid
    assert counts(world) == (2, 2)
    with tenant_context(world.tenant):
        helios = Client.objects.get(siren=SIREN_A)
        assert (helios.legal_name, helios.trade_name, helios.status, helios.owner) == (
            "Helios Énergies SA", "Helios", "client", world.sam.membership,
        )
        assert helios.head_office_city == "Paris"
        assert hasattr(helios, "billing_profile") and ClientName.objects.filter(client=helios).count() == 1
        claire = Contact.objects.get(email="claire@helios.example")
        marc = Contact.objects.get(email="marc@helios.example")
        assert (claire.client, claire.invoice_delivery, claire.signs_timesheets) == (helios, "to", False)
        assert (marc.invoice_delivery, marc.signs_timesheets) == ("cc", True)
        assert Client.objects.get(siren=SIREN_B).status == "prospect"
    assert report.summary == {
        "clients_created": 2, "clients_updated": 0, "clients_unchanged": 0,
        "contacts_created": 2, "contacts_updated": 0, "contacts_unchanged": 0,
    }


def test_the_dry_run_reports_every_rows_errors_and_writes_nothing(world):
    # given a file with errors on several rows, several on one row
    bad = csv_bytes(
        f"Helios Énergies SA;;{SIREN_A};client;non;;Paris;Claire;Fontaine;claire@helios.example;destinataire;non",
        "Bad SIREN SAS;;123456789;client;peut-être;nobody@alpha.test;;;;;;",
        f";;{make_siren()};client;;;;;;;;",
        "Contact sans nom SAS;;;prospect;;;;Jean;;pas-un-email;destinataire;",
        "Statut inconnu SAS;;;partenaire;;;;;;;;",
    )
    # when alice runs the dry run
    report = run(world, bad, commit=False)
    # then every error is reported with its line (as in a spreadsheet) and column, and nothing is written
    found = {(e.line, e.column) for e in report.errors}
    assert {
        (3, "SIREN"), (3, "Secteur public"), (3, "Commercial (e-mail)"),
        (4, "Raison sociale"),
        (5, "Contact e-mail"), (5, "Contact nom"),
        (6, "Statut"),
    } <= found
    assert not any(e.line == 2 for e in report.errors)
    siren_error = next(e for e in report.errors if e.column == "SIREN")
    assert siren_error.value == "123456789" and "SIREN invalide" in siren_error.message
    assert not report.committed
    assert counts(world) == (0, 0)
    # and the valid first row, dry run alone, would have created its client (then rolled back)
    assert report.rows[0].client_action == "created"


def test_confirming_a_file_with_one_bad_row_writes_nothing(world):
    # given a file valid except its last row
    data = csv_bytes(
        f"Helios Énergies SA;;{SIREN_A};client;;;;Claire;Fontaine;claire@helios.example;;",
        "Bad SAS;;123456789;client;;;;;;;;",
    )
    # when the import is confirmed
    report = run(world, data, commit=True)
    # then nothing at all is written
    assert not report.committed and len(report.errors) == 1
    assert counts(world) == (0, 0)


def test_reimporting_the_same_file_updates_rather_than_duplicates(world):
    # given the file imported once
    run(world, GOOD, commit=True)
    # when the same file is imported again
    again = run(world, GOOD, commit=True)
    # then nothing is duplicated and everything is unchanged
    assert again.committed and counts(world) == (2, 2)
    assert again.summary["clients_unchanged"] == 2 and again.summary["contacts_unchanged"] == 2
    # when a corrected file comes (status, city, a contact's flag, a new contact)
    changed = csv_bytes(
        f"Helios Énergies SA;Helios;{SIREN_A};client;non;sam@alpha.test;Lyon;Claire;Fontaine;CLAIRE@helios.example;destinataire;oui",
        f"NovaPay SAS;;{SIREN_B};client;;;Lyon;Karim;Haddad;karim@novapay.example;;",
    )
    report = run(world, changed, commit=True)
    # then the clients (by SIREN) and the contact (by e-mail, whatever its case) are updated
    assert report.committed
    assert counts(world) == (2, 3)
    with tenant_context(world.tenant):
        assert Client.objects.get(siren=SIREN_A).head_office_city == "Lyon"
        assert Client.objects.get(siren=SIREN_B).status == "client"
        assert Contact.objects.get(email="claire@helios.example").signs_timesheets is True
    assert report.summary["clients_updated"] == 2 and report.summary["contacts_updated"] == 1


def test_a_different_name_for_an_existing_siren_is_an_error_not_a_silent_rename(world):
    run(world, GOOD, commit=True)
    renamed = csv_bytes(f"Helios Group SA;Helios;{SIREN_A};client;;;;;;;;")
    report = run(world, renamed, commit=False)
    assert [(e.line, e.column) for e in report.errors] == [(2, "Raison sociale")]
    assert "Changer de dénomination" in report.errors[0].message


def test_comma_separated_csv_without_bom_and_windows_1252_are_read(world):
    # given the same data comma-separated, without BOM
    comma = csv_bytes(f"Helios Énergies SA,Helios,{SIREN_A},client,,,,,,,,", bom=False, delimiter=",")
    assert run(world, comma, commit=False).rows[0].client_name == "Helios"
    # and a file saved by Excel in Windows-1252
    ansi = (HEADER + "\n" + f"Société Générale d'Études SA;;{SIREN_B};prospect;;;;;;;;\n").encode("cp1252")
    report = run(world, ansi, commit=True)
    assert report.committed and report.warnings
    with tenant_context(world.tenant):
        assert Client.objects.get(siren=SIREN_B).legal_name == "Société Générale d'Études SA"


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_files_are_read_including_numeric_sirens(world):
    # given an Excel file where the SIREN is a number and a flag a boolean cell
    data = xlsx_bytes([
        ["Raison sociale", "SIREN", "Statut", "Secteur public", "Contact nom", "Contact e-mail"],
        ["Helios Énergies SA", int(SIREN_A), "Client", True, "Fontaine", "claire@helios.example"],
        [None, None, None, None, None, None],
        ["Leading Zero SA", 12345679, "prospect", False, None, None],
    ])
    # when imported (dry run)
    report = run(world, data, commit=False, filename="clients.xlsx")
    # then the first row is fine and the SIREN keeps its leading zero (012345679: wrong key -> error on line 4)
    assert report.rows[0].errors == [] and report.rows[0].siren == SIREN_A
    assert [(e.line, e.column, e.value) for e in report.errors] == [(4, "SIREN", "012345679")]


def test_an_unreadable_or_headerless_file_is_refused_as_a_whole(world):
    with pytest.raises(importing.ImportFileError):
        run(world, b"", commit=False)
    with pytest.raises(importing.ImportFileError, match="Raison sociale"):
        run(world, b"foo;bar\n1;2\n", commit=False)
    with pytest.raises(importing.ImportFileError):
        run(world, b"PK\x03\x04garbage", commit=False, filename="clients.xlsx")


def test_the_template_files_import_cleanly(world):
    # the downloadable templates (CSV and XLSX) are themselves valid imports
    for data, name in ((importing.template_csv(), "modele.csv"), (importing.template_xlsx(), "modele.xlsx")):
        report = run(world, data, commit=False, filename=name)
        assert report.is_valid, report.errors
        assert report.summary["clients_created"] == 1 and report.summary["contacts_created"] == 2


# --- Pages ------------------------------------------------------------------------------------------


def import_url(world, name="clients:import"):
    return reverse(name, kwargs={"tenant_slug": world.tenant.slug})


def test_the_pages_upload_check_then_confirm(world):
    browser = world.ada.client()
    # when ada uploads a valid file
    response = browser.post(import_url(world), {"file": SimpleUploadedFile("clients.csv", GOOD)})
    html = response.content.decode()
    # then she sees what will happen, and nothing is written yet
    assert response.status_code == 200 and 'data-testid="import-valid"' in html
    assert "2 client(s) créé(s)" in html
    assert counts(world) == (0, 0)
    token = re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)
    # when she confirms
    response = browser.post(import_url(world, "clients:import_confirm"), {"token": token})
    # then everything is written and she lands on the client list with a summary
    assert response.status_code == 302 and response["Location"].endswith("/clients/")
    assert counts(world) == (2, 2)
    # and the same token cannot be replayed
    browser.post(import_url(world, "clients:import_confirm"), {"token": token})
    assert counts(world) == (2, 2)


def test_the_dry_run_page_lists_errors_without_a_confirm_button(world):
    bad = csv_bytes("Bad SAS;;123456789;client;;;;;;;;", "Also bad;;;inconnu;;;;;;;;")
    response = world.alice.client().post(import_url(world), {"file": SimpleUploadedFile("clients.csv", bad)})
    html = response.content.decode()
    assert 'data-testid="import-invalid"' in html and 'data-testid="import-confirm"' not in html
    assert sorted(re.findall(r'data-testid="import-error" data-line="(\d+)"', html)) == ["2", "3"]
    assert counts(world) == (0, 0)


def test_a_confirm_token_belongs_to_the_member_who_checked_the_file(world):
    html = world.ada.client().post(import_url(world), {"file": SimpleUploadedFile("c.csv", GOOD)}).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)
    world.alice.client().post(import_url(world, "clients:import_confirm"), {"token": token})
    assert counts(world) == (0, 0)


def test_only_admin_and_adv_may_import(world, bob):
    assert world.sam.client().get(import_url(world)).status_code == 403
    assert bob.client().get(import_url(world)).status_code == 403
    assert world.ada.client().get(import_url(world)).status_code == 200
    with pytest.raises(importing.access.PermissionDenied):
        run(world, GOOD, commit=True, actor=world.sam)


def test_the_template_can_be_downloaded(world):
    url = import_url(world, "clients:import_template")
    csv_response = world.alice.client().get(url, {"format": "csv"})
    assert csv_response.content.decode("utf-8-sig").startswith("Raison sociale;Nom commercial;")
    xlsx_response = world.alice.client().get(url, {"format": "xlsx"})
    assert xlsx_response.content[:2] == b"PK"
    assert world.alice.client().get(url, {"format": "exe"}).status_code == 404


def test_carol_cannot_reach_alices_import(world, carol):
    for name in ("clients:import", "clients:import_template"):
        assert carol.client().get(import_url(world, name)).status_code == 404
    assert carol.client().post(import_url(world, "clients:import_confirm"), {"token": "0" * 32}).status_code == 404
