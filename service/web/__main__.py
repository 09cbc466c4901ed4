"""``python -m service.web``: manage the workbench's accounts (see :mod:`service.web.cli`)."""

from .cli import main

main()
