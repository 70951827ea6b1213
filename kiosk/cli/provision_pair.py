"""Commands of ``kiosk provision`` (kiosk/cli/provision.py); filled in by its issue."""

from __future__ import annotations

import click


def register(provision: click.Group) -> None:
    """Adds this module's commands to the ``provision`` group."""
