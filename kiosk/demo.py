"""The embedded demo office: a sample kelurahan to try the whole product without a server.

Its reference data is what a city server would send down; here it is written directly.
"""

from __future__ import annotations

from pathlib import Path

from kiosk import config as config_mod
from kiosk.complaints import categories as complaint_categories
from kiosk.db import open_db, write_tx
from kiosk.letters import catalogue
from kiosk.letters import templates as letter_templates

DEMO_PIN = "1234"
OFFICE_ID = "office-demo"

SERVICES = [
    # prefix, name_id, name_en, description_id, description_en
    ("A", "Administrasi Kependudukan", "Population Administration",
     "KTP, KK, pindah datang", "ID card, family card, moving"),
    ("B", "Surat Keterangan", "Certificate Letters",
     "Domisili, usaha, tidak mampu", "Residence, business, low income"),
    ("C", "Pengaduan", "Complaints",
     "Sampaikan keluhan atau saran", "Tell us a problem or an idea"),
]

EMPLOYEES = [
    ("198001012005011001", "Andi Pratama", "staff"),
    ("198502022010012002", "Rina Wulandari", "staff"),
    ("197903032003121003", "Budi Santoso", "lurah"),
    ("199004042015032004", "Sari Lestari", "staff"),
]


def init_demo(data_dir: Path) -> config_mod.Config:
    """Create the demo data directory once; later calls leave it as it is."""
    data_dir = Path(data_dir)
    path = data_dir / config_mod.CONFIG_NAME
    if path.exists():
        return config_mod.load(data_dir)
    cfg = config_mod.Config()
    cfg.office = config_mod.Office(code="DEMO", name="Kelurahan Sungai Pinang Dalam", timezone="WITA")
    cfg.admin.pin_hash = config_mod.hash_pin(DEMO_PIN)
    db = open_db(config_mod.db_path(data_dir))
    with write_tx(db):
        db["offices"].upsert({"id": OFFICE_ID, "code": "DEMO", "name": cfg.office.name,
                              "timezone": "WITA", "address": "Jl. Contoh No. 1, Samarinda",
                              "updated_ms": 0}, pk="id")
        for order, (prefix, name_id, name_en, desc_id, desc_en) in enumerate(SERVICES):
            db["services"].upsert({
                "id": f"svc-{prefix.lower()}", "office_id": OFFICE_ID, "prefix": prefix,
                "name_id": name_id, "name_en": name_en, "description_id": desc_id,
                "description_en": desc_en, "daily_cap": None, "active": 1,
                "sort_order": order, "updated_ms": 0}, pk="id")
        for number in (1, 2, 3):
            db["counters"].upsert({"id": f"counter-{number}", "office_id": OFFICE_ID,
                                   "number": number, "name": f"Loket {number}", "active": 1,
                                   "updated_ms": 0}, pk="id")
        for nip, name, role in EMPLOYEES:
            db["employees"].upsert({"id": f"emp-{nip[-4:]}", "office_id": OFFICE_ID, "nip": nip,
                                    "name": name, "role": role, "active": 1,
                                    "badge_key_id": None, "updated_ms": 0}, pk="id")
        db["settings"].upsert({"key": "running_text", "updated_ms": 0, "value":
                               "Selamat datang di Kantor Kelurahan Sungai Pinang Dalam. "
                               "Layanan buka Senin–Jumat pukul 08.00–15.00 WITA."}, pk="key")
        db["settings"].upsert({"key": "office.hours", "updated_ms": 0,
                               "value": "Senin-Jumat 08.00-15.00 WITA"}, pk="key")
        for key, value in LETTER_SETTINGS:
            db["settings"].upsert({"key": key, "value": value, "updated_ms": 0}, pk="key")
        write_default_catalogue(db)
    db.close()
    config_mod.save(cfg, data_dir)
    return cfg


#: The letterhead and signer of the demo office's letters (kiosk.letters.document).
LETTER_SETTINGS = (
    ("office.regency", "Kota Samarinda"),
    ("office.kecamatan", "Sungai Pinang"),
    ("office.kelurahan", "Sungai Pinang Dalam"),
    ("office.address", "Jl. Contoh No. 1, Samarinda 75117"),
    ("letters.signer_name", "Drs. Ahmad Rifai"),
    ("letters.signer_position", "Lurah"),
    ("letters.signer_nip", "196805121990031005"),
)


def write_default_catalogue(db) -> None:
    """The demo's letter catalogue, its templates and complaint categories, as a city server would send
    them (``letter_types`` and ``complaint_categories`` rows); the caller's transaction."""
    for order, letter in enumerate(catalogue.DEFAULT_CATALOGUE):
        db["letter_types"].upsert(catalogue.to_row(letter, sort_order=order), pk="id")
        body = letter_templates.DEFAULT_TEMPLATES.get(letter.code, letter_templates.GENERIC)
        db["letter_templates"].upsert(letter_templates.to_row(letter.code, body), pk="id")
    for order, category in enumerate(complaint_categories.DEFAULT_CATEGORIES):
        db["complaint_categories"].upsert(complaint_categories.to_row(category, sort_order=order),
                                          pk="id")


def init_empty(data_dir: Path, office_code: str = "NEW", office_name: str = "Kelurahan Baru",
               timezone: str = "WIB", admin_pin: str | None = None) -> config_mod.Config:
    data_dir = Path(data_dir)
    if (data_dir / config_mod.CONFIG_NAME).exists():
        return config_mod.load(data_dir)
    cfg = config_mod.Config()
    cfg.office = config_mod.Office(code=office_code, name=office_name, timezone=timezone)
    if admin_pin:
        cfg.admin.pin_hash = config_mod.hash_pin(admin_pin)
    open_db(config_mod.db_path(data_dir)).close()
    config_mod.save(cfg, data_dir)
    return cfg
