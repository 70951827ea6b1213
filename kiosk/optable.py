"""Operation tables: each operation of the office declared once, per feature.

An :class:`Op` names the domain function (called as ``fn(rt, *args, **kwargs)``), whether it
writes, and how it travels over the office LAN. A :class:`Feature` groups a feature's
operations under one attribute of the office client (``office.queue``, ``office.requests``)
and one LAN path prefix. From these tables follow the local client (kiosk.office), the
remote client and the wire decoding (sync.lan.client, sync.lan.wire) and the LAN routes
(sync.lan.server); tests/test_office_ops_parity.py checks them all against the tables.

The wire form of an entry: its path's ``{names}`` are path parameters; the other arguments
go in the JSON body (POST/PUT) or the query string (GET, a list as ``a,b``), under
``wire_names`` when the query spells them otherwise. ``answer_key`` wraps the answer in a
one-key object (``{"ticket": ...}``); ``result`` is the type the answer decodes into.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Op:
    fn: Callable[..., Any]          # the domain function, called as fn(rt, *args, **kwargs)
    method: str                     # HTTP method of its LAN route
    path: str                       # under /lan; {name} is an argument of fn
    result: Any                     # what it returns: a type, list[...], X | None, or None
    writes: bool = False            # changes the queue: Idempotency-Key, wakes the feed
    answer_key: str | None = None   # the answer is {answer_key: value}
    wire_names: dict[str, str] = field(default_factory=dict)   # argument -> query name
    #: Defaults the LAN route gives a body field fn itself requires (older clients omit it).
    wire_defaults: dict[str, Any] = field(default_factory=dict)
    #: Bounds of an integer argument on the LAN (``{"ge": 0}``): outside them is a 422.
    wire_limits: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def signature(self) -> inspect.Signature:
        """fn's signature without the runtime: what a client method takes."""
        params = list(inspect.signature(self.fn).parameters.values())[1:]
        return inspect.Signature(params)

    @property
    def path_args(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def other_args(self) -> list[str]:
        return [p for p in self.signature.parameters if p not in self.path_args]


@dataclass(frozen=True)
class Feature:
    """One feature of the office client: ``office.<name>.<op>(...)``, served on the LAN at
    ``/lan<prefix><op.path>``."""

    name: str
    prefix: str
    ops: tuple[Op, ...]

    def op(self, name: str) -> Op:
        for op in self.ops:
            if op.name == name:
                return op
        raise KeyError(f"{self.name} has no operation {name!r}")
