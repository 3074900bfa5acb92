"""Copy the chases and escalations of unsigned deals and blocked milestones (`DealReminder`) into
the shared reminder ledger (`notifications.ReminderSent`), with the same ids: subject is the
milestone's id for a milestone reminder, the deal's id otherwise; the step number becomes text.
Reversing copies them back (those whose deal or milestone still exists)."""

from django.db import migrations

FORWARD = """
    INSERT INTO {ledger} (id, tenant_id, created_at, updated_at, kind, subject, step, recipient_id, sent_at,
                          sent_by_id, template_key, details)
    SELECT id, tenant_id, created_at, updated_at, 'deals.' || kind, COALESCE(milestone_id, deal_id)::text,
           step::text, membership_id, created_at, NULL, '', '[]'::jsonb
    FROM {old} WHERE tenant_id = %s
    ON CONFLICT (tenant_id, kind, subject, step, recipient_id) DO NOTHING
"""
BACKWARD = """
    INSERT INTO {old} (id, tenant_id, created_at, updated_at, deal_id, milestone_id, membership_id, kind, step)
    SELECT r.id, r.tenant_id, r.sent_at, r.updated_at, COALESCE(m.deal_id, d.id), m.id, r.recipient_id,
           substr(r.kind, 7), r.step::integer
    FROM {ledger} r
    LEFT JOIN {milestone} m ON r.kind LIKE 'deals.milestone%%' AND m.id::text = r.subject
    LEFT JOIN {deal} d ON r.kind NOT LIKE 'deals.milestone%%' AND d.id::text = r.subject
    WHERE r.tenant_id = %s AND r.kind LIKE 'deals.%%' AND (m.id IS NOT NULL OR d.id IS NOT NULL)
    ON CONFLICT DO NOTHING
"""
FORGET = "DELETE FROM {ledger} WHERE tenant_id = %s AND kind LIKE 'deals.%%'"


def _each_tenant(apps, schema_editor, statements: list[str]) -> None:
    tenant_model = apps.get_model("tenancy", "Tenant")
    tables = {
        name: schema_editor.quote_name(apps.get_model(label)._meta.db_table)
        for name, label in (
            ("ledger", "notifications.ReminderSent"), ("old", "deals.DealReminder"),
            ("deal", "deals.Deal"), ("milestone", "deals.Milestone"),
        )
    }
    with schema_editor.connection.cursor() as cursor:
        for tenant_id in tenant_model.objects.values_list("pk", flat=True):
            # Row-level security binds the owner too (FORCE): enter each tenant in turn.
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
            for statement in statements:
                cursor.execute(statement.format(**tables), [tenant_id])
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


def forward(apps, schema_editor):
    _each_tenant(apps, schema_editor, [FORWARD])


def backward(apps, schema_editor):
    _each_tenant(apps, schema_editor, [BACKWARD, FORGET])


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0004_signature_documents_rls"),
        ("notifications", "0004_reminder_ledger"),
    ]

    operations = [migrations.RunPython(forward, backward)]
