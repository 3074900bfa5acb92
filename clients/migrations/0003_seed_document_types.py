"""Give every existing firm the default document types and expected documents."""

from django.db import migrations

# The defaults as they stood when this migration was written (documents/defaults.py may change
# later; a migration replays history): (code, name, contractual, default security level).
DOCUMENT_TYPES = [
    ("contrat-cadre", "Contrat cadre", True, 3),
    ("kbis", "K-bis", False, 2),
    ("bon-de-commande", "Bon de commande", True, 2),
    ("proposition-signee", "Proposition commerciale signée", True, 3),
    ("devis-signe", "Devis signé", True, 3),
    ("modalites-facturation", "Modalités de facturation", False, 2),
    ("email-consignes", "Email de consignes", False, 2),
    ("changement-denomination", "Changement de dénomination", False, 2),
    ("pv-recette", "PV de recette", False, 2),
    ("feuille-presence", "Feuille de présence", False, 2),
    ("feuille-temps-signee", "Feuille de temps signée", False, 2),
    ("rib", "RIB", False, 3),
    ("attestation-urssaf", "Attestation de vigilance URSSAF", False, 2),
]
# (document type code, applies to, max age in days, must be unexpired, responsible)
REQUIREMENTS = [
    ("kbis", "prospect", 90, False, "owner"),
    ("kbis", "client", 90, False, "owner"),
    ("contrat-cadre", "client", None, True, "owner"),
    ("rib", "client", None, False, "adv"),
]


def seed(apps, schema_editor):
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
