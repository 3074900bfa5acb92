"""Situation 4 in a browser: a consultant fills and submits their month on a phone (390 × 844,
touch), then their manager approves it in bulk from the approval queue on a desktop."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from adv.demo_logins import DEMO_PASSWORD, DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant
from clients import services as client_services
from deals import services as deal_services
from tests.e2e.browser import login
from tests.factories import MembershipFactory, UserFactory
from timesheets import calendar as cal
from timesheets.models import Timesheet, TimesheetStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.today]

CONSULTANT = "zoe.martin@demo.adv.test"
MANAGER = "manager@demo.adv.test"


@pytest.fixture
def zoe(demo_firm):
    """Zoé Martin, a new consultant of the demo firm reporting to its manager, staffed for the
    whole current month on a deal with instructions for consultants."""
    tenant = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    today = timezone.localdate()
    first = today.replace(day=1)
    last = cal.next_month(first) - datetime.timedelta(days=1)
    with tenant_context(tenant):
        admin = Membership.objects.get(user__email="admin@demo.adv.test")
        manager = Membership.objects.get(user__email=MANAGER)
        user = UserFactory(email=CONSULTANT, first_name="Zoé", last_name="Martin", password=DEMO_PASSWORD)
        zoe = MembershipFactory(user=user, role="consultant", reports_to=manager)
        client = client_services.client_create(actor=admin, legal_name="Vega Logistique SA", status="client")
        deal = deal_services.deal_create(
            actor=admin, client=client, deal_type="t_and_m", title="Migration de l'entrepôt de données",
            start_date=first, end_date=last, consultant_instructions="Pointer à l'accueil du site de Rungis.",
        )
        deal = deal_services.deal_validate_provisionally(actor=admin, deal=deal)
        deal_services.assignment_create(actor=admin, deal=deal, consultant=zoe, daily_rate=Decimal("640"), start_date=first, end_date=last)
    return tenant, zoe, deal




def test_a_consultant_fills_and_submits_on_a_phone_and_the_manager_approves_in_bulk(live_server, browser, zoe):
    tenant, membership, deal = zoe
    today = timezone.localdate()
    working = [d.date.day for d in cal.month_days(today.replace(day=1)) if d.is_working_day]
    first_day = working[0]

    # given Zoé on her phone
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="fr-FR")
    page = phone.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server.url, CONSULTANT)

    # when she opens "Mon CRA" from the menu
    page.get_by_test_id("sidebar-toggle").click()
    page.get_by_test_id("nav-timesheet").click()
    expect(page.get_by_test_id("timesheet-title")).to_have_text("Mon CRA")
    row = page.locator('.ts-row[data-kind="work"]')
    expect(row).to_contain_text(deal.reference)
    expect(page.get_by_test_id("deal-instructions")).to_contain_text("Rungis")
    # the consultant never sees the daily rate (a whole number: an id may contain "640")
    assert not re.search(r"(?<![\w-])640(?![\w-])", page.inner_text("body"))

    # and fills her working days in one tap, then makes the first one half a day of RTT
    row.get_by_test_id("fill-working-days").click()
    expect(row.locator("[data-row-total]")).to_have_text(str(len(working)))
    row.locator(f'input[data-day="{first_day}"]').click()  # 1 → 0,5
    expect(row.locator(f'input[data-day="{first_day}"]')).to_have_value("0,5")
    rtt = page.locator('.ts-row[data-kind="absence"][data-label="RTT"]')
    rtt.locator("[data-expand]").click()
    rtt.locator(f'input[data-day="{first_day}"]').click()  # empty → 1: the day is over a day
    expect(page.locator(f'[data-day-total="{first_day}"]')).to_have_class(re.compile("is-over"))
    rtt.locator(f'input[data-day="{first_day}"]').click()  # 1 → 0,5
    expect(page.locator(f'[data-day-total="{first_day}"]')).not_to_have_class(re.compile("is-over"))
    expect(page.get_by_test_id("empty-days")).to_have_text("0")

    # and submits it (the bar stays at hand at the bottom of the screen)
    submit = page.get_by_test_id("timesheet-submit")
    expect(submit).to_be_in_viewport()
    submit.click()

    # then her month is submitted, nothing left to edit
    expect(page.get_by_test_id("status-banner")).to_contain_text("en attente de validation par Nicolas Richard")
    expect(page.get_by_test_id("timesheet-submit")).to_have_count(0)
    with tenant_context(tenant):
        timesheet = Timesheet.objects.get(consultant=membership, month=today.replace(day=1))
        assert timesheet.status == TimesheetStatus.SUBMITTED
        worked = sum(e.quantity for line in timesheet.lines.filter(assignment__isnull=False) for e in line.entries.all())
        assert worked == Decimal(len(working)) - Decimal("0.5")
    phone.close()

    # when her manager opens the approval queue on a desktop and approves everything submitted
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = desk.new_page()
    page.set_default_timeout(15000)
    login(page, live_server.url, MANAGER)
    page.get_by_test_id("nav-timesheet-queue").click()
    queued = page.get_by_test_id("queue-row").filter(has_text="Zoé Martin")
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text(f"{str(Decimal(len(working)) - Decimal('0.5')).replace('.', ',')} j")
    submitted_rows = page.get_by_test_id("queue-row").count()
    page.get_by_test_id("select-all").check()
    expect(page.locator("[data-selected-count]")).to_have_text(str(submitted_rows))
    page.get_by_test_id("bulk-approve").click()

    # then every selected month is approved, Zoé's among them, and the queue is empty
    expect(page.locator(".adv-messages")).to_contain_text("Zoé Martin")
    expect(page.get_by_test_id("queue-empty")).to_be_visible()
    with tenant_context(tenant):
        timesheet.refresh_from_db()
        assert timesheet.status == TimesheetStatus.APPROVED
        assert timesheet.approved_by.user.email == MANAGER
    desk.close()


def test_the_grid_is_keyboard_friendly_on_a_desktop(live_server, page, zoe):
    tenant, membership, deal = zoe
    today = timezone.localdate()
    working = [d.date.day for d in cal.month_days(today.replace(day=1)) if d.is_working_day]
    first, second = working[0], working[1]

    # given Zoé on her desktop, on her month
    login(page, live_server.url, CONSULTANT)
    page.get_by_test_id("nav-timesheet").click()
    work = page.locator('.ts-row[data-kind="work"]')

    # when she types a day, moves right with the arrow key, types half a day,
    # then goes down to the absence lines and types the other half as a leave
    work.locator(f'input[data-day="{first}"]').focus()
    page.keyboard.type("1")
    page.keyboard.press("ArrowRight")
    while page.evaluate("document.activeElement.dataset.day") != str(second):
        page.keyboard.press("ArrowRight")  # skips the closed cells (weekend-free here, but holidays may sit between)
    page.keyboard.type("0,5")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('.ts-row').dataset.kind") == "absence"
    assert page.evaluate("document.activeElement.dataset.day") == str(second)
    page.keyboard.type("0,5")

    # then the totals follow as she types, and the save keeps it all
    expect(work.locator("[data-row-total]")).to_have_text("1,5")
    expect(page.locator(f'[data-day-total="{second}"] [data-value]')).to_have_text("1")
    page.get_by_test_id("timesheet-save").click()
    expect(page.locator(".adv-messages")).to_contain_text("CRA enregistré")
    expect(work.locator(f'input[data-day="{second}"]')).to_have_value("0,5")
    with tenant_context(tenant):
        assert Timesheet.objects.get(consultant=membership).lines.filter(entries__isnull=False).distinct().count() == 2
