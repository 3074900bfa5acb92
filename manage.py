#!/usr/bin/env python
"""Django's command-line utility. Works outside `make run`, against the same database."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adv.settings")
    from django.core.management import execute_from_command_line

    from adv.unreachable import explain_unreachable_services

    with explain_unreachable_services():  # an unreachable database or Redis: a message, not a traceback
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
