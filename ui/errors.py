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
    "ticket_not_waiting": QT_TRANSLATE_NOOP("errors", "Nomor {number} tidak sedang menunggu "
                                                      "hari ini. Periksa nomor pada tiket."),
    "not_ticked": QT_TRANSLATE_NOOP("errors", "Belum semua isian dan dokumen dicentang ({item}). "
                                              "Periksa semuanya, atau tolak dengan alasan."),
    "letter_not_issued": QT_TRANSLATE_NOOP("errors", "Surat untuk permohonan ini belum "
                                                     "diterbitkan. Setujui dulu."),
    "letter_unknown": QT_TRANSLATE_NOOP("errors", "Surat ini tidak ditemukan di kantor ini."),
    "letter_render": QT_TRANSLATE_NOOP("errors", "Surat tidak dapat dibuat (templat surat "
                                                 "bermasalah). Silakan hubungi teknisi."),
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
    # Letter requests and complaints (kiosk.nik, kiosk.letters.validation, kiosk.lookup).
    "nik_length": QT_TRANSLATE_NOOP("errors", "NIK terdiri dari 16 angka. Periksa kembali KTP "
                                              "Anda."),
    "nik_region": QT_TRANSLATE_NOOP("errors", "Enam angka pertama NIK bukan kode wilayah. "
                                              "Periksa kembali angka yang Anda ketik."),
    "nik_date": QT_TRANSLATE_NOOP("errors", "Angka ke-7 sampai ke-12 NIK bukan tanggal lahir "
                                            "yang benar. Periksa kembali angka yang Anda ketik."),
    "nik_serial": QT_TRANSLATE_NOOP("errors", "Empat angka terakhir NIK tidak boleh 0000. "
                                              "Periksa kembali KTP Anda."),
    "kk_length": QT_TRANSLATE_NOOP("errors", "Nomor KK terdiri dari 16 angka. Periksa kembali "
                                             "Kartu Keluarga Anda."),
    "kk_region": QT_TRANSLATE_NOOP("errors", "Enam angka pertama nomor KK bukan kode wilayah. "
                                             "Periksa kembali angka yang Anda ketik."),
    "kk_date": QT_TRANSLATE_NOOP("errors", "Angka ke-7 sampai ke-12 nomor KK bukan tanggal yang "
                                           "benar. Periksa kembali angka yang Anda ketik."),
    "kk_serial": QT_TRANSLATE_NOOP("errors", "Empat angka terakhir nomor KK tidak boleh 0000. "
                                             "Periksa kembali Kartu Keluarga Anda."),
    "nik_district_unknown": QT_TRANSLATE_NOOP("errors", "Kode kecamatan pada NIK tidak kami "
                                                        "kenal. Bila angkanya sudah sesuai KTP, "
                                                        "silakan lanjut."),
    "kk_district_unknown": QT_TRANSLATE_NOOP("errors", "Kode kecamatan pada nomor KK tidak kami "
                                                       "kenal. Bila angkanya sudah sesuai, "
                                                       "silakan lanjut."),
    "nik_birth_date_mismatch": QT_TRANSLATE_NOOP("errors", "Tanggal lahir pada NIK berbeda "
                                                           "dengan yang Anda isi. Mohon "
                                                           "tunjukkan KTP kepada petugas."),
    "nik_sex_mismatch": QT_TRANSLATE_NOOP("errors", "Jenis kelamin pada NIK berbeda dengan yang "
                                                    "Anda pilih. Mohon tunjukkan KTP kepada "
                                                    "petugas."),
    "required": QT_TRANSLATE_NOOP("errors", "Bagian ini perlu diisi."),
    "too_long": QT_TRANSLATE_NOOP("errors", "Isian terlalu panjang. Silakan persingkat."),
    "not_choice": QT_TRANSLATE_NOOP("errors", "Silakan pilih salah satu."),
    "not_date": QT_TRANSLATE_NOOP("errors", "Tanggal tidak benar. Periksa hari, bulan dan "
                                            "tahun."),
    "not_time": QT_TRANSLATE_NOOP("errors", "Jam tidak benar. Ketik jam dan menit, misalnya "
                                            "14 30."),
    "not_number": QT_TRANSLATE_NOOP("errors", "Isi dengan angka."),
    "not_phone": QT_TRANSLATE_NOOP("errors", "Nomor HP tidak benar. Ketik 9 sampai 13 angka, "
                                             "misalnya 0812 3456 7890."),
    "not_rt_rw": QT_TRANSLATE_NOOP("errors", "Ketik RT lalu RW, masing-masing tiga angka, "
                                             "misalnya 003 005."),
    "not_text": QT_TRANSLATE_NOOP("errors", "Isian memuat huruf yang tidak dapat dipakai. "
                                            "Silakan ketik ulang."),
    "letter_type_unknown": QT_TRANSLATE_NOOP("errors", "Jenis surat ini tidak tersedia lagi. "
                                                       "Silakan pilih yang lain."),
    "not_code": QT_TRANSLATE_NOOP("errors", "Itu bukan kode tanda terima. Kode seperti "
                                            "S-7K3M9QX atau P-7K3M9QX."),
    "code_unknown": QT_TRANSLATE_NOOP("errors", "Kode {code} tidak ditemukan di kantor ini. "
                                                "Periksa kembali kode pada tanda terima."),
    "anonymous_contact": QT_TRANSLATE_NOOP("errors", "Pengaduan tanpa nama tidak memakai nomor "
                                                     "HP. Hapus nomornya, atau kirim dengan "
                                                     "nama."),
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
