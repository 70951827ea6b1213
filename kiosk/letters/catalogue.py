"""The letter catalogue: which letters the office makes and what each asks for.

City-owned reference data: the city server sends ``letter_types`` rows down with the
services (scope ``reference``, sync/client/reference.py); the kiosk only reads them. A row
is ``{id, code, spec, active, sort_order, updated_ms}`` with ``spec`` the LetterType as JSON
(``dataclasses.asdict`` without ``code``). The demo office writes :data:`DEFAULT_CATALOGUE`
itself (kiosk.demo), as a city server would.

A row whose spec this kiosk cannot read (a newer server) is left out of the catalogue
rather than breaking the screen; ``kiosk request types`` shows what is offered.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import sqlite_utils

from kiosk import jsontext
from kiosk.errors import NotFoundError
from kiosk.letters.models import Choice, FieldSpec as F, LetterType

TABLE = "letter_types"

_PURPOSE = F("purpose", "long_text", "Keperluan surat", "Purpose of the letter", max_length=200,
             group="keperluan")
_KTP_KK = ("KTP asli dan fotokopi", "Kartu Keluarga (KK) asli dan fotokopi")
_KTP_KK_EN = ("Original ID card (KTP) and a copy", "Original family card (KK) and a copy")
_PENGANTAR = ("Surat pengantar RT/RW",)
_PENGANTAR_EN = ("Cover letter from the RT/RW",)


def _person(prefix: str, group: str, who_id: str, who_en: str, *, nik_required: bool = True
            ) -> tuple[F, ...]:
    """Name and NIK of someone other than the applicant (a witness, a parent)."""
    return (F(f"{prefix}_name", "text", f"Nama {who_id}", f"Name of the {who_en}",
              max_length=80, group=group),
            F(f"{prefix}_nik", "nik", f"NIK {who_id}", f"NIK of the {who_en}",
              required=nik_required, group=group))


DEFAULT_CATALOGUE: tuple[LetterType, ...] = (
    LetterType(
        "PENGANTAR", "Surat Pengantar RT/RW", "RT/RW Cover Letter",
        "Pengantar dari RT/RW untuk urusan di kelurahan", "A cover letter for other services",
        "envelope", (_PURPOSE,), _KTP_KK, _KTP_KK_EN, validity_days=30, needs_verification=False),
    LetterType(
        "DOMISILI", "Surat Keterangan Domisili", "Certificate of Residence",
        "Keterangan tempat tinggal Anda", "States where you live", "home",
        (F("living_since", "date", "Tinggal di alamat ini sejak", "Living at this address since",
           group="keperluan"), _PURPOSE),
        _KTP_KK + _PENGANTAR, _KTP_KK_EN + _PENGANTAR_EN, validity_days=90),
    LetterType(
        "SKU", "Surat Keterangan Usaha", "Business Certificate",
        "Untuk pinjaman bank, izin, atau bantuan usaha", "For bank loans, permits, business aid",
        "store",
        (F("business_name", "text", "Nama usaha", "Business name", max_length=80, group="usaha"),
         F("business_address", "text", "Alamat usaha", "Business address", max_length=120,
           group="usaha"),
         F("business_since", "date", "Usaha berjalan sejak", "In business since", group="usaha"),
         _PURPOSE),
        _KTP_KK + _PENGANTAR + ("Foto tempat usaha",),
        _KTP_KK_EN + _PENGANTAR_EN + ("A photo of the business premises",), validity_days=180),
    LetterType(
        "SKTM", "Surat Keterangan Tidak Mampu", "Certificate of Low Income",
        "Untuk keringanan biaya sekolah atau berobat", "For school or hospital fee relief",
        "hand-heart",
        (_PURPOSE,
         F("household_members", "number", "Jumlah anggota keluarga", "Household members",
           group="keperluan")),
        _KTP_KK + _PENGANTAR, _KTP_KK_EN + _PENGANTAR_EN, validity_days=90),
    LetterType(
        "KEMATIAN", "Surat Keterangan Kematian", "Death Certificate Letter",
        "Melaporkan anggota keluarga yang meninggal", "Report a death in the family", "flower",
        (*_person("deceased", "almarhum", "almarhum/almarhumah", "deceased"),
         F("death_date", "date", "Tanggal meninggal", "Date of death", group="kejadian"),
         F("death_time", "time", "Jam meninggal", "Time of death", group="kejadian"),
         F("death_place", "text", "Tempat meninggal", "Place of death", max_length=80,
           group="kejadian"),
         F("death_cause", "text", "Sebab meninggal", "Cause of death", max_length=80,
           group="kejadian"),
         F("reporter_name", "text", "Nama pelapor", "Name of the reporter", max_length=80,
           group="pelapor"),
         F("reporter_relation", "text", "Hubungan pelapor dengan almarhum",
           "Reporter's relation to the deceased", max_length=40, group="pelapor"),
         *_person("witness1", "saksi_1", "saksi 1", "first witness"),
         *_person("witness2", "saksi_2", "saksi 2", "second witness")),
        ("KTP dan KK almarhum", "KTP pelapor", "KTP dua orang saksi",
         "Surat keterangan dari rumah sakit atau dokter, bila ada"),
        ("ID card and family card of the deceased", "ID card of the reporter",
         "ID cards of both witnesses", "A letter from the hospital or doctor, if any"),
        validity_days=None),
    LetterType(
        "KELAHIRAN", "Surat Keterangan Kelahiran", "Birth Certificate Letter",
        "Melaporkan kelahiran bayi", "Report the birth of a baby", "baby",
        (F("baby_name", "text", "Nama bayi", "Baby's name", max_length=80, group="bayi"),
         F("baby_sex", "choice", "Jenis kelamin bayi", "Baby's sex",
           choices=(Choice("L", "Laki-laki", "Boy"), Choice("P", "Perempuan", "Girl")),
           group="bayi"),
         F("baby_birth_date", "date", "Tanggal lahir bayi", "Baby's date of birth",
           group="bayi"),
         F("baby_birth_time", "time", "Jam lahir", "Time of birth", group="bayi"),
         F("baby_birth_place", "text", "Tempat lahir bayi", "Place of birth", max_length=80,
           group="bayi"),
         *_person("mother", "ibu", "ibu", "mother"),
         *_person("father", "ayah", "ayah", "father", nik_required=False),
         F("reporter_name", "text", "Nama pelapor", "Name of the reporter", max_length=80,
           group="pelapor"),
         *_person("witness1", "saksi_1", "saksi 1", "first witness"),
         *_person("witness2", "saksi_2", "saksi 2", "second witness")),
        ("Surat keterangan lahir dari bidan atau rumah sakit", "KTP ayah dan ibu",
         "Kartu Keluarga (KK) asli", "Buku nikah atau akta perkawinan", "KTP dua orang saksi"),
        ("Birth letter from the midwife or hospital", "ID cards of both parents",
         "Original family card (KK)", "Marriage book or certificate",
         "ID cards of both witnesses"),
        validity_days=None),
    LetterType(
        "SKCK", "Surat Pengantar SKCK", "Police Clearance Cover Letter",
        "Pengantar untuk membuat SKCK di kepolisian", "Cover letter for a police clearance",
        "shield", (_PURPOSE,),
        _KTP_KK + _PENGANTAR + ("Pas foto 4x6 latar merah, 2 lembar",),
        _KTP_KK_EN + _PENGANTAR_EN + ("Two 4x6 photos on a red background",), validity_days=30),
    LetterType(
        "PINDAH", "Surat Keterangan Pindah", "Moving Certificate",
        "Pindah ke alamat di luar kelurahan ini", "Moving away from this kelurahan", "truck",
        (F("destination_address", "text", "Alamat tujuan", "New address", max_length=120,
           group="tujuan"),
         F("destination_rt_rw", "rt_rw", "RT/RW tujuan", "RT/RW of the new address",
           group="tujuan"),
         F("destination_region", "text", "Kelurahan, kecamatan, kota tujuan",
           "Kelurahan, district, city of the new address", max_length=120, group="tujuan"),
         F("move_reason", "choice", "Alasan pindah", "Reason for moving", group="tujuan",
           choices=(Choice("pekerjaan", "Pekerjaan", "Work"),
                    Choice("pendidikan", "Pendidikan", "Education"),
                    Choice("keluarga", "Keluarga", "Family"),
                    Choice("perumahan", "Perumahan", "Housing"),
                    Choice("lainnya", "Lainnya", "Other"))),
         F("members_moving", "number", "Jumlah anggota keluarga yang pindah",
           "Family members moving", group="tujuan"),
         F("move_date", "date", "Tanggal pindah", "Moving date", group="tujuan")),
        _KTP_KK + _PENGANTAR, _KTP_KK_EN + _PENGANTAR_EN, validity_days=30),
    LetterType(
        "BELUM_MENIKAH", "Surat Keterangan Belum Menikah", "Certificate of Unmarried Status",
        "Untuk melamar kerja atau mendaftar nikah", "For a job or a marriage registration",
        "person", (_PURPOSE,),
        _KTP_KK + _PENGANTAR, _KTP_KK_EN + _PENGANTAR_EN, validity_days=90),
    LetterType(
        "AHLI_WARIS", "Surat Keterangan Ahli Waris", "Certificate of Heirs",
        "Menyatakan siapa ahli waris almarhum", "States who the heirs of the deceased are",
        "family",
        (*_person("deceased", "almarhum", "almarhum/almarhumah", "deceased"),
         F("death_date", "date", "Tanggal meninggal", "Date of death", group="almarhum"),
         F("heirs", "long_text", "Nama ahli waris dan hubungannya",
           "Heirs and their relation to the deceased", max_length=500, group="ahli_waris"),
         _PURPOSE),
        ("Akta kematian almarhum", "KTP dan KK semua ahli waris", "Surat pengantar RT/RW",
         "Dua orang saksi dengan KTP"),
        ("Death certificate of the deceased", "ID and family cards of every heir",
         "Cover letter from the RT/RW", "Two witnesses with their ID cards"),
        validity_days=None),
    LetterType(
        "KEHILANGAN", "Surat Keterangan Kehilangan", "Loss Report Letter",
        "Melaporkan dokumen atau barang yang hilang", "Report a lost document or item",
        "search",
        (F("lost_item", "text", "Barang yang hilang", "What was lost", max_length=80,
           group="kejadian"),
         F("lost_date", "date", "Tanggal hilang", "Date it was lost", group="kejadian"),
         F("lost_place", "text", "Tempat hilang", "Where it was lost", max_length=80,
           group="kejadian"),
         F("lost_description", "long_text", "Keterangan", "What happened", max_length=300,
           required=False, group="kejadian")),
        _KTP_KK, _KTP_KK_EN, validity_days=30, needs_verification=False),
)


def to_row(letter: LetterType, *, sort_order: int = 0, active: bool = True,
           updated_ms: int = 0) -> dict[str, Any]:
    """A letter type as a ``letter_types`` row (what the city server sends)."""
    spec = dataclasses.asdict(letter)
    del spec["code"]
    return {"id": f"lt-{letter.code.lower()}", "code": letter.code,
            "spec": jsontext.dumps(spec), "active": int(active), "sort_order": sort_order,
            "updated_ms": updated_ms}


def from_row(code: str, spec: str) -> LetterType | None:
    """None for a spec this kiosk cannot read."""
    try:
        data = json.loads(spec) if isinstance(spec, str) else dict(spec)
        return LetterType.from_dict({**data, "code": code})
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def letter_types(db: sqlite_utils.Database) -> list[LetterType]:
    """The letters offered now, in the city's order."""
    rows = db.conn.execute(f"SELECT code, spec FROM {TABLE} WHERE active = 1"
                           " ORDER BY sort_order, code").fetchall()
    return [lt for lt in (from_row(code, spec) for code, spec in rows) if lt is not None]


def get_letter_type(db: sqlite_utils.Database, code: str) -> LetterType:
    """An active letter type by its code (any case); NotFoundError otherwise."""
    row = db.conn.execute(f"SELECT code, spec FROM {TABLE} WHERE active = 1"
                          " AND upper(code) = upper(?) ORDER BY sort_order LIMIT 1",
                          [code]).fetchone()
    letter = from_row(*row) if row else None
    if letter is None:
        codes = ", ".join(lt.code for lt in letter_types(db)) or "none"
        raise NotFoundError(f"surat {code!r} tidak tersedia (letter_types.code); offered: {codes}",
                            code="letter_type_unknown", fields={"type": code})
    return letter
