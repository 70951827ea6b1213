"""Letter templates: the wording of each letter type, city-owned reference data.

A template is Typst markup (https://typst.app/docs) for the letter's body, between the
letterhead and number above and the signature and verification QR below
(kiosk.letters.document). It reads the request's values by name, never by pasting them
into the markup: ``#field("business_name")`` is the value of that field (a choice as its
label, a date in Indonesian, every NIK and KK masked), ``#applicant`` the applicant's
data as a table, ``#office`` the office (``office.kelurahan`` ...), ``#signer`` who signs.
A value is text to Typst, so a name with ``#``, ``*`` or ``$`` prints as typed.

The city server sends ``letter_templates`` rows (``{id, type_code, body, active,
updated_ms}``) with the reference data, so a city changes a letter's wording without a
release; :data:`DEFAULT_TEMPLATES` is what the demo office writes (kiosk.demo) and what a
letter type without a row uses.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

TABLE = "letter_templates"

_OPENING = ("Yang bertanda tangan di bawah ini, #signer.position #office.kelurahan, "
            "Kecamatan #office.kecamatan, menerangkan dengan sebenarnya bahwa:\n\n"
            "#applicant\n\n")
_CLOSING = ("\n\nDemikian surat keterangan ini dibuat dengan sebenarnya untuk dapat "
            "dipergunakan sebagaimana mestinya.")

#: A letter type without its own template.
GENERIC = (_OPENING + "adalah benar warga kami. Surat ini diberikan untuk keperluan: "
           "#field(\"purpose\")." + _CLOSING)

DEFAULT_TEMPLATES: dict[str, str] = {
    "PENGANTAR": _OPENING + "adalah benar warga kami yang bermaksud mengurus keperluan: "
                 "#field(\"purpose\")." + _CLOSING,
    "DOMISILI": _OPENING + "adalah benar berdomisili di alamat tersebut di atas sejak "
                "#field(\"living_since\"). Surat ini diberikan untuk keperluan: "
                "#field(\"purpose\")." + _CLOSING,
    "SKU": _OPENING + "adalah benar memiliki usaha:\n\n"
           "#table(columns: (5cm, auto), stroke: none, inset: (x: 0pt, y: 3pt),\n"
           "  [Nama usaha], [: #field(\"business_name\")],\n"
           "  [Alamat usaha], [: #field(\"business_address\")],\n"
           "  [Berjalan sejak], [: #field(\"business_since\")])\n\n"
           "Surat ini diberikan untuk keperluan: #field(\"purpose\")." + _CLOSING,
    "SKTM": _OPENING + "adalah benar warga kami dari keluarga tidak mampu dengan "
            "#field(\"household_members\") anggota keluarga. Surat ini diberikan untuk "
            "keperluan: #field(\"purpose\")." + _CLOSING,
    "KEMATIAN": _OPENING + "melaporkan bahwa #field(\"deceased_name\") (NIK "
                "#field(\"deceased_nik\")) telah meninggal dunia pada #field(\"death_date\") "
                "pukul #field(\"death_time\") di #field(\"death_place\") karena "
                "#field(\"death_cause\"). Pelapor: #field(\"reporter_name\") "
                "(#field(\"reporter_relation\")); saksi: #field(\"witness1_name\") dan "
                "#field(\"witness2_name\")." + _CLOSING,
    "KELAHIRAN": _OPENING + "melaporkan kelahiran #field(\"baby_name\") "
                 "(#field(\"baby_sex\")) pada #field(\"baby_birth_date\") pukul "
                 "#field(\"baby_birth_time\") di #field(\"baby_birth_place\"), anak dari ibu "
                 "#field(\"mother_name\") dan ayah #field(\"father_name\"); saksi: "
                 "#field(\"witness1_name\") dan #field(\"witness2_name\")." + _CLOSING,
    "SKCK": _OPENING + "adalah benar warga kami dan sepanjang pengetahuan kami berkelakuan "
            "baik. Surat pengantar ini diberikan untuk mengurus Surat Keterangan Catatan "
            "Kepolisian (SKCK) dengan keperluan: #field(\"purpose\")." + _CLOSING,
    "PINDAH": _OPENING + "akan pindah pada #field(\"move_date\") ke #field(\"destination_address\")"
              " RT/RW #field(\"destination_rt_rw\"), #field(\"destination_region\"), karena "
              "#field(\"move_reason\"), dengan #field(\"members_moving\") anggota keluarga."
              + _CLOSING,
    "BELUM_MENIKAH": _OPENING + "sepanjang pengetahuan kami belum pernah menikah. Surat ini "
                     "diberikan untuk keperluan: #field(\"purpose\")." + _CLOSING,
    "AHLI_WARIS": _OPENING + "menyatakan bahwa ahli waris dari almarhum/almarhumah "
                  "#field(\"deceased_name\"), yang meninggal pada #field(\"death_date\"), "
                  "adalah: #field(\"heirs\"). Surat ini diberikan untuk keperluan: "
                  "#field(\"purpose\")." + _CLOSING,
    "KEHILANGAN": _OPENING + "telah melaporkan kehilangan #field(\"lost_item\") pada "
                  "#field(\"lost_date\") di #field(\"lost_place\"). #field(\"lost_description\")"
                  + _CLOSING,
}


def to_row(type_code: str, body: str, *, updated_ms: int = 0) -> dict[str, Any]:
    """A template as a ``letter_templates`` row (what the city server sends)."""
    return {"id": f"tpl-{type_code.lower()}", "type_code": type_code, "body": body,
            "active": 1, "updated_ms": updated_ms}


def template_for(db: sqlite_utils.Database, type_code: str) -> str:
    """The city's template of ``type_code``, else the default one, else :data:`GENERIC`."""
    row = db.conn.execute(f"SELECT body FROM {TABLE} WHERE active = 1 AND type_code = ?"
                          " ORDER BY updated_ms DESC LIMIT 1", [type_code]).fetchone()
    if row and row[0]:
        return row[0]
    return DEFAULT_TEMPLATES.get(type_code, GENERIC)
