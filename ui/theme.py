"""The touch-first look: colours, type sizes, touch targets, icons and the stylesheet.

Why these numbers: the citizen kiosk is used standing, by people who may read slowly or see
poorly, with a finger rather than a mouse. Every tap target is at least ``TOUCH_MIN`` px
(60, PRODUCT.md), body type is large, and every text/background pair we use is listed in
``CONTRAST_PAIRS`` so a test keeps it at WCAG 2.x contrast >= 4.5:1.

Icons are small inline SVGs drawn with QtSvg (part of PySide6), so the kiosk needs no icon
font and no network; they stay sharp at any size.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (QApplication, QFrame, QLabel, QPushButton, QSizePolicy,
                               QVBoxLayout, QWidget)

# --- colours -------------------------------------------------------------------------------
BG = "#F3F5F8"            # the window
SURFACE = "#FFFFFF"       # cards, panels
TEXT = "#14213D"          # body text (deep navy reads softer than black)
MUTED = "#475467"         # secondary text
PRIMARY = "#0B4F8A"       # the one main action per screen
PRIMARY_PRESSED = "#083B68"
ON_PRIMARY = "#FFFFFF"
SECONDARY = "#DCE3EC"     # other actions
ON_SECONDARY = TEXT
PRIORITY = "#6A2C8F"      # priority lanes (lansia, disabilitas, hamil)
ON_PRIORITY = "#FFFFFF"
SUCCESS = "#1B6B34"
ON_SUCCESS = "#FFFFFF"
DANGER = "#B3261E"
ON_DANGER = "#FFFFFF"
WARNING_BG = "#FFF1C2"    # "printer sedang bermasalah" banner
ON_WARNING = "#5A3A00"
BORDER = "#8A97A8"        # decorative only (not text)
BOARD_BG = "#0B1220"      # the display board: light text on dark, readable across a room
BOARD_TEXT = "#FFFFFF"
BOARD_ACCENT = "#FFD166"
BOARD_MUTED = "#B8C4D6"

#: (what, foreground, background): every text colour on every background we use.
CONTRAST_PAIRS: list[tuple[str, str, str]] = [
    ("body text on window", TEXT, BG),
    ("body text on card", TEXT, SURFACE),
    ("secondary text on window", MUTED, BG),
    ("secondary text on card", MUTED, SURFACE),
    ("primary button", ON_PRIMARY, PRIMARY),
    ("primary button pressed", ON_PRIMARY, PRIMARY_PRESSED),
    ("secondary button", ON_SECONDARY, SECONDARY),
    ("priority button", ON_PRIORITY, PRIORITY),
    ("success", ON_SUCCESS, SUCCESS),
    ("danger", ON_DANGER, DANGER),
    ("warning banner", ON_WARNING, WARNING_BG),
    ("ticket number on card", PRIMARY, SURFACE),
    ("error text on window", DANGER, BG),
    ("board text", BOARD_TEXT, BOARD_BG),
    ("board accent", BOARD_ACCENT, BOARD_BG),
    ("board secondary", BOARD_MUTED, BOARD_BG),
]

# --- sizes (pixels) ------------------------------------------------------------------------
TOUCH_MIN = 60            # smallest tap target, both directions
BUTTON_HEIGHT = 76        # the usual button
FONT_FAMILY = "Noto Sans"
FONT_BODY = 24
FONT_SMALL = 20           # never smaller than this on a citizen screen
FONT_LARGE = 32
FONT_TITLE = 44
FONT_HUGE = 150           # the ticket number
ICON = 40


# --- contrast (WCAG 2.x) -------------------------------------------------------------------
def relative_luminance(colour: str) -> float:
    c = QColor(colour)

    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast_ratio(fg: str, bg: str) -> float:
    a, b = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


# --- icons ---------------------------------------------------------------------------------
_SVG_HEAD = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
             'stroke="{c}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">')
ICONS: dict[str, str] = {
    "id-card": '<rect x="2" y="5" width="20" height="14" rx="2"/><circle cx="8" cy="11" r="2.5"/>'
               '<path d="M4.5 17c.7-2 2-3 3.5-3s2.8 1 3.5 3"/><path d="M14 10h5M14 14h4"/>',
    "document": '<path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z"/>'
                '<path d="M14 2v6h6"/><path d="M8 13h8M8 17h6"/>',
    "chat": '<path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/>'
            '<path d="M8 9h8M8 13h5"/>',
    "ticket": '<path d="M3 7a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v3a2 2 0 0 0 0 4v3a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-3a2 2 0 0 0 0-4z"/>'
              '<path d="M13 5v2M13 11v2M13 17v2"/>',
    "elderly": '<circle cx="11" cy="4" r="2"/><path d="M11 7v7l-3 7"/><path d="M11 14l3 7"/>'
               '<path d="M8 10l3-2 3 3"/><path d="M17 12v9"/><path d="M14 11l3 1"/>',
    "wheelchair": '<circle cx="12" cy="4" r="2"/><path d="M12 7v6h5l2 5"/>'
                  '<path d="M12 10h4"/><path d="M9 11a5 5 0 1 0 7 6"/>',
    "baby": '<circle cx="12" cy="5" r="2.5"/><path d="M12 8c-3 0-4 3-4 6h2l1 7h2l1-7h2c0-3-1-6-4-6z"/>'
            '<path d="M15 12c2 .5 3 2 2 4"/>',
    "printer": '<path d="M6 9V2h12v7"/><rect x="2" y="9" width="20" height="9" rx="2"/>'
               '<path d="M6 14h12v8H6z"/>',
    "warning": '<path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"/>'
               '<path d="M12 9v4M12 17h.01"/>',
    "check": '<circle cx="12" cy="12" r="10"/><path d="m8 12 3 3 5-6"/>',
    "clock": '<circle cx="12" cy="12" r="10"/><path d="M12 6v6l4 2"/>',
    "people": '<circle cx="9" cy="7" r="3"/><path d="M3 21v-2a4 4 0 0 1 4-4h4a4 4 0 0 1 4 4v2"/>'
              '<path d="M16 3.5a3 3 0 0 1 0 6M21 21v-2a4 4 0 0 0-3-3.9"/>',
    "globe": '<circle cx="12" cy="12" r="10"/><path d="M2 12h20"/>'
             '<path d="M12 2a15 15 0 0 1 4 10 15 15 0 0 1-4 10 15 15 0 0 1-4-10 15 15 0 0 1 4-10z"/>',
    "building": '<path d="M3 21h18"/><path d="M5 21V9l7-5 7 5v12"/><path d="M9 21v-6h6v6"/>'
                '<path d="M9 11h.01M15 11h.01"/>',
    "back": '<path d="M19 12H5M12 19l-7-7 7-7"/>',
    "home": '<path d="m3 10 9-7 9 7v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z"/><path d="M9 22V12h6v10"/>',
    "lock": '<rect x="4" y="11" width="16" height="11" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>',
    "chart": '<path d="M3 3v18h18"/><path d="M8 17V10M13 17V6M18 17v-4"/>',
    "download": '<path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4"/><path d="m7 10 5 5 5-5M12 15V3"/>',
    "sync": '<path d="M21 12a9 9 0 0 1-15 6.7L3 16"/><path d="M3 12a9 9 0 0 1 15-6.7L21 8"/>'
            '<path d="M3 21v-5h5M21 3v5h-5"/>',
    "badge": '<rect x="5" y="2" width="14" height="20" rx="2"/><circle cx="12" cy="10" r="3"/>'
             '<path d="M9 17h6M10 5h4"/>',
    "exit": '<path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4"/><path d="m16 17 5-5-5-5M21 12H9"/>',
    # keys of the on-screen keypad and keyboard (ui/keypad.py, ui/keyboard.py)
    "backspace": '<path d="M21 4H8l-7 8 7 8h13a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2z"/>'
                 '<path d="m18 9-6 6M12 9l6 6"/>',
    "clear": '<circle cx="12" cy="12" r="10"/><path d="m15 9-6 6M9 9l6 6"/>',
    "caps": '<path d="M12 3 3 12h5v8h8v-8h5z"/>',
    "next": '<path d="M5 12h14M12 5l7 7-7 7"/>',
    "space": '<path d="M3 10v4a1 1 0 0 0 1 1h16a1 1 0 0 0 1-1v-4"/>',
}


@lru_cache(maxsize=256)
def icon_pixmap(name: str, size: int = ICON, colour: str = TEXT) -> QPixmap:
    svg = _SVG_HEAD.format(c=colour) + ICONS[name] + "</svg>"
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    ratio = 2.0
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def icon(name: str, colour: str = TEXT) -> QIcon:
    return QIcon(icon_pixmap(name, ICON, colour))


def icon_label(name: str, size: int = ICON, colour: str = TEXT) -> QLabel:
    label = QLabel()
    label.setPixmap(icon_pixmap(name, size, colour))
    label.setFixedSize(size, size)
    label.setAccessibleName(name)
    return label


# --- widgets -------------------------------------------------------------------------------
_ON = {"primary": ON_PRIMARY, "secondary": ON_SECONDARY, "priority": ON_PRIORITY,
       "success": ON_SUCCESS, "danger": ON_DANGER, "flat": TEXT}


def touch_button(text: str = "", kind: str = "primary", icon_name: str | None = None,
                 parent: QWidget | None = None) -> QPushButton:
    """A button a finger hits: at least TOUCH_MIN px both ways, large type, an icon beside
    the words when given. ``kind``: primary | secondary | priority | success | danger | flat."""
    if kind not in _ON:
        raise ValueError(f"touch_button kind {kind!r}: use one of {', '.join(_ON)}")
    button = QPushButton(text, parent)
    button.setProperty("kind", kind)
    button.setMinimumSize(max(TOUCH_MIN, BUTTON_HEIGHT), BUTTON_HEIGHT)
    button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if icon_name:
        button.setIcon(icon(icon_name, _ON[kind]))
        button.setIconSize(QSize(ICON, ICON))
    return button


def text_label(text: str = "", role: str = "body", parent: QWidget | None = None) -> QLabel:
    """A label styled by role: body | muted | large | title | huge | error."""
    label = QLabel(text, parent)
    label.setProperty("role", role)
    label.setWordWrap(role not in ("huge",))
    return label


def restyle(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property (kind, role) changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def stylesheet() -> str:
    # The window background is set on windows and page stacks only: a background rule on
    # every QWidget would make Qt paint each plain container (a screen's header row, say)
    # in the light colour, over a dark screen such as the board.
    return f"""
    QWidget {{ color: {TEXT}; font-family: "{FONT_FAMILY}", "DejaVu Sans"; font-size: {FONT_BODY}px; }}
    QMainWindow, QDialog, QStackedWidget {{ background: {BG}; }}
    QLabel {{ background: transparent; }}
    QLabel[role="muted"] {{ color: {MUTED}; font-size: {FONT_SMALL}px; }}
    QLabel[role="large"] {{ font-size: {FONT_LARGE}px; font-weight: 600; }}
    QLabel[role="title"] {{ font-size: {FONT_TITLE}px; font-weight: 700; }}
    QLabel[role="huge"] {{ font-size: {FONT_HUGE}px; font-weight: 800; color: {PRIMARY}; }}
    QLabel[role="error"] {{ color: {DANGER}; font-size: {FONT_LARGE}px; font-weight: 600; }}
    QFrame[card="true"] {{ background: {SURFACE}; border: 2px solid {BORDER}; border-radius: 16px; }}
    QFrame[card="true"] QLabel {{ background: transparent; }}
    QFrame[banner="warning"] {{ background: {WARNING_BG}; border: 2px solid {ON_WARNING};
                                border-radius: 12px; }}
    QFrame[banner="warning"] QLabel {{ color: {ON_WARNING}; background: transparent; }}
    QPushButton {{ min-height: {TOUCH_MIN}px; min-width: {TOUCH_MIN}px; border-radius: 14px;
                   padding: 8px 24px; font-size: {FONT_LARGE - 4}px; font-weight: 600;
                   border: none; }}
    QPushButton[kind="primary"] {{ background: {PRIMARY}; color: {ON_PRIMARY}; }}
    QPushButton[kind="primary"]:pressed {{ background: {PRIMARY_PRESSED}; }}
    QPushButton[kind="secondary"] {{ background: {SECONDARY}; color: {ON_SECONDARY}; }}
    QPushButton[kind="secondary"]:pressed {{ background: {BORDER}; }}
    QPushButton[kind="priority"] {{ background: {PRIORITY}; color: {ON_PRIORITY}; }}
    QPushButton[kind="success"] {{ background: {SUCCESS}; color: {ON_SUCCESS}; }}
    QPushButton[kind="danger"] {{ background: {DANGER}; color: {ON_DANGER}; }}
    QPushButton[kind="flat"] {{ background: transparent; color: {TEXT}; }}
    QPushButton:disabled {{ background: {SECONDARY}; color: {MUTED}; }}
    QLineEdit, QDateEdit, QComboBox {{ min-height: {TOUCH_MIN}px; background: {SURFACE};
                   border: 2px solid {BORDER}; border-radius: 10px; padding: 4px 12px; }}
    QTableWidget, QTableView {{ background: {SURFACE}; gridline-color: {SECONDARY};
                   font-size: {FONT_SMALL}px; }}
    QHeaderView::section {{ background: {SECONDARY}; color: {TEXT}; padding: 6px;
                   font-size: {FONT_SMALL}px; font-weight: 600; border: none; }}
    """


def apply(app: QApplication) -> None:
    """Install the font and stylesheet on the application."""
    font = QFont(FONT_FAMILY)
    font.setPixelSize(FONT_BODY)
    app.setFont(font)
    app.setStyleSheet(stylesheet())


def card(parent: QWidget | None = None) -> QFrame:
    """A white rounded panel (the stylesheet styles frames with the ``card`` property)."""
    frame = QFrame(parent)
    frame.setProperty("card", True)
    return frame


def stat_tile(parent: QWidget | None = None) -> tuple[QFrame, QLabel, QLabel]:
    """A card with one large figure over its caption (admin statistics, sync backlog)."""
    frame = card(parent)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(12, 4, 12, 4)
    layout.setSpacing(0)
    value = QLabel("\u2014")
    value.setStyleSheet(f"font-size: {FONT_LARGE + 4}px; font-weight: 800; color: {PRIMARY};")
    value.setAlignment(Qt.AlignmentFlag.AlignCenter)
    caption = QLabel()
    caption.setStyleSheet(f"font-size: {FONT_SMALL}px; color: {MUTED};")
    caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
    layout.addWidget(value)
    layout.addWidget(caption)
    return frame, value, caption
