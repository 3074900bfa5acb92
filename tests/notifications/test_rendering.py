"""The strict renderer: a template reaches the placeholders it is given, and nothing else."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adv.tenancy.context import tenant_context
from notifications import defaults
from notifications.errors import InvalidTemplate
from notifications.models import MessageTemplate
from notifications.rendering import TemplateSyntaxError, render_message, substitute, template_errors
from notifications.services import message_render, message_template_save
from tests.factories import MessageTemplateFactory

ALLOWED = ["recipient_name", "link"]


def test_placeholders_are_replaced_by_their_values():
    # given a template with two placeholders, spaced or not
    # when it is rendered
    rendered = render_message("Bonjour {{recipient_name}}", "Lien : {{ link }}", {"recipient_name": "Bob", "link": "https://x.test/a"})
    # then each is replaced by its value
    assert rendered.subject == "Bonjour Bob"
    assert rendered.text == "Lien : https://x.test/a"


@pytest.mark.parametrize(
    "text",
    [
        "{{ recipient_name.password }}",
        "{{ recipient_name.__class__ }}",
        "{{ recipient_name|upper }}",
        "{{ link|safe }}",
        "{{ settings.SECRET_KEY }}",
        "{{ request.user.email }}",
        "{{ recipient_name() }}",
        "{{ recipient_name[0] }}",
    ],
)
def test_attribute_filter_call_and_item_lookups_are_refused(text):
    # given a template that tries to reach beyond a bare placeholder
    # when it is validated, then it is an error
    assert template_errors(text, ALLOWED)
    # and the renderer itself refuses it too, whatever the values
    with pytest.raises(TemplateSyntaxError):
        substitute(text, {"recipient_name": "Bob", "link": "x", "settings": "s", "request": "r"})


@pytest.mark.parametrize("text", ["{% load static %}", "{% if x %}y{% endif %}", "{# comment #}", "{{ link }"])
def test_tags_comments_and_unbalanced_braces_are_refused(text):
    assert template_errors(text, ALLOWED)


def test_unknown_placeholder_error_lists_the_allowed_ones():
    # when a template uses a placeholder its message does not offer
    errors = template_errors("Bonjour {{ password }}", ALLOWED)
    # then the error names it and lists the allowed ones
    assert len(errors) == 1
    assert "{{ password }}" in errors[0]
    assert "{{ link }}" in errors[0] and "{{ recipient_name }}" in errors[0]


def test_values_are_escaped_in_html_and_kept_verbatim_in_text():
    # given a value with HTML in it
    value = '<script>alert("x")</script> & co'
    # when rendered
    rendered = render_message("{{ recipient_name }}", "Bonjour {{ recipient_name }}\nhttps://x.test/?a=1&b=2", {"recipient_name": value})
    # then the text keeps it, the HTML escapes it and links the URL
    assert value in rendered.text
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert '<a href="https://x.test/?a=1&amp;b=2"' in rendered.html


@given(value=st.text(max_size=60))
def test_a_value_is_never_interpreted_as_a_template(value):
    # given any value, including one that looks like a placeholder or markup
    rendered = render_message("{{ link }}", "Avant {{ link }} après {{ recipient_name }}", {"link": value, "recipient_name": "{{ link }}"})
    # then it appears literally in the text, exactly once per placeholder use
    assert rendered.text == f"Avant {value} après {{{{ link }}}}"
    # and the HTML holds no markup but the paragraphs, line breaks and links it adds itself
    generated = re.compile(r'</?p>|<br>|<a href="[^"<>]*" rel="nofollow">|</a>')
    assert "<" not in generated.sub("", rendered.html)


@pytest.mark.django_db
def test_message_render_gives_the_template_only_the_declared_placeholders(tenant_a):
    # given a tenant override that (somehow, e.g. written before the message changed) uses
    # a name the caller passes but the message does not declare
    with tenant_context(tenant_a):
        MessageTemplateFactory(key="invitation", language="fr", subject="{{ secret }}", body="{{ secret }}")
        # when rendered with that name in the context
        rendered = message_render(
            key="invitation",
            language="fr",
            context={"secret": "s3cr3t", "tenant_name": "Alpha", "inviter_name": "A", "role": "r", "link": "l", "expires_on": "e"},
        )
    # then the secret does not come out: the default template is used instead
    assert "s3cr3t" not in rendered.subject + rendered.text
    assert rendered.subject == "Invitation à rejoindre Alpha"


@pytest.mark.django_db
def test_saving_a_template_with_an_unknown_placeholder_is_refused(alice):
    # given alice (admin) edits the invitation template
    with tenant_context(alice.tenant):
        # when she uses a placeholder the message does not offer
        with pytest.raises(InvalidTemplate) as raised:
            message_template_save(
                actor=alice.membership, key="invitation", language="fr",
                subject="Invitation", body="Votre mot de passe : {{ user.password }} {{ password }}",
            )
        # then nothing is saved, and the error says why for the body field
        assert not MessageTemplate.objects.exists()
    assert set(raised.value.errors) == {"body"}
    assert any("{{ link }}" in str(message) for message in raised.value.errors["body"])


def test_every_registered_default_template_is_valid():
    for template in defaults.all_templates():
        for language in defaults.LANGUAGES:
            assert not template_errors(template.subject(language), template.placeholders)
            assert not template_errors(template.body(language), template.placeholders)


def test_registering_a_default_with_an_undeclared_placeholder_fails():
    with pytest.raises(ValueError, match="invalid"):
        defaults.register("test.bad", "Objet {{ missing }}", "Texte", placeholders=["other"])
    with pytest.raises(Exception):  # noqa: B017 - not registered
        defaults.get("test.bad")
