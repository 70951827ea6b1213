"""How a screen words an error: ONE table from error code to a sentence, in Bahasa
Indonesia (the source text; English in ui/translations/errors_en.ts).

Domain errors carry a ``code`` and ``fields`` (kiosk/errors.py); a screen never shows
``str(exc)``, which is the technician's detail for the log. A code missing from the table
is worded by its kind (the first code of its class's ancestors that is in the table), and
anything that is not a KioskError as the generic sentence: a person never sees a traceback.
"""

from __future__ import annotations

import logging
import string

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

CONTEXT = "errors"

#: code -> sentence with {field} placeholders. Says what happened and what to do next.
WORDS: dict[str, str] = {
    "error": QT_TRANSLATE_NOOP("errors", "Terjadi kesalahan. Coba sekali lagi; jika berulang, "
                                         "hubungi teknisi."),
    "config": QT_TRANSLATE_NOOP("errors", "Pengaturan perangkat ini salah ({key}). Silakan "
                                          "hubungi teknisi."),
    "store": QT_TRANSLATE_NOOP("errors", "Data tidak dapat disimpan saat ini. Coba lagi "
                                         "sebentar; jika berulang, hubungi teknisi."),
    "disk_full": QT_TRANSLATE_NOOP("errors", "Penyimpanan perangkat penuh; tidak ada yang "
                                             "tersimpan. Silakan hubungi teknisi."),
    "invalid": QT_TRANSLATE_NOOP("errors", "Isian tidak sesuai ({field}). Periksa lalu coba "
                                           "lagi."),
    "not_found": QT_TRANSLATE_NOOP("errors", "Data yang diminta tidak ditemukan. Muat ulang, "
                                             "lalu coba lagi."),
    "quota_exhausted": QT_TRANSLATE_NOOP("errors", "Mohon maaf, kuota layanan {service} hari "
                                                   "ini sudah habis ({cap} antrian). Silakan "
                                                   "datang kembali besok."),
    "invalid_step": QT_TRANSLATE_NOOP("errors", "Langkah ini tidak dapat dilakukan sekarang. "
                                                "Muat ulang, lalu coba lagi."),
    "ticket_state": QT_TRANSLATE_NOOP("errors", "Tiket {number} sudah berubah status, jadi "
                                                "langkah ini tidak dapat dilakukan. Muat ulang, "
                                                "lalu coba lagi."),
    "recall_first": QT_TRANSLATE_NOOP("errors", "Tiket {number} baru dipanggil ulang {recalls} "
                                                "kali. Panggil ulang dulu (minimal {needed} "
                                                "kali) sebelum menandai tidak hadir."),
    "not_served_yet": QT_TRANSLATE_NOOP("errors", "Nomor {number} belum dilayani. Mulai "
                                                  "layani, selesaikan, atau tandai tidak "
                                                  "hadir dulu."),
    "same_service": QT_TRANSLATE_NOOP("errors", "Tiket {number} sudah di layanan {service}."),
    "counter_paused": QT_TRANSLATE_NOOP("errors", "{counter} sedang jeda. Lanjutkan layanan "
                                                  "dulu sebelum memanggil."),
    "lan": QT_TRANSLATE_NOOP("errors", "Sambungan ke server kantor bermasalah. Coba lagi; jika "
                                       "berulang, hubungi teknisi."),
    "edge_unreachable": QT_TRANSLATE_NOOP("errors", "Tidak dapat menghubungi server kantor. "
                                                    "Periksa jaringan, lalu coba lagi."),
    "lan_auth": QT_TRANSLATE_NOOP("errors", "Server kantor menolak perangkat ini (token LAN "
                                            "berbeda). Silakan hubungi teknisi."),
    "edge_protocol": QT_TRANSLATE_NOOP("errors", "Server kantor memakai versi lain. Silakan "
                                                 "hubungi teknisi."),
}


def _code_of(exc: BaseException) -> str:
    """The most precise code the table words: the error's own, else its class's kind."""
    if not isinstance(exc, KioskError):
        return "error"
    if exc.code in WORDS:
        return exc.code
    for cls in type(exc).__mro__:
        code = cls.__dict__.get("code")
        if isinstance(code, str) and code in WORDS:
            return code
    return "error"


def error_text(exc: BaseException) -> str:
    """The sentence a person reads for ``exc``, in the current language."""
    code = _code_of(exc)
    if code == "error":
        log.error("no wording for %r; showing the generic sentence", exc)
    fields = getattr(exc, "fields", {}) if code == getattr(exc, "code", None) else {}
    return word(code, fields)


def word(code: str, fields: dict) -> str:
    """Translate the code's sentence, then fill it; a missing field leaves a dash."""
    text = QCoreApplication.translate(CONTEXT, WORDS[code])
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return text.format(**{name: fields.get(name, "\u2014") for name in names})
