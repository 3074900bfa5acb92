"""What the browser tests do the same way: sign in through the login form."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from adv.demo_logins import DEMO_PASSWORD, DEMO_TENANT_SLUG

ADV = "adv@demo.adv.test"


def login(page, base_url: str, email: str = ADV, *, password: str = DEMO_PASSWORD, firm: str = DEMO_TENANT_SLUG) -> None:
    """Sign in as `email` from the login page and land on the firm's dashboard."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-form] button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/t/{firm}/$"))
