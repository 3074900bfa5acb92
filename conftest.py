"""Loaded by pytest before Django's settings: the test environment switches."""

import os

os.environ.setdefault("ADV_ENV", "test")
