"""The one id generator: UUIDv7 (time-ordered, so ids sort by creation and index well).

Library: ``uuid6`` (the reference implementation of RFC 9562's new versions) until the
standard library's ``uuid.uuid7`` (Python 3.14) is the floor.
"""

from uuid6 import uuid7


def new_id() -> str:
    return str(uuid7())
