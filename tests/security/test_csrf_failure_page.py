"""A form refused by the CSRF check answers a page in the user's words (CSRF_FAILURE_VIEW), never
Django's technical 403 ("Origin checking failed – null does not match any trusted origins")."""

from django.test import Client


def test_a_form_with_origin_null_gets_the_french_page_that_offers_to_reload(db):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    token = browser.cookies["csrftoken"].value
    # when a form comes back with `Origin: null` (a page served with Referrer-Policy: no-referrer)
    response = browser.post(
        "/accounts/login/?next=/", {"csrfmiddlewaretoken": token, "username": "x", "password": "y"}, HTTP_ORIGIN="null"
    )
    # then a 403 in French: nothing saved, reload; no technical English
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="csrf-failure"' in html
    assert "Rien n'a été enregistré" in html and 'href="/accounts/login/?next=/"' in html
    assert "Origin checking failed" not in html
    assert "CSRF verification failed" not in html and "Forbidden" not in html
