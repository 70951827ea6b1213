"""Errors of the office LAN link (the domain's own errors cross the LAN unchanged).

    KioskError
    └── LanError            the LAN API could not do what was asked
        ├── EdgeUnreachable no answer from the edge (off, unplugged, wrong address): retry later
        ├── LanAuthError    the edge refused the office LAN token: fix [lan] token, do not retry
        └── EdgeProtocolError the edge answered something this client does not understand
"""

from kiosk.errors import KioskError


class LanError(KioskError):
    """Base of the LAN link's own errors."""

    code = "lan"


class EdgeUnreachable(LanError):
    """Retryable: the request may not have reached the edge at all."""

    code = "edge_unreachable"


class LanAuthError(LanError):
    """Not retryable: the token in [lan] token differs from the edge's."""

    code = "lan_auth"


class EdgeProtocolError(LanError):
    """Not retryable: the edge runs another version of the LAN API or answered garbage."""

    code = "edge_protocol"
