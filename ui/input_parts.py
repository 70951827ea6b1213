"""What the keypad, the on-screen keyboard and the form fields share: their one translation
context, words that come from data in two languages, the key button, the same-key bounce
guard, the message line under a field (a warning looks different from an error) and the
few key icons theme.ICONS does not have.

Why a bounce guard per key and not the 400 ms guard of ``ui.taps``: that guard drops every
tap on a screen for 400 ms after the screen *changed*, because the second half of a double
tap then lands on a different button than the person aimed at. A key that was just pressed
has not moved: a second tap on it is either the same finger bouncing on the glass (contacts
a few tens of ms apart) or a person who means the letter twice ("AA" in "SAAD", "00" in
every NIK). The fastest a person taps one key on purpose is about six times a second
(~170 ms apart; older fingers are slower), so a repeat of the *same* key within
``KEY_BOUNCE_S`` (120 ms) is dropped and anything slower is typed. Dropping repeats for 400 ms
would silently eat the second "0" of a quick "0003", and a digit that vanishes is worse than
a doubled one: the doubled digit shows in large type at once and the validator or a tap on
"Hapus" catches it. Different keys are never guarded, and a held key never repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QByteArray, QCoreApplication, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ui import i18n, taps, theme

#: The translation context of every input widget (ui/translations/input_en.ts). One context,
#: not the class name, so a screen that subclasses a field keeps its English.
CONTEXT = "input"

#: Height of a key: above theme.TOUCH_MIN, and five keyboard rows still leave room on an
#: 800 px screen for the field, its label and its message.
KEY_HEIGHT = 72
#: A second press of the same key sooner than this is a bounce, not a letter (see above).
KEY_BOUNCE_S = 0.12
#: A pale red behind error text: distinct from the amber warning banner at a glance.
ERROR_BG = "#FDECEA"
MONO_FAMILY = '"Noto Sans Mono", "DejaVu Sans Mono", monospace'

#: (what, foreground, background) pairs this module adds to theme.CONTRAST_PAIRS.
CONTRAST_PAIRS = [("error message", theme.DANGER, ERROR_BG),
                  ("warning message", theme.ON_WARNING, theme.WARNING_BG),
                  ("empty digit slot", theme.MUTED, theme.SURFACE)]

OK, WARNING, ERROR = "ok", "warning", "error"
STATES = (OK, WARNING, ERROR)


def tr(text: str, n: int = -1) -> str:
    """``text`` (Bahasa Indonesia) in the current language."""
    return QCoreApplication.translate(CONTEXT, text, None, n)


@dataclass(frozen=True)
class Bilingual:
    """Words that come from data (a letter catalogue's field label) rather than from code,
    so they cannot go through Qt's translation: both languages travel with them."""

    id: str
    en: str = ""

    def text(self) -> str:
        return self.en if i18n.current_language() == "en" and self.en else self.id


#: A label: words already translated by the caller (``self.tr(...)``) or from data.
Text = str | Bilingual


def text_of(words: Text) -> str:
    return words.text() if isinstance(words, Bilingual) else words


class KeyBounce:
    """Drops a press of the same key that comes within ``window`` seconds of the last one
    that was accepted. Reads ``ui.taps.now`` so tests step one clock for every tap guard."""

    def __init__(self, window: float = KEY_BOUNCE_S) -> None:
        self.window = window
        self._key: str | None = None
        self._at = 0.0

    def accept(self, key: str) -> bool:
        at = taps.now()
        if key == self._key and 0 <= at - self._at < self.window:
            return False   # the time of the accepted press stays: a chatter chain ends
        self._key, self._at = key, at
        return True


def key_button(text: str = "", kind: str = "secondary", font_px: int = theme.FONT_LARGE,
               icon_name: str | None = None, height: int = KEY_HEIGHT,
               width: int | None = None) -> QPushButton:
    """A key: theme.touch_button, ``height`` px tall (never under TOUCH_MIN), ``width`` px
    wide or as wide as the layout gives it, large bold type. A held key does not repeat."""
    if height < theme.TOUCH_MIN:
        raise ValueError(f"key height {height}: a key is at least theme.TOUCH_MIN "
                         f"({theme.TOUCH_MIN}) px")
    button = theme.touch_button(text, kind)
    button.setAutoRepeat(False)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    # Sizes in the style sheet: a widget's own style sheet overrides setFixedSize.
    widths = (f"min-width: {width}px; max-width: {width}px;" if width
              else f"min-width: {theme.TOUCH_MIN}px;")
    button.setStyleSheet(f"QPushButton {{ min-height: {height}px; max-height: {height}px;"
                         f" {widths} padding: 0px 6px; font-size: {font_px}px;"
                         f" font-weight: 700; }}")
    if icon_name:
        set_key_icon(button, icon_name, kind)
    return button


def set_key_icon(button: QPushButton, icon_name: str, kind: str) -> None:
    colour = {"primary": theme.ON_PRIMARY, "success": theme.ON_SUCCESS,
              "danger": theme.ON_DANGER}.get(kind, theme.TEXT)
    button.setIcon(key_icon(icon_name, colour))
    button.setIconSize(QSize(theme.ICON - 4, theme.ICON - 4))


# --- key icons (theme.ICONS, in any colour and size) ---------------------------------------


@lru_cache(maxsize=64)
def key_icon(name: str, colour: str = theme.TEXT, size: int = theme.ICON) -> QIcon:
    body = theme.ICONS[name]
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" '
           f'stroke="{colour}" stroke-width="2" stroke-linecap="round" '
           f'stroke-linejoin="round">{body}</svg>')
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    pixmap.setDevicePixelRatio(2.0)
    return QIcon(pixmap)


