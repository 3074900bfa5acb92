import pytest
from django.core.exceptions import ImproperlyConfigured

from adv.settings.environment import env_bool, env_int, env_str


def test_a_malformed_boolean_is_an_error_not_false(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "flase")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


@pytest.mark.parametrize("raw,expected", [("true", True), ("0", False), ("Yes", True), ("off", False)])
def test_booleans_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


def test_a_malformed_integer_is_an_error(monkeypatch):
    monkeypatch.setenv("SOME_INT", "12a")
    with pytest.raises(ImproperlyConfigured):
        env_int("SOME_INT", 3)


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    monkeypatch.setenv("SOME_SECRET", "ignored")
    assert env_str("SOME_SECRET") == "s3cr3t"


def test_the_suite_runs_with_the_test_environment_switches():
    # The API rate limits and the cache differ in tests: pytest must load ADV_ENV=test before the
    # settings (tests/env.py, an early plugin), or the cross-tenant matrix is throttled (429).
    from django.conf import settings

    assert settings.ADV_ENV == "test"
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
