"""Which language the screens speak. Bahasa Indonesia is the source language of every
string (``self.tr("Ambil Nomor")``); English comes from ``ui/translations/*_en.qm``, one file
per area, all installed together when English is chosen.

Installing or removing a QTranslator makes Qt send every widget a LanguageChange event;
each screen answers it by setting its texts again (``retranslate``), so the switch is live.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = ("id", "en")

_installed: list[QTranslator] = []
_current = "id"


def current_language() -> str:
    return _current


def _ensure_compiled() -> None:
    """Compile .ts files whose .qm is missing or older (a development checkout that skipped
    scripts/setup); set-up normally does this with ui/i18n_build.py."""
    stale = [ts for ts in TRANSLATIONS.glob("*.ts")
             if not ts.with_suffix(".qm").exists()
             or ts.with_suffix(".qm").stat().st_mtime < ts.stat().st_mtime]
    if not stale:
        return
    try:
        from ui import i18n_build

        i18n_build.build()
    except (OSError, SystemExit, Exception) as exc:  # noqa: BLE001 - a missing tool must not stop the kiosk
        log.warning("could not compile translations (%s); English may be incomplete", exc)


def set_language(language: str) -> None:
    """Switch every screen to ``language`` ('id' or 'en') now."""
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: use 'id' or 'en'")
    _previous = _current
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("set_language needs a QApplication")
    _current = language  # before any LanguageChange reaches a screen that asks for it
    changed = bool(_installed)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language == "en":
        _ensure_compiled()
        for qm in sorted(TRANSLATIONS.glob("*_en.qm")):
            translator = QTranslator(app)
            if translator.load(str(qm)):
                app.installTranslator(translator)
                _installed.append(translator)
                changed = True
            else:
                log.warning("could not load translation %s", qm)
    if not changed and language != _previous:
        # No translator came or went (e.g. no .qm yet), but texts drawn from data (service
        # names in name_id/name_en) still follow the language: tell the widgets ourselves.
        from PySide6.QtCore import QEvent
        from PySide6.QtWidgets import QApplication

        for widget in QApplication.allWidgets():
            QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))
