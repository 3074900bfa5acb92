"""The reminder ledger (one table for every app's "already reminded"), under row-level security."""

import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
import uuid
from django.db import migrations, models

from adv.tenancy.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_outboxemail_attachments'),
        ('tenancy', '0006_tenant_billing_email'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReminderSent',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('kind', models.CharField(max_length=60, verbose_name='type')),
                ('subject', models.CharField(blank=True, default='', max_length=100, verbose_name='objet')),
                ('step', models.CharField(max_length=100, verbose_name='étape')),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='envoyée le')),
                ('template_key', models.CharField(blank=True, default='', max_length=100)),
                ('details', models.JSONField(blank=True, default=list)),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.membership')),
                ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenancy.membership')),
                ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.tenant')),
            ],
            options={
                'verbose_name': 'relance envoyée',
                'verbose_name_plural': 'relances envoyées',
                'ordering': ['-sent_at', 'id'],
                'constraints': [models.UniqueConstraint(fields=('tenant', 'kind', 'subject', 'step', 'recipient'), name='remindersent_once_per_step')],
            },
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('cross_tenant_objects', django.db.models.manager.Manager()),
            ],
        ),
        EnableRowLevelSecurity("notifications_remindersent"),
    ]
