"""The office client: the one handle a screen gets, with the office's operations by feature.

``office.queue.call_next(...)``, ``office.printing.job_status(...)``,
``office.reports.stats(...)``, ``office.sync_status.facts()``: each attribute is a feature
(kiosk.optable.Feature) whose methods follow from its table of operations. Screens call them
through ``ui.ops`` and never see a database, so the same screen runs on the edge
(:class:`LocalOffice`, here) and on a staff PC across the office LAN
(``sync.lan.client.RemoteOffice``). Which one a process gets, and which features it has, is
decided in one place: kiosk.cli.compose.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kiosk.optable import Feature, Op
from kiosk.runtime import Runtime


class OfficeClient(Protocol):
    """What every implementation offers besides one attribute per feature (``queue``,
    ``printing``, ``reports``, ``sync_status``, ...)."""

    features: tuple[Feature, ...]

    def close(self) -> None: ...


class LocalFeature:
    """A feature's operations on this machine's database: each call holds the office's one
    lock, because one sqlite3 connection must not be shared by threads mid-transaction (a
    second thread's ``write_tx`` would nest inside the first one's)."""

    def __init__(self, rt: Runtime, lock: threading.RLock | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        self.rt = rt
        self._lock = lock if lock is not None else threading.RLock()
        self._on_change = on_change

    def _run(self, op: Op, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            result = op.fn(self.rt, *args, **kwargs)
        if op.writes and self._on_change is not None:
            self._on_change()   # a print job or an outbox record may be waiting: wake the workers
        return result


def _local_method(op: Op) -> Callable[..., Any]:
    def method(self: LocalFeature, *args: Any, **kwargs: Any) -> Any:
        return self._run(op, *args, **kwargs)

    return with_signature(method, op)


def with_signature(method: Callable[..., Any], op: Op) -> Callable[..., Any]:
    """``method`` named, documented and signed as the operation (``self`` first), so
    ``inspect`` and the parity test see the domain function's own parameters."""
    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = op.fn.__doc__
    method.__signature__ = op.signature.replace(  # type: ignore[attr-defined]
        parameters=[inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                    *op.signature.parameters.values()])
    return method


def add_methods(cls: type, feature: Feature, make: Callable[[Op], Callable[..., Any]]) -> type:
    """One method per operation of ``feature`` on ``cls`` (a local or remote feature class)."""
    for op in feature.ops:
        setattr(cls, op.name, make(op))
    return cls


_LOCAL_CLASSES: dict[str, type[LocalFeature]] = {}


def local_class(feature: Feature) -> type[LocalFeature]:
    """The local class of a feature: a registered one (the queue's adds ``watch``), else a
    plain one made from the table."""
    cls = _LOCAL_CLASSES.get(feature.name)
    if cls is None:
        name = "Local" + "".join(part.title() for part in feature.name.split("_"))
        cls = _LOCAL_CLASSES[feature.name] = add_methods(
            type(name, (LocalFeature,), {"__doc__": f"The {feature.name} operations here."}),
            feature, _local_method)
    return cls


def register_local(feature: Feature, cls: type[LocalFeature]) -> type[LocalFeature]:
    """Give ``feature`` a class of its own (with methods beyond the table's) and its table's
    methods."""
    _LOCAL_CLASSES[feature.name] = add_methods(cls, feature, _local_method)
    return cls


class LocalOffice:
    """The office on this machine (the edge): one attribute per feature, one lock for all of
    them. ``on_change`` runs after every operation that writes (the composition root wakes
    the print and sync workers with it, so a ticket prints at once)."""

    def __init__(self, rt: Runtime, features: Sequence[Feature],
                 on_change: Callable[[], None] | None = None) -> None:
        self.rt = rt
        self.features = tuple(features)
        self._lock = threading.RLock()
        for feature in self.features:
            setattr(self, feature.name, local_class(feature)(rt, self._lock, on_change))

    def close(self) -> None:
        """The runtime belongs to whoever opened it; nothing of the office's own to close."""

    def __getattr__(self, name: str) -> Any:
        # Only reached for a feature this office was not given: say which ones it has.
        raise AttributeError(f"this office has no feature {name!r}; it has "
                             f"{', '.join(f.name for f in self.__dict__.get('features', ()))}")
