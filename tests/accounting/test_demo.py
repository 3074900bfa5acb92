"""The demo firm's accounting: its mapping, an auxiliary account per client, a FEC in the log."""


from accounting.models import AccountingExport, AccountMapping, ClientAccount
from adv.tenancy.context import tenant_context
from clients.models import Client
from tests.accounting.support import read_fec


def test_demo_firm_has_its_mapping_auxiliary_accounts_and_an_export(demo_tenant):
    with tenant_context(demo_tenant):
        assert AccountMapping.objects.get().bank_account == "512100"
        assert ClientAccount.objects.count() == Client.objects.count()
        assert ClientAccount.objects.filter(number="C0001", edited=True).exists()
        export = AccountingExport.objects.get()
        with export.file.open("rb") as handle:
            lines = read_fec(handle.read())
    assert export.filename.startswith(demo_tenant.siren + "FEC")
    assert {line["JournalCode"] for line in lines} == {"VE", "BQ"}
