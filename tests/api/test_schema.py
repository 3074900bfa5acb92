"""The OpenAPI schema is valid and public; the documentation pages load nothing from a CDN."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

EXTERNAL_URL = re.compile(r"""(?:src|href|url)\s*[=(:]\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_the_schema_validates_without_a_warning(tmp_path):
    # `--fail-on-warn` turns every drf-spectacular warning (unknown type, enum clash...) into a failure
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/memberships/{id}/" in schema["paths"]


def test_the_schema_is_public_and_declares_bearer_tokens():
    response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "adv_<8 caractères>_<secret>",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    # every path is documented once, under /api/v1/ (the session copy under /t/<slug>/ is not repeated)
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    me = schema["paths"]["/api/v1/me/"]["get"]
    assert {"bearerAuth": []} in me["security"]
    # errors are documented as problem documents
    assert "application/problem+json" in me["responses"]["401"]["content"]


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_documentation_pages_load_nothing_from_outside(url):
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    if url == "/api/v1/docs/":  # Swagger UI's start-up script is a file of its own (the CSP)
        html += Client().get(url + "?script=").content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "/api/v1/schema/" in html
    assert not EXTERNAL_URL.search(html), EXTERNAL_URL.search(html)
    assert "http://" not in html and "https://" not in html


def test_swagger_ui_does_not_call_the_online_validator():
    script = Client().get("/api/v1/docs/?script=").content.decode()
    assert '"validatorUrl": null' in script
