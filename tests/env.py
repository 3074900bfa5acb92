"""Loaded by pytest as an early plugin (`-p tests.env` in pyproject.toml), before pytest-django
reads the settings: the switches of the test environment (locmem cache, test API rates)."""

import os

os.environ.setdefault("ADV_ENV", "test")
