"""Receivers of billing signals (filled in step 2)."""


def connect() -> None:
    pass
