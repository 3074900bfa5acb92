"""Pages answer domain errors one way (adv/ui/pages.py): forbidden is 403, not found is 404,
any other business error is left to the page's form; an htmx request gets a fragment."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from adv.tenancy import errors as domain
from adv.ui.pages import is_partial, raise_http


def test_a_forbidden_action_answers_403_with_its_message():
    with pytest.raises(PermissionDenied, match="Réservé à l'ADV"):
        raise_http(domain.PermissionDenied("Réservé à l'ADV."))


def test_something_not_found_answers_404():
    with pytest.raises(Http404, match="Ce client n'existe pas"):
        raise_http(domain.NotFound("Ce client n'existe pas."))


@pytest.mark.parametrize("error", [domain.DomainError("Champ requis.", field="name"), domain.Conflict("Déjà émise.")])
def test_other_business_errors_are_left_to_the_form(error):
    assert raise_http(error) is None


@pytest.mark.parametrize(
    ("headers", "partial"),
    [
        ({}, False),
        ({"HTTP_HX_REQUEST": "true"}, True),
        ({"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}, False),
    ],
)
def test_only_an_htmx_request_that_is_not_a_history_restore_gets_a_fragment(headers, partial):
    request = RequestFactory().get("/", **headers)
    request.htmx = HtmxDetails(request)
    assert is_partial(request) is partial


def test_a_request_without_the_htmx_middleware_gets_the_whole_page():
    assert is_partial(RequestFactory().get("/", HTTP_HX_REQUEST="true")) is False
