"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), headless.

Never `playwright install`: the browser comes from the system package (CI installs it).
"""

import os
import shutil

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around it
# are still synchronous and sequential.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Every page reports what the Content-Security-Policy blocked to its console; the browser fixture
# collects it from every context (the tests' own too) and a test fails on any violation: the
# browser tests run with the CSP on.
CSP_VIOLATION_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.effectiveDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


def is_csp_violation(text: str) -> bool:
    return text.startswith("CSP violation:") or "Content Security Policy" in text


def _watch_csp(browser, violations: list[str]) -> None:
    """Wrap browser.new_context so that each context's pages report their CSP violations."""
    new_context = browser.new_context

    def watched_new_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(CSP_VIOLATION_LISTENER)

        def watch(page):
            page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
                    if is_csp_violation(message.text) else None)

        context.on("page", watch)
        return context

    browser.new_context = watched_new_context


@pytest.fixture(scope="module")
def _csp_violations():
    return []


@pytest.fixture(autouse=True)
def _no_csp_violation(request, _csp_violations):
    """Fails the browser test (after its own checks) when a page it opened broke the CSP."""
    _csp_violations.clear()
    yield
    found = list(dict.fromkeys(_csp_violations))
    _csp_violations.clear()
    if found:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(found))


@pytest.fixture(scope="module")
def browser(_csp_violations):
    # Module scope: Playwright's sync API keeps an event loop running in this thread while it is
    # open, which breaks asgiref's AsyncToSync in the async tests that may run after on this worker.
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        _watch_csp(browser, _csp_violations)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def demo_firm(live_demo):
    """The demo firm for a browser test on the live server: a private copy (tests/conftest.py)."""
    return live_demo


@pytest.fixture(scope="session")
def product(django_db_setup, django_db_blocker, tmp_path_factory, _flush_survives_the_products_tasks):
    """The product as `make run` runs it (tests/e2e/product.py), once per test process, on a Redis of
    its own (`product.redis`, which a test may stop: there is one product per test database, so
    that no second worker or beat on the same database does what a test expects left undone),
    stopped before the test database is."""
    from tests.e2e import product as product_support

    redis = product_support.RedisServer(tmp_path_factory.mktemp("redis"))
    redis.start()
    try:
        with django_db_blocker.unblock():
            running = product_support.start(tmp_path_factory.mktemp("product"), redis)
        try:
            yield running
        finally:
            with django_db_blocker.unblock():
                product_support.stop(running)
    finally:
        redis.close()


@pytest.fixture
def demo(transactional_db, product):
    """The demo firm, seeded and committed in the main test database, where the product's
    processes (started once per test process) see it."""
    from adv.demo_logins import DEMO_TENANT_SLUG
    from adv.tenancy.models import Tenant

    call_command("seed_demo", stdout=open(os.devnull, "w"))
    return Tenant.objects.get(slug=DEMO_TENANT_SLUG)
