"""Invoice numbers: a configurable format (at most 20 characters from A-Z a-z 0-9 - + _ /), one
gapless series per year, another for credit notes, and no gap nor duplicate when several processes
issue at once and some issuances fail half-way."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError
from billing import services
from billing.models import Invoice, InvoiceLine, NumberCounter
from tests.billing.support import OCTOBER

FORMAT_FIELDS = ("invoice_number_format", "credit_note_number_format")


@pytest.mark.django_db
@pytest.mark.parametrize("field", FORMAT_FIELDS)
@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("FACTURE-{year}-{seq:08d}", "21 characters with year 2099 and seq 99999"),
        ("{seq:021d}", "21 digits"),
        ("F {year}-{seq}", "a space"),
        ("F{year}#{seq}", "a #"),
        ("F{year}.{seq}", "a dot"),
        ("Fé{seq}", "an accent"),
        ("F{year}", "no {seq}"),
        ("F{month}-{seq}", "an unknown variable"),
        ("F{0}-{seq}", "a positional variable"),
        ("F{seq", "unbalanced brace"),
        ("F{seq:zz}", "an unreadable spec"),
    ],
)
def test_a_number_format_that_breaks_the_rules_is_refused_on_its_field(alice, field, template, why):
    with tenant_context(alice.tenant):
        before = services.policy()
        with pytest.raises(DomainError) as raised:
            services.policy_update(actor=alice.membership, **{field: template})
        assert raised.value.field == field, why
        after = services.policy()
    assert getattr(after, field) == getattr(before, field)


@pytest.mark.django_db
@pytest.mark.parametrize("template", ["FA/{yy}/{seq:04d}", "f+_{seq}", "{year}-{seq:015d}", "{seq}"])
def test_a_format_within_the_rules_is_accepted(alice, template):
    with tenant_context(alice.tenant):
        saved = services.policy_update(actor=alice.membership, invoice_number_format=template)
    assert saved.invoice_number_format == template


@pytest.mark.django_db
def test_numbers_follow_the_chosen_format(billing_firm):
    with tenant_context(billing_firm.tenant):
        services.policy_update(actor=billing_firm.adv.membership, invoice_number_format="FA/{yy}/{seq:04d}")
    billing_firm.build()
    result = billing_firm.issue([billing_firm.draft_of(billing_firm.helios), billing_firm.draft_of(billing_firm.nova)])
    assert [i.number for i in result.issued] == ["FA/26/0001", "FA/26/0002"]


@pytest.mark.django_db
@pytest.mark.time_machine(datetime.datetime(2027, 1, 4, 10, tzinfo=datetime.UTC), tick=True)
def test_numbers_are_consecutive_across_calls_per_year_with_a_separate_credit_note_series(billing_firm):
    # run on 4 January 2027: the January issue date below is not in the future
    firm = billing_firm
    firm.attach_missing_pv()
    firm.build()
    helios, orion, nova = firm.draft_of(firm.helios), firm.draft_of(firm.orion), firm.draft_of(firm.nova)
    # two separate issuance calls in 2026 follow each other
    first = firm.issue([helios], issue_date=datetime.date(2026, 11, 2)).issued[0]
    second = firm.issue([nova], issue_date=datetime.date(2026, 11, 3)).issued[0]
    assert (first.number, second.number) == ("F2026-00001", "F2026-00002")
    # a credit note takes its number in its own series, and does not consume an invoice number
    with tenant_context(firm.tenant):
        note = services.credit_note_create(
            actor=firm.adv.membership,
            invoice=first,
            reason="Erreur",
            amount="100",
            issue_date=datetime.date(2026, 11, 4),
        )
    assert note.number == "AV2026-00001"
    # a new year starts again at 1
    third = firm.issue([orion], issue_date=datetime.date(2027, 1, 4)).issued[0]
    assert third.number == "F2027-00001"
    with tenant_context(firm.tenant):
        counters = {(c.series, c.year): c.last_number for c in NumberCounter.objects.all()}
    assert counters == {("invoice", 2026): 2, ("credit_note", 2026): 1, ("invoice", 2027): 1}


# --- Concurrency ----------------------------------------------------------------------------------

PROCESSES = 4
PER_PROCESS = 60
FAILURE_RATE = 0.1

# Each child issues its share of pre-invoices one `invoices_issue` call (one transaction) at a time.
# About 10 % of the calls fail after their number was taken and saved (in `_after_issue`), so the
# transaction rolls back: its number must be given back, not lost.
WORKER = textwrap.dedent(
    """
    import datetime, json, os, random, sys, time
    from pathlib import Path
    import django
    django.setup()
    from adv.tenancy.context import tenant_context
    from adv.tenancy.models import Membership
    from billing import services
    from billing.services import issuing

    tenant_id, actor_id, seed, sync = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    ids = json.loads((sync / f"ids-{seed}.json").read_text())
    rng = random.Random(seed)
    doomed = {pk for pk in ids if rng.random() < float(os.environ["FAILURE_RATE"])}

    class Injected(Exception):
        pass

    original = issuing._after_issue

    def flaky(invoice, now):
        original(invoice, now)
        if str(invoice.pk) in doomed:
            raise Injected(invoice.number)

    issuing._after_issue = flaky
    issuing.renders_schedule = lambda ids: None  # no broker: rendering is not under test here
    with tenant_context(tenant_id):
        actor = Membership.objects.get(pk=actor_id)
    (sync / f"ready-{seed}").touch()
    deadline = time.monotonic() + 120
    while not (sync / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    results = {}
    for pk in ids:
        try:
            with tenant_context(tenant_id):
                result = services.invoices_issue(
                    actor=actor, invoice_ids=[pk], issue_date=datetime.date(2026, 11, 2)
                )
            results[pk] = ["issued", result.issued[0].number] if result.issued else ["refused", repr(result.refused)]
        except Injected:
            results[pk] = ["injected", None]
        except Exception as exc:
            results[pk] = ["error", f"{type(exc).__name__}: {exc}"]
    print(json.dumps(results))
    """
)


def _ready_drafts(firm, count: int) -> list[str]:
    """`count` ready manual pre-invoices for Helios, of 100 € HT each, written in bulk."""
    tenant_id = firm.tenant.pk
    drafts = [
        Invoice(
            tenant_id=tenant_id,
            month=OCTOBER,
            group_key=f"manual:{uuid.uuid4()}",
            client=firm.helios,
            # no deal: issuing a deal's pre-invoice refreshes every draft of that deal first
            # (build_deals), which would make this test about the build, not the numbering
            deal=None,
            readiness="ready",
            total_net=Decimal("100.00"),
            total_vat=Decimal("20.00"),
            total_gross=Decimal("120.00"),
        )
        for _ in range(count)
    ]
    with tenant_context(firm.tenant):
        Invoice.objects.bulk_create(drafts)
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    tenant_id=tenant_id,
                    invoice=draft,
                    kind="manual",
                    label="Prestation",
                    quantity=Decimal("1"),
                    unit="C62",
                    unit_price=Decimal("100"),
                    vat_rate=Decimal("20"),
                    net_amount=Decimal("100.00"),
                )
                for draft in drafts
            ]
        )
    return [str(draft.pk) for draft in drafts]


def database_url(settings_dict: dict, *, user: str, password: str) -> str:
    """The URL of the database these settings point at, as `user`: the same host or socket
    directory (the embedded server's, percent-encoded as adv.embedded writes it), port and name."""
    host = quote(str(settings_dict["HOST"] or ""), safe="")
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    secret = f":{quote(password, safe='')}" if password else ""
    return f"postgresql://{quote(user, safe='')}{secret}@{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def _child_env() -> dict:
    owner = settings.DATABASE_OWNER
    # the test run's resolved database (the test database, on the server the run uses: the
    # machine's, or the embedded one whose socket directory is only in the settings)
    url = database_url(connection.settings_dict, user=owner["USER"], password=owner["PASSWORD"])
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "adv.settings",
        "ADV_ENV": "test",
        # the children connect to the test database as the application role (DATABASE_APP_USER)
        "DATABASE_URL": url,
        "DATABASE_APP_USER": settings.DATABASE_APP["USER"],
        "DATABASE_APP_PASSWORD": settings.DATABASE_APP["PASSWORD"],
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "FAILURE_RATE": str(FAILURE_RATE),
        "PYTHONPATH": str(settings.BASE_DIR),
    }


def _stderr(sync) -> str:
    return "\n".join(path.read_text()[-2000:] for path in sorted(sync.glob("err-*")))


@pytest.mark.django_db(transaction=True)
def test_processes_issuing_hundreds_of_invoices_with_failures_leave_no_gap_and_no_duplicate(billing_firm, tmp_path):
    firm = billing_firm
    ids = _ready_drafts(firm, PROCESSES * PER_PROCESS)
    sync = tmp_path / "sync"
    sync.mkdir()
    # when 4 processes issue 60 pre-invoices each, one call per invoice, interleaved
    for index in range(PROCESSES):
        (sync / f"ids-{index}.json").write_text(json.dumps(ids[index::PROCESSES]))
    children = []
    for index in range(PROCESSES):
        # output to files, not pipes: a child blocked on a full pipe would hold its locks
        with open(sync / f"out-{index}", "w") as out, open(sync / f"err-{index}", "w") as err:
            child = subprocess.Popen(
                [sys.executable, "-c", WORKER, str(firm.tenant.pk), str(firm.adv.membership.pk), str(index), str(sync)],
                stdout=out,
                stderr=err,
                env=_child_env(),
                cwd=settings.BASE_DIR,
            )
        children.append(child)
    try:
        deadline = time.monotonic() + 90
        while len(list(sync.glob("ready-*"))) < PROCESSES and time.monotonic() < deadline:
            assert all(child.poll() is None for child in children), _stderr(sync)
            time.sleep(0.05)
        (sync / "go").touch()
        started = time.monotonic()
        results = {}
        for index, child in enumerate(children):
            assert child.wait(timeout=180) == 0, _stderr(sync)
            results.update(json.loads((sync / f"out-{index}").read_text().strip().splitlines()[-1]))
        elapsed = time.monotonic() - started
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()

    print(f"{PROCESSES} processes issued {PROCESSES * PER_PROCESS} pre-invoices in {elapsed:.1f}s")
    # then every call either issued its invoice or failed by injection, nothing else
    outcomes = {pk: outcome for pk, (outcome, _detail) in results.items()}
    errors = {pk: detail for pk, (outcome, detail) in results.items() if outcome not in ("issued", "injected")}
    assert errors == {}
    issued = {pk for pk, outcome in outcomes.items() if outcome == "issued"}
    injected = {pk for pk, outcome in outcomes.items() if outcome == "injected"}
    assert len(issued) + len(injected) == PROCESSES * PER_PROCESS
    assert injected, "the failure injection did not fire"
    with tenant_context(firm.tenant):
        rows = list(Invoice.objects.filter(pk__in=ids).values_list("id", "status", "number"))
        counter = NumberCounter.objects.get(series="invoice", year=2026)
    numbers = sorted(int(number.rsplit("-", 1)[1]) for _pk, _status, number in rows if number)
    # exactly 1..N: no gap, no duplicate, and the counter stopped at N
    assert numbers == list(range(1, len(issued) + 1))
    assert counter.last_number == len(issued)
    # the numbers the children saw are the stored ones
    by_id = {str(pk): (status, number) for pk, status, number in rows}
    assert {pk: by_id[pk][1] for pk in issued} == {pk: results[pk][1] for pk in issued}
    # the failed ones are still pre-invoices, without number
    assert {by_id[pk] for pk in injected} == {("draft", None)}
