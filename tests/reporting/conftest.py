from tests.reporting.support import firm  # noqa: F401
