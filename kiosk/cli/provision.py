"""``kiosk provision``: the technician's commands, run on a laptop on the office LAN
(docs/PROVISIONING.md). The group lives here; its commands live in two modules:
``provision_lan`` (discover, status: finding devices and their health) and
``provision_pair`` (pair, configure, reset: the paired channel)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    @main.group()
    def provision() -> None:
        """Find, pair, configure and reset kiosks on the office LAN (technician's laptop)."""

    from kiosk.cli import provision_lan, provision_pair

    provision_lan.register(provision)
    provision_pair.register(provision)
