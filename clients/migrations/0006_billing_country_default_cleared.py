"""Clear the billing country that was only the old default.

Until 0005, `billing_country` defaulted to "FR" and the client form was pre-filled with it, so a
foreign client's record said "billed in France" unless someone cleared the field: its invoices got
French VAT and a French buyer address. A stored "FR" cannot tell the default from a choice, so the
rule is: for a client established outside France (`country` not FR), "FR" is cleared (blank now
means "the client's country") unless the record carries French evidence of a French establishment
billed there: a SIREN, a SIRET or a French VAT number. Those few keep "FR" and the pre-invoice
checks show any disagreement with the VAT regime. Reversing restores "FR" on the rows cleared here
(those still blank with the same evidence-free identity).
"""

from django.db import migrations

CLEARABLE = """
    billing_country = %s AND UPPER(country) <> 'FR' AND siren = '' AND siret = ''
    AND UPPER(vat_number) NOT LIKE 'FR%%'
"""


def _each_tenant(apps, schema_editor, sql_where: str, before: str, after: str) -> None:
    Tenant = apps.get_model("tenancy", "Tenant")
    Client = apps.get_model("clients", "Client")
    table = schema_editor.quote_name(Client._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for tenant_id in Tenant.objects.values_list("pk", flat=True):
            # Row-level security binds the owner too (FORCE): enter each tenant in turn.
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
            cursor.execute(
                f"UPDATE {table} SET billing_country = %s, updated_at = NOW() WHERE tenant_id = %s AND {sql_where}",
                [after, tenant_id, before],
            )
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


def clear_default(apps, schema_editor):
    _each_tenant(apps, schema_editor, CLEARABLE, "FR", "")


def restore_default(apps, schema_editor):
    _each_tenant(apps, schema_editor, CLEARABLE, "", "FR")


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_billing_country_follows_the_client")]

    operations = [migrations.RunPython(clear_default, restore_default)]
