"""Give every existing firm the default document types and expected documents."""

from django.db import migrations


def seed(apps, schema_editor):
    from clients.defaults import DOCUMENT_TYPES, REQUIREMENTS

    Tenant = apps.get_model("tenancy", "Tenant")
    DocumentType = apps.get_model("clients", "DocumentType")
    DocumentRequirement = apps.get_model("clients", "DocumentRequirement")
    with schema_editor.connection.cursor() as cursor:
        for tenant in Tenant.objects.all():
            # Row-level security binds the owner too (FORCE): enter each tenant in turn.
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
            types = {}
            for code, name, contractual, level in DOCUMENT_TYPES:
                types[code], _ = DocumentType.objects.get_or_create(
                    tenant_id=tenant.pk, code=code,
                    defaults={"name": name, "is_contractual": contractual, "default_security_level": level},
                )
            for code, applies_to, max_age, unexpired, responsible in REQUIREMENTS:
                DocumentRequirement.objects.get_or_create(
                    tenant_id=tenant.pk, document_type=types[code], applies_to=applies_to,
                    defaults={"max_age_days": max_age, "must_be_unexpired": unexpired, "responsible": responsible},
                )
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_row_level_security")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
