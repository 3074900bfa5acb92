"""Celery application. Tasks receive ids (never model instances) and enter the tenant
context themselves: see `adv.tenancy.tasks.tenant_task`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adv.settings")

app = Celery("adv")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
