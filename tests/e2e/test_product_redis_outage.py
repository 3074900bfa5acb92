"""Redis goes down under the product as `make run` runs it (tests/e2e/product.py, on a Redis of its
own, stopped as an operator would) while a person uses the pages and an integration the API.

During the outage the API and the pages keep answering (throttles count in the process, nothing
reads the cache on their path, live pushes are dropped); a write either succeeds or answers a 503
problem with Retry-After having changed nothing. Once Redis is back the worker reconnects, the
outbox sweep hands over what was accepted meanwhile, and every accepted action happened once:
each client created once, each email sent once (one Message-ID per outbox row).
"""

from __future__ import annotations

import time
import uuid
from urllib.parse import urljoin

import lxml.html
import pytest
import requests
import websockets.exceptions
import websockets.sync.client
from django.db.models import Count
from django.utils import timezone

from adv.api.services import api_token_create
from adv.demo_logins import DEMO_PASSWORD, DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant
from billing.models import Invoice, InvoiceStatus
from clients.models import Client
from notifications.models import OutboxEmail, OutboxStatus
from tests.e2e.product import ADV, wait_for
from timesheets.models import ClientApproval, ClientApprovalStatus
from timesheets.services import CLIENT_APPROVAL_EMAIL

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 60  # as issue 13 asks: longer than a broker reconnection, shorter than patience
RECOVERY_TIMEOUT = 240  # seconds: beat's next outbox sweep (every 60 s) and the worker's reconnection
PROBLEM = "application/problem+json"


