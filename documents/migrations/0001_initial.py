"""The document models, moved from the clients app with their tables (`db_table` keeps the
`clients_…` names): created here in the state only, since the tables, their rows, constraints
and row-level security policies already exist (clients/0001, 0002, 0004). Only their pghistory
triggers are installed again, under the names pgtrigger derives from the new app (clients/0009
dropped the old ones)."""

import django.core.validators
import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
import documents.models
import pgtrigger.compiler
import pgtrigger.migrations
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('clients', '0009_document_triggers_removed'),
        ('deals', '0006_drop_deal_reminder'),
        ('pghistory', '0007_auto_20250421_0444'),
        ('tenancy', '0006_tenant_billing_email'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DocumentRequirement',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('applies_to', models.CharField(choices=[('prospect', 'Prospects'), ('client', 'Clients'), ('deal_t_and_m', 'Affaires en régie'), ('deal_fixed_price', 'Affaires au forfait'), ('deal_subscription', 'Affaires en abonnement')], max_length=20, verbose_name="s'applique aux")),
                        ('max_age_days', models.PositiveIntegerField(blank=True, help_text="Par exemple 90 pour un K-bis de moins de 3 mois (compté depuis la date d'émission).", null=True, verbose_name='âge maximal (jours)')),
                        ('must_be_unexpired', models.BooleanField(default=True, help_text='Un document dont la date de validité est passée est expiré.', verbose_name='date de validité non dépassée')),
                        ('responsible', models.CharField(choices=[('owner', 'Le commercial du client'), ('adv', "L'ADV en charge")], default='owner', max_length=10, verbose_name='à fournir par')),
                        ('is_active', models.BooleanField(default=True, verbose_name='actif')),
                        ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.tenant')),
                    ],
                    options={
                        'verbose_name': 'document attendu',
                        'verbose_name_plural': 'documents attendus',
                        'db_table': 'clients_documentrequirement',
                        'ordering': ['applies_to', 'document_type__name'],
                    },
                    managers=[
                        ('objects', django.db.models.manager.Manager()),
                        ('cross_tenant_objects', django.db.models.manager.Manager()),
                    ],
                ),
                migrations.CreateModel(
                    name='DocumentType',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('code', models.SlugField(verbose_name='code')),
                        ('name', models.CharField(max_length=100, verbose_name='nom')),
                        ('is_contractual', models.BooleanField(default=False, help_text="Preuve de commande : notifie le commercial et l'ADV, figure dans l'export pour le commissaire aux comptes.", verbose_name='contractuel')),
                        ('default_security_level', models.PositiveSmallIntegerField(choices=[(1, '1 – Tous'), (2, '2 – Interne'), (3, '3 – Confidentiel'), (4, '4 – Restreint')], default=2, verbose_name='niveau de sécurité par défaut')),
                        ('is_active', models.BooleanField(default=True, verbose_name='actif')),
                        ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.tenant')),
                    ],
                    options={
                        'verbose_name': 'type de document',
                        'verbose_name_plural': 'types de document',
                        'db_table': 'clients_documenttype',
                        'ordering': ['name'],
                    },
                    managers=[
                        ('objects', django.db.models.manager.Manager()),
                        ('cross_tenant_objects', django.db.models.manager.Manager()),
                    ],
                ),
                migrations.CreateModel(
                    name='DocumentRequirementEvent',
                    fields=[
                        ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                        ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                        ('pgh_label', models.TextField(help_text='The event label.')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, serialize=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('applies_to', models.CharField(choices=[('prospect', 'Prospects'), ('client', 'Clients'), ('deal_t_and_m', 'Affaires en régie'), ('deal_fixed_price', 'Affaires au forfait'), ('deal_subscription', 'Affaires en abonnement')], max_length=20, verbose_name="s'applique aux")),
                        ('max_age_days', models.PositiveIntegerField(blank=True, help_text="Par exemple 90 pour un K-bis de moins de 3 mois (compté depuis la date d'émission).", null=True, verbose_name='âge maximal (jours)')),
                        ('must_be_unexpired', models.BooleanField(default=True, help_text='Un document dont la date de validité est passée est expiré.', verbose_name='date de validité non dépassée')),
                        ('responsible', models.CharField(choices=[('owner', 'Le commercial du client'), ('adv', "L'ADV en charge")], default='owner', max_length=10, verbose_name='à fournir par')),
                        ('is_active', models.BooleanField(default=True, verbose_name='actif')),
                        ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                        ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='documents.documentrequirement')),
                        ('tenant', models.ForeignKey(db_constraint=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='tenancy.tenant')),
                        ('document_type', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='documents.documenttype', verbose_name='type')),
                    ],
                    options={
                        'db_table': 'clients_documentrequirementevent',
                        'abstract': False,
                    },
                ),
                migrations.AddField(
                    model_name='documentrequirement',
                    name='document_type',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requirements', to='documents.documenttype', verbose_name='type'),
                ),
                migrations.CreateModel(
                    name='Document',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('title', models.CharField(max_length=200, verbose_name='titre')),
                        ('signed_on', models.DateField(blank=True, null=True, verbose_name='signé / émis le')),
                        ('valid_until', models.DateField(blank=True, null=True, verbose_name="valable jusqu'au")),
                        ('security_level', models.PositiveSmallIntegerField(choices=[(1, '1 – Tous'), (2, '2 – Interne'), (3, '3 – Confidentiel'), (4, '4 – Restreint')], default=2, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(4)], verbose_name='niveau de sécurité')),
                        ('client_name_at_date', models.CharField(blank=True, editable=False, max_length=200, verbose_name='nom du client à la date du document')),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='clients.client')),
                        ('deal', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='documents', to='deals.deal', verbose_name='affaire')),
                        ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.tenant')),
                        ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenancy.membership', verbose_name='déposé par')),
                        ('document_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='documents.documenttype', verbose_name='type')),
                    ],
                    options={
                        'verbose_name': 'document',
                        'verbose_name_plural': 'documents',
                        'db_table': 'clients_document',
                        'ordering': ['-created_at', 'id'],
                        'permissions': [('view_restricted_document', 'Voir ce document malgré son niveau de sécurité')],
                    },
                    managers=[
                        ('objects', django.db.models.manager.Manager()),
                        ('cross_tenant_objects', django.db.models.manager.Manager()),
                    ],
                ),
                migrations.CreateModel(
                    name='DocumentUserObjectPermission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grants', to='documents.document')),
                        ('permission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission')),
                        ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.tenant')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'accès exceptionnel à un document',
                        'verbose_name_plural': 'accès exceptionnels à des documents',
                        'db_table': 'clients_documentuserobjectpermission',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='DocumentUserObjectPermissionEvent',
                    fields=[
                        ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                        ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                        ('pgh_label', models.TextField(help_text='The event label.')),
                        ('id', models.BigIntegerField()),
                        ('content_object', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='documents.document')),
                        ('permission', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='auth.permission')),
                        ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                        ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='documents.documentuserobjectpermission')),
                        ('tenant', models.ForeignKey(db_constraint=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='tenancy.tenant')),
                        ('user', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'clients_documentuserobjectpermissionevent',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='DocumentVersion',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('number', models.PositiveIntegerField(verbose_name='version')),
                        ('file', models.FileField(max_length=300, upload_to=documents.models.document_upload_to)),
                        ('original_name', models.CharField(max_length=255, verbose_name='nom du fichier')),
                        ('content_type', models.CharField(max_length=100, verbose_name='type de fichier')),
                        ('size', models.PositiveBigIntegerField(verbose_name='taille (octets)')),
                        ('sha256', models.CharField(max_length=64, verbose_name='empreinte SHA-256')),
                        ('superseded_at', models.DateTimeField(blank=True, null=True, verbose_name='remplacée le')),
                        ('comment', models.CharField(blank=True, max_length=300, verbose_name='commentaire')),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='documents.document')),
                        ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.tenant')),
                        ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenancy.membership')),
                    ],
                    options={
                        'verbose_name': 'version de document',
                        'verbose_name_plural': 'versions de document',
                        'db_table': 'clients_documentversion',
                        'ordering': ['document_id', '-number'],
                    },
                    managers=[
                        ('objects', django.db.models.manager.Manager()),
                        ('cross_tenant_objects', django.db.models.manager.Manager()),
                    ],
                ),
                migrations.CreateModel(
                    name='DocumentEvent',
                    fields=[
                        ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                        ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                        ('pgh_label', models.TextField(help_text='The event label.')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, serialize=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('title', models.CharField(max_length=200, verbose_name='titre')),
                        ('signed_on', models.DateField(blank=True, null=True, verbose_name='signé / émis le')),
                        ('valid_until', models.DateField(blank=True, null=True, verbose_name="valable jusqu'au")),
                        ('security_level', models.PositiveSmallIntegerField(choices=[(1, '1 – Tous'), (2, '2 – Interne'), (3, '3 – Confidentiel'), (4, '4 – Restreint')], default=2, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(4)], verbose_name='niveau de sécurité')),
                        ('client_name_at_date', models.CharField(blank=True, editable=False, max_length=200, verbose_name='nom du client à la date du document')),
                        ('client', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='clients.client')),
                        ('deal', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='deals.deal', verbose_name='affaire')),
                        ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                        ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='documents.document')),
                        ('tenant', models.ForeignKey(db_constraint=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='tenancy.tenant')),
                        ('uploaded_by', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='tenancy.membership', verbose_name='déposé par')),
                        ('document_type', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='documents.documenttype', verbose_name='type')),
                        ('current_version', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='documents.documentversion')),
                    ],
                    options={
                        'db_table': 'clients_documentevent',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='DocumentDownload',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('via_api', models.BooleanField(default=False)),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True)),
                        ('membership', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenancy.membership')),
                        ('tenant', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenancy.tenant')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='downloads', to='documents.documentversion')),
                    ],
                    options={
                        'verbose_name': 'téléchargement',
                        'verbose_name_plural': 'téléchargements',
                        'db_table': 'clients_documentdownload',
                        'ordering': ['-created_at'],
                    },
                    managers=[
                        ('objects', django.db.models.manager.Manager()),
                        ('cross_tenant_objects', django.db.models.manager.Manager()),
                    ],
                ),
                migrations.AddField(
                    model_name='document',
                    name='current_version',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='documents.documentversion'),
                ),
                migrations.CreateModel(
                    name='DocumentVersionEvent',
                    fields=[
                        ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                        ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                        ('pgh_label', models.TextField(help_text='The event label.')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, serialize=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('number', models.PositiveIntegerField(verbose_name='version')),
                        ('file', models.FileField(max_length=300, upload_to=documents.models.document_upload_to)),
                        ('original_name', models.CharField(max_length=255, verbose_name='nom du fichier')),
                        ('content_type', models.CharField(max_length=100, verbose_name='type de fichier')),
                        ('size', models.PositiveBigIntegerField(verbose_name='taille (octets)')),
                        ('sha256', models.CharField(max_length=64, verbose_name='empreinte SHA-256')),
                        ('superseded_at', models.DateTimeField(blank=True, null=True, verbose_name='remplacée le')),
                        ('comment', models.CharField(blank=True, max_length=300, verbose_name='commentaire')),
                        ('document', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='documents.document')),
                        ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                        ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='documents.documentversion')),
                        ('tenant', models.ForeignKey(db_constraint=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='tenancy.tenant')),
                        ('uploaded_by', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='tenancy.membership')),
                    ],
                    options={
                        'db_table': 'clients_documentversionevent',
                        'abstract': False,
                    },
                ),
                migrations.AddConstraint(
                    model_name='documenttype',
                    constraint=models.UniqueConstraint(fields=('tenant', 'code'), name='documenttype_unique_code'),
                ),
                migrations.AddConstraint(
                    model_name='documentrequirement',
                    constraint=models.UniqueConstraint(fields=('tenant', 'document_type', 'applies_to'), name='requirement_unique_per_scope'),
                ),
                migrations.AlterUniqueTogether(
                    name='documentuserobjectpermission',
                    unique_together={('user', 'permission', 'content_object')},
                ),
                migrations.AddConstraint(
                    model_name='documentversion',
                    constraint=models.UniqueConstraint(fields=('tenant', 'document', 'number'), name='documentversion_unique_number'),
                ),
                migrations.AddIndex(
                    model_name='document',
                    index=models.Index(fields=['tenant', 'client', 'document_type'], name='document_client_type'),
                ),
                migrations.AddConstraint(
                    model_name='document',
                    constraint=models.CheckConstraint(condition=models.Q(('security_level__gte', 1), ('security_level__lte', 4)), name='document_level_1_to_4'),
                ),
                migrations.AddConstraint(
                    model_name='document',
                    constraint=models.CheckConstraint(condition=models.Q(('valid_until__isnull', True), ('signed_on__isnull', True), ('valid_until__gte', models.F('signed_on')), _connector='OR'), name='document_validity_after_signature'),
                ),
            ],
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='documentrequirement',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "clients_documentrequirementevent" ("applies_to", "created_at", "document_type_id", "id", "is_active", "max_age_days", "must_be_unexpired", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "responsible", "tenant_id", "updated_at") VALUES (NEW."applies_to", NEW."created_at", NEW."document_type_id", NEW."id", NEW."is_active", NEW."max_age_days", NEW."must_be_unexpired", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."responsible", NEW."tenant_id", NEW."updated_at"); RETURN NULL;', hash='c7dff644ace54fa9c65968aa0ef6695b33687e26', operation='INSERT', pgid='pgtrigger_insert_insert_5649e', table='clients_documentrequirement', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='documentrequirement',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "clients_documentrequirementevent" ("applies_to", "created_at", "document_type_id", "id", "is_active", "max_age_days", "must_be_unexpired", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "responsible", "tenant_id", "updated_at") VALUES (NEW."applies_to", NEW."created_at", NEW."document_type_id", NEW."id", NEW."is_active", NEW."max_age_days", NEW."must_be_unexpired", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."responsible", NEW."tenant_id", NEW."updated_at"); RETURN NULL;', hash='4deb469b6bc2f04f1e73a8842e9ee0dab51d8f3d', operation='UPDATE', pgid='pgtrigger_update_update_7de51', table='clients_documentrequirement', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='documentrequirement',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "clients_documentrequirementevent" ("applies_to", "created_at", "document_type_id", "id", "is_active", "max_age_days", "must_be_unexpired", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "responsible", "tenant_id", "updated_at") VALUES (OLD."applies_to", OLD."created_at", OLD."document_type_id", OLD."id", OLD."is_active", OLD."max_age_days", OLD."must_be_unexpired", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."responsible", OLD."tenant_id", OLD."updated_at"); RETURN NULL;', hash='0cfc848172d9e56da0994484264ed5babee0102c', operation='DELETE', pgid='pgtrigger_delete_delete_66860', table='clients_documentrequirement', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='documentuserobjectpermission',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "clients_documentuserobjectpermissionevent" ("content_object_id", "id", "permission_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "tenant_id", "user_id") VALUES (NEW."content_object_id", NEW."id", NEW."permission_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."tenant_id", NEW."user_id"); RETURN NULL;', hash='a75f5999c14cd28896ac1a1b532d22aecb235e5b', operation='INSERT', pgid='pgtrigger_insert_insert_cc2c8', table='clients_documentuserobjectpermission', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='documentuserobjectpermission',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "clients_documentuserobjectpermissionevent" ("content_object_id", "id", "permission_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "tenant_id", "user_id") VALUES (OLD."content_object_id", OLD."id", OLD."permission_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."tenant_id", OLD."user_id"); RETURN NULL;', hash='dd62a580a7195d31b4bd167770dc17a3cff6a2e8', operation='DELETE', pgid='pgtrigger_delete_delete_88a1e', table='clients_documentuserobjectpermission', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='documentversion',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "clients_documentversionevent" ("comment", "content_type", "created_at", "document_id", "file", "id", "number", "original_name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "sha256", "size", "superseded_at", "tenant_id", "updated_at", "uploaded_by_id") VALUES (NEW."comment", NEW."content_type", NEW."created_at", NEW."document_id", NEW."file", NEW."id", NEW."number", NEW."original_name", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."sha256", NEW."size", NEW."superseded_at", NEW."tenant_id", NEW."updated_at", NEW."uploaded_by_id"); RETURN NULL;', hash='46da6acdc350e6a40f88bc2a14f5e40a49f65ce1', operation='INSERT', pgid='pgtrigger_insert_insert_6369a', table='clients_documentversion', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='documentversion',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "clients_documentversionevent" ("comment", "content_type", "created_at", "document_id", "file", "id", "number", "original_name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "sha256", "size", "superseded_at", "tenant_id", "updated_at", "uploaded_by_id") VALUES (NEW."comment", NEW."content_type", NEW."created_at", NEW."document_id", NEW."file", NEW."id", NEW."number", NEW."original_name", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."sha256", NEW."size", NEW."superseded_at", NEW."tenant_id", NEW."updated_at", NEW."uploaded_by_id"); RETURN NULL;', hash='7a05bc5ed4d4e782a7524e4b4b5750c348c32574', operation='UPDATE', pgid='pgtrigger_update_update_07354', table='clients_documentversion', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='document',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "clients_documentevent" ("client_id", "client_name_at_date", "created_at", "current_version_id", "deal_id", "document_type_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "security_level", "signed_on", "tenant_id", "title", "updated_at", "uploaded_by_id", "valid_until") VALUES (NEW."client_id", NEW."client_name_at_date", NEW."created_at", NEW."current_version_id", NEW."deal_id", NEW."document_type_id", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."security_level", NEW."signed_on", NEW."tenant_id", NEW."title", NEW."updated_at", NEW."uploaded_by_id", NEW."valid_until"); RETURN NULL;', hash='5bf9c3bc8cf2bf1842b55ae2dea781c33ed0a205', operation='INSERT', pgid='pgtrigger_insert_insert_be524', table='clients_document', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='document',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "clients_documentevent" ("client_id", "client_name_at_date", "created_at", "current_version_id", "deal_id", "document_type_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "security_level", "signed_on", "tenant_id", "title", "updated_at", "uploaded_by_id", "valid_until") VALUES (NEW."client_id", NEW."client_name_at_date", NEW."created_at", NEW."current_version_id", NEW."deal_id", NEW."document_type_id", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."security_level", NEW."signed_on", NEW."tenant_id", NEW."title", NEW."updated_at", NEW."uploaded_by_id", NEW."valid_until"); RETURN NULL;', hash='70505660596ffc843cf7349389a369f54960cd7a', operation='UPDATE', pgid='pgtrigger_update_update_a3ed6', table='clients_document', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='document',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "clients_documentevent" ("client_id", "client_name_at_date", "created_at", "current_version_id", "deal_id", "document_type_id", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "security_level", "signed_on", "tenant_id", "title", "updated_at", "uploaded_by_id", "valid_until") VALUES (OLD."client_id", OLD."client_name_at_date", OLD."created_at", OLD."current_version_id", OLD."deal_id", OLD."document_type_id", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."security_level", OLD."signed_on", OLD."tenant_id", OLD."title", OLD."updated_at", OLD."uploaded_by_id", OLD."valid_until"); RETURN NULL;', hash='1e0791b00da0ef84fc20d297c4db8e93f5e1fc52', operation='DELETE', pgid='pgtrigger_delete_delete_0c008', table='clients_document', when='AFTER')),
        ),
    ]