class MessageLine(QFrame):
    """The line under a field that says what is wrong and what to do. Three looks, told
    apart by colour *and* icon (not colour alone): an error (red on pale red, a cross: the
    person must change something), a warning (dark amber on the warning yellow, a triangle:
    worth a look, not a block) and a hint (muted, no frame). Its height is kept when it is
    empty, so a message appearing never pushes the keys away from under a finger."""

    HEIGHT = 76     # two lines of body text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageLine")
        self.setFixedHeight(self.HEIGHT)
        self.setStyleSheet(
            f"QFrame#messageLine {{ border-radius: 12px; border: 2px solid transparent; }}"
            f'QFrame#messageLine[state="error"] {{ background: {ERROR_BG};'
            f" border-color: {theme.DANGER}; }}"
            f'QFrame#messageLine[state="warning"] {{ background: {theme.WARNING_BG};'
            f" border-color: {theme.ON_WARNING}; }}"
            f'QFrame#messageLine[state="error"] QLabel {{ color: {theme.DANGER}; }}'
            f'QFrame#messageLine[state="warning"] QLabel {{ color: {theme.ON_WARNING}; }}'
            f'QFrame#messageLine[state="ok"] QLabel {{ color: {theme.MUTED}; }}')
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 4, 14, 4)
        row.setSpacing(12)
        self.icon = QLabel()
        self.icon.setFixedSize(theme.ICON, theme.ICON)
        row.addWidget(self.icon)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setStyleSheet(f"font-size: {theme.FONT_BODY}px; font-weight: 600;")
        row.addWidget(self.label, 1)
        self.show_message(OK, "")

    def show_message(self, state: str, text: str) -> None:
        if state not in STATES:
            raise ValueError(f"message state {state!r}: use one of {', '.join(STATES)}")
        self.setProperty("state", state)
        self.label.setText(text)
        icon = {ERROR: ("clear", theme.DANGER), WARNING: ("warning", theme.ON_WARNING)}.get(state)
        if icon and text:
            self.icon.setPixmap(key_icon(*icon).pixmap(theme.ICON, theme.ICON))
            self.icon.show()
        else:
            self.icon.clear()
            self.icon.hide()
        if not text:
            self.setProperty("state", OK)
        theme.restyle(self)
        for child in (self.label, self.icon):
            theme.restyle(child)
        self.setAccessibleDescription(text)

    def state(self) -> str:
        return str(self.property("state"))

    def text(self) -> str:
        return self.label.text()