def _api(product, raw_token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {raw_token}"
    session.base = f"{product.url}/api/v1"  # type: ignore[attr-defined]
    return session


def _assert_answered_or_problem(response: requests.Response, ok: tuple[int, ...]) -> bool:
    """True when the call succeeded; a refusal must be a 503 problem the client can retry."""
    if response.status_code in ok:
        return True
    assert response.status_code == 503, (response.status_code, response.text[:2000])
    assert response.headers["Content-Type"].startswith(PROBLEM), response.headers
    assert response.json()["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    return False


def _pending_approvals(tenant) -> list[ClientApproval]:
    with tenant_context(tenant):
        approvals = list(
            ClientApproval.objects.filter(
                status=ClientApprovalStatus.PENDING, deal__client__contacts__signs_timesheets=True
            )
            .exclude(deal__client__contacts__email="")
            .select_related("timesheet")
            .distinct()
            .order_by("created_at")[:3]
        )
    assert approvals, "the demo has no pending client approval with a signatory"
    return approvals


class Person:
    """Someone using the pages over HTTP as their browser would: cookies, CSRF token, forms (the
    redirects are followed, so each answer is the page they end up on)."""

    def __init__(self, product):
        self.product = product
        self.http = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.product.url}{path}", timeout=30)

    def submit(self, page: requests.Response, form_xpath: str, **fields) -> requests.Response:
        form = lxml.html.fromstring(page.text).xpath(form_xpath)
        assert form, f"no form {form_xpath} on {page.url}"
        data = dict(form[0].form_values())
        data.update(fields)
        action = urljoin(page.url, form[0].get("action") or page.url)
        return self.http.post(action, data=data, headers={"Referer": page.url}, timeout=30)

    def login(self, email: str = ADV) -> requests.Response:
        page = self.get("/accounts/login/")
        assert page.status_code == 200, page.status_code
        answer = self.submit(
            page, "//*[@data-testid='login-form']/descendant-or-self::form", username=email, password=DEMO_PASSWORD
        )
        assert answer.status_code == 200 and answer.url.endswith(f"/t/{DEMO_TENANT_SLUG}/"), (
            answer.status_code,
            answer.url,
        )
        return answer

    def send_link(self, approval) -> requests.Response:
        """The ADV sends the client's signatory the approval link, from the consultant's month."""
        timesheet = approval.timesheet
        page = self.get(
            f"/t/{DEMO_TENANT_SLUG}/timesheets/approvals/members/{timesheet.consultant_id}/"
            f"{timesheet.month.year}/{timesheet.month.month}/"
        )
        assert page.status_code == 200, page.status_code
        answer = self.submit(page, f"//form[contains(@action, '{approval.pk}/send/')]")
        assert answer.status_code == 200, (answer.status_code, answer.text[:2000])
        assert "Lien de validation envoyé" in answer.text, answer.text[:2000]
        return answer


def _open_live_notifications(person: Person) -> None:
    url = person.product.url.replace("http://", "ws://") + f"/ws/t/{DEMO_TENANT_SLUG}/notifications/"
    cookies = "; ".join(f"{name}={value}" for name, value in person.http.cookies.items())
    try:
        with websockets.sync.client.connect(
            url, additional_headers={"Cookie": cookies, "Origin": person.product.url}, open_timeout=10
        ) as socket:
            socket.recv(timeout=2)
    except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
        pass  # refused or closed while Redis is down: the bell polls instead


def test_the_product_degrades_during_a_redis_outage_and_does_every_accepted_action_once(product, demo):
    own_redis = product.redis  # the product's own Redis (the `product` fixture), stopped and started here
    tenant = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    with tenant_context(tenant):
        adv = Membership.objects.select_related("user").get(user__email=ADV)
        _token, raw = api_token_create(actor=adv, name="outage")
    api = _api(product, raw)
    approvals = _pending_approvals(tenant)
    with tenant_context(tenant):  # a client a pre-invoice reads: changing it queues a refresh
        billed_client = Invoice.objects.filter(status=InvoiceStatus.DRAFT, deal__isnull=False).values_list(
            "client_id", flat=True
        )[0]
    marker = uuid.uuid4().hex[:8]
    started = timezone.now()
    # given the product answering, the ADV logged in, an integration with a token
    assert api.get(f"{api.base}/me/", timeout=30).status_code == 200
    adv_person = Person(product)
    adv_person.login()

    # when Redis stops for OUTAGE_SECONDS while both keep working
    own_redis.stop()
    outage_started = time.monotonic()
    created, refused, links_sent, reads, notes = [], [], [], 0, []
    iteration = 0
    while time.monotonic() - outage_started < OUTAGE_SECONDS:
        iteration += 1
        # the API: lists answer, a write succeeds or is refused cleanly (never a 500)
        for path in ("me/", "clients/", "deals/", "timesheets/", "invoices/"):
            response = api.get(f"{api.base}/{path}", timeout=30)
            reads += _assert_answered_or_problem(response, (200,))
        name = f"Panne {marker} {iteration}"
        response = api.post(f"{api.base}/clients/", json={"legal_name": name}, timeout=30)
        (created if _assert_answered_or_problem(response, (201,)) else refused).append(name)
        response = api.patch(f"{api.base}/clients/{billed_client}/", json={"notes": name}, timeout=30)
        if _assert_answered_or_problem(response, (200,)):
            notes.append(name)
        # the pages: the dashboard, and a send whose email must go out once Redis is back
        assert adv_person.get(f"/t/{DEMO_TENANT_SLUG}/").status_code == 200
        if iteration <= len(approvals):
            adv_person.send_link(approvals[iteration - 1])
            links_sent.append(approvals[iteration - 1].pk)
        if iteration == 2:
            # someone arriving signs in (sessions live in the database), and their page's live
            # notifications (the channel layer) cannot connect: the page does without
            Person(product).login()
            _open_live_notifications(adv_person)
        product.alive()
        time.sleep(1)
    # (the emails accepted meanwhile wait in the outbox: nothing could hand them to the worker)
    with tenant_context(tenant):
        waiting = OutboxEmail.objects.filter(created_at__gte=started, template_key=CLIENT_APPROVAL_EMAIL)
        assert waiting.count() == len(links_sent) and not waiting.filter(status=OutboxStatus.SENT).exists()
    own_redis.start()

    # then during the outage the product answered, and said why it was degraded
    assert reads > 0 and created and notes, (reads, created, refused, notes)
    assert links_sent, "no link could be sent during the outage"
    web_log = (product.var_dir / "web.log").read_text(errors="replace")
    assert "shared cache unreachable" in web_log and "Broker unreachable" in web_log, product.logs()

    # and once Redis is back, what was accepted is done, once
    def all_sent():
        with tenant_context(tenant):
            rows = OutboxEmail.objects.filter(created_at__gte=started)
            return rows.exists() and not rows.exclude(status=OutboxStatus.SENT).exists()

    wait_for(all_sent, RECOVERY_TIMEOUT, product, "every email accepted during the outage sent")
    with tenant_context(tenant):
        outbox = list(OutboxEmail.objects.filter(created_at__gte=started).values_list("pk", "to"))
        approval_emails = OutboxEmail.objects.filter(created_at__gte=started, template_key=CLIENT_APPROVAL_EMAIL)
        assert approval_emails.count() == len(links_sent), (approval_emails.count(), links_sent)
        assert Client.objects.get(pk=billed_client).notes == notes[-1]
        counts = dict(
            Client.objects.filter(legal_name__startswith=f"Panne {marker} ")
            .values_list("legal_name")
            .annotate(n=Count("pk"))
            .values_list("legal_name", "n")
        )
    assert counts == {name: 1 for name in created}, (counts, created, refused)
    message_ids = [str(message["Message-ID"]) for message in product.emails()]
    for pk, to in outbox:
        copies = sum(1 for message_id in message_ids if message_id.startswith(f"<{pk}@"))
        assert copies == 1, f"outbox email {pk} to {to} left {copies} times"
    # and the worker took work again: a send after the outage goes out promptly
    adv_person.send_link(approvals[0])
    with tenant_context(tenant):
        latest = OutboxEmail.objects.order_by("-created_at").first()

    def delivered():
        return any(str(message["Message-ID"]).startswith(f"<{latest.pk}@") for message in product.emails())

    wait_for(delivered, RECOVERY_TIMEOUT, product, "an email sent after the outage")
    product.alive()
