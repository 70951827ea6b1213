"""Complaint categories: a city-owned list (table ``complaint_categories``, pulled with the
reference data); the demo office writes :data:`DEFAULT_CATEGORIES` itself (kiosk.demo)."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from kiosk.complaints.models import Category
from kiosk.errors import ValidationError

TABLE = "complaint_categories"

DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category("pelayanan", "Pelayanan kantor kelurahan", "Service at the office", "counter"),
    Category("jalan", "Jalan, jembatan dan drainase", "Roads, bridges and drains", "road"),
    Category("sampah", "Sampah dan kebersihan", "Waste and cleanliness", "trash"),
    Category("banjir", "Banjir dan genangan", "Floods", "water"),
    Category("lampu", "Lampu jalan", "Street lights", "lamp"),
    Category("keamanan", "Keamanan dan ketertiban", "Safety and public order", "shield"),
    Category("bansos", "Bantuan sosial", "Social assistance", "hand-heart"),
    Category("lainnya", "Lainnya", "Other", "dots"),
)


def to_row(category: Category, *, sort_order: int = 0, updated_ms: int = 0) -> dict[str, Any]:
    return {"id": f"cc-{category.code}", "code": category.code, "name_id": category.name_id,
            "name_en": category.name_en, "icon": category.icon, "active": 1,
            "sort_order": sort_order, "updated_ms": updated_ms}


def list_categories(db: sqlite_utils.Database) -> list[Category]:
    return [Category(*r) for r in db.conn.execute(
        f"SELECT code, name_id, name_en, coalesce(icon, '') FROM {TABLE} WHERE active = 1"
        " ORDER BY sort_order, code").fetchall()]


def get_category(db: sqlite_utils.Database, code: str) -> Category:
    """An active category by code (any case); ValidationError naming ``category`` else."""
    row = db.conn.execute(f"SELECT code, name_id, name_en, coalesce(icon, '') FROM {TABLE}"
                          " WHERE active = 1 AND lower(code) = lower(?) LIMIT 1",
                          [str(code)]).fetchone()
    if row is None:
        codes = ", ".join(c.code for c in list_categories(db)) or "none"
        raise ValidationError("category", f"{code!r} is not a complaint category; categories: "
                              f"{codes}", code="not_choice")
    return Category(*row)
