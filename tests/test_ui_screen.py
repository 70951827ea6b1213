"""ui.screen: the base every screen shares, and the coalesced refresh."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QEvent

from ui import ops
from ui.screen import Coalesced, Screen


def test_a_burst_of_refreshes_fetches_twice_not_once_each(qtbot):
    owner = Screen()
    qtbot.addWidget(owner)
    gate = threading.Event()
    fetches: list[int] = []
    shown: list[int] = []

    def fetch() -> int:
        gate.wait(5)
        fetches.append(len(fetches) + 1)
        return fetches[-1]

    refresh = Coalesced(owner, fetch, shown.append, lambda exc: shown.append(-1))
    for _ in range(10):                 # ten events while the first fetch is still running
        refresh()
    assert refresh.running
    gate.set()
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)
    ops.wait_idle()
    assert fetches == [1, 2] and shown == [1, 2] and not refresh.running


def test_a_failed_fetch_is_handed_over_and_not_repeated(qtbot):
    owner = Screen()
    qtbot.addWidget(owner)
    failures: list[str] = []

    def fetch():
        raise OSError("disk")

    refresh = Coalesced(owner, fetch, lambda result: None, lambda exc: failures.append(str(exc)))
    refresh()
    refresh()                            # asked again while the first one runs
    qtbot.waitUntil(lambda: failures == ["disk"], timeout=5000)
    ops.wait_idle()
    assert failures == ["disk"] and not refresh.running


class _Words(Screen):
    def __init__(self) -> None:
        super().__init__()
        self.worded = 0
        QCoreApplication.sendEvent(self, QEvent(QEvent.Type.LanguageChange))  # mid-build
        self.stopped = 0

    def retranslate(self) -> None:
        self.worded += 1

    def stop(self) -> None:
        self.stopped += 1


def test_words_come_after_ready_and_stop_comes_on_close(qtbot):
    screen = _Words()
    qtbot.addWidget(screen)
    assert screen.worded == 0            # a language change while building finds nothing
    screen.ready()
    assert screen.worded == 1
    QCoreApplication.sendEvent(screen, QEvent(QEvent.Type.LanguageChange))
    assert screen.worded == 2
    screen.show()
    screen.close()
    assert screen.stopped == 1
