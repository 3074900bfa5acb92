"""Give every existing firm the default absence types."""

from django.db import migrations

# The defaults as they stood when this migration was written (timesheets/defaults.py may change
# later; a migration replays history).
ABSENCE_TYPES = [
    ("conges-payes", "Congés payés"),
    ("rtt", "RTT"),
    ("maladie", "Maladie"),
    ("formation", "Formation"),
    ("intercontrat", "Intercontrat"),
]


def seed(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    AbsenceType = apps.get_model("timesheets", "AbsenceType")
    with schema_editor.connection.cursor() as cursor:
        for tenant in Tenant.objects.all():
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
            for code, name in ABSENCE_TYPES:
                AbsenceType.objects.get_or_create(tenant_id=tenant.pk, code=code, defaults={"name": name})
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [("timesheets", "0002_row_level_security")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
