"""Liveness: the head-turn challenge ("Tolong tengok ke kiri") checked on YuNet's 5 landmarks.

A photo or a screen held up to the camera does not turn its head when asked, and the
direction is chosen at random by the edge, so a prepared clip has one chance in two.
A challenge passes only when the face is first seen frontal and then turns past a
threshold in the asked direction, for ``HOLD_FRAMES`` frames in a row, before the timeout,
and stays one face throughout (no jump of its box, not lost for several frames).

Direction convention: "left" and "right" are the PERSON's own left and right, as the words
on the screen mean them ("tengok ke kiri" = look to your left). On an un-mirrored camera
picture the person's left is the image's right side, so turning to the left moves the nose
tip towards the left eye, i.e. to larger x. ``yaw`` measures this along the eye line, so it
does not depend on the camera being upright or on which side of the picture is which:

    yaw = ((nose - eyes' midpoint) . (left eye - right eye)) / |left eye - right eye|^2

0 = frontal; positive = turned to the person's left, negative = to the person's right;
about 0.4 * tan(head angle), so 0.28 is roughly 35 degrees. Frames must be the camera's
own (not the mirrored preview): YuNet names the eyes by the person's side.

Only the 5-point landmarks are used (dlib's 68-point model is non-commercial: not used).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from devices.face.engine import Face

DIRECTIONS = ("left", "right")
#: |yaw| at most this = looking at the camera.
FRONTAL_MAX = 0.15
#: yaw at least this in the asked direction = turned.
TURNED_MIN = 0.28
#: Frames in a row beyond TURNED_MIN: one noisy landmark is not a turn.
HOLD_FRAMES = 2
#: The face must stay the same face from frontal to turned: a box whose centre jumps more
#: than this many box widths between two looks, or whose area changes more than JUMP_AREA
#: times, or a face lost for LOST_FRAMES looks in a row, starts the challenge's track over
#: (it must be seen frontal again). Otherwise a photo shown frontal and a live accomplice
#: turning could pass together.
JUMP_WIDTHS = 0.6
JUMP_AREA = 2.0
LOST_FRAMES = 3

WAITING, PASSED, FAILED = "waiting", "passed", "failed"


def yaw(face: Face) -> float:
    """The head's turn from the landmarks: 0 frontal, + to the person's left, - right."""
    (rx, ry), (lx, ly), (nx, ny) = face.landmarks[0], face.landmarks[1], face.landmarks[2]
    ex, ey = lx - rx, ly - ry
    span = ex * ex + ey * ey
    if span <= 1e-6:
        return 0.0
    mx, my = (rx + lx) / 2, (ry + ly) / 2
    return ((nx - mx) * ex + (ny - my) * ey) / span


def is_frontal(face: Face) -> bool:
    return abs(yaw(face)) <= FRONTAL_MAX


class HeadTurn:
    """One challenge; feed it the largest face of each frame (None when there is none)."""

    def __init__(self, direction: str, *, timeout_s: float = 6.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'left' or 'right', got {direction!r}")
        self.direction = direction
        self.timeout_s = timeout_s
        self._monotonic = monotonic
        self._started = monotonic()
        self._sign = 1.0 if direction == "left" else -1.0
        self.seen_frontal = False
        self._turned_frames = 0
        self._last: Face | None = None
        self._lost = 0
        self.state = WAITING
        #: the last yaw seen (for the screen's hint and for the log)
        self.last_yaw: float | None = None

    def expired(self) -> str:
        """The state with no new picture to look at: ``failed`` once the time is up (a
        camera that stopped sending pictures cannot pass the challenge by waiting)."""
        if self.state == WAITING and self._monotonic() - self._started > self.timeout_s:
            self.state = FAILED
        return self.state

    def feed(self, face: Face | None) -> str:
        """``waiting`` | ``passed`` | ``failed`` (the timeout passed without the turn).
        Once passed or failed, it stays so."""
        if self.expired() != WAITING:
            return self.state
        if face is None:
            self._turned_frames = 0
            self._lost += 1
            if self._lost >= LOST_FRAMES:
                self._start_over()
            return self.state
        self._lost = 0
        if self._last is not None and _jumped(self._last, face):
            self._start_over()
        self._last = face
        turn = yaw(face)
        self.last_yaw = turn
        if abs(turn) <= FRONTAL_MAX:
            self.seen_frontal = True
            self._turned_frames = 0
        elif self.seen_frontal and turn * self._sign >= TURNED_MIN:
            self._turned_frames += 1
            if self._turned_frames >= HOLD_FRAMES:
                self.state = PASSED
        else:
            self._turned_frames = 0
        return self.state

    def _start_over(self) -> None:
        """Another face (or none for a while): it must be seen frontal again."""
        self.seen_frontal = False
        self._turned_frames = 0
        self._last = None


def _jumped(before: Face, after: Face) -> bool:
    """Not plausibly the same head one look later."""
    bx, by, bw, bh = before.box
    ax, ay, aw, ah = after.box
    moved = ((ax + aw / 2 - bx - bw / 2) ** 2 + (ay + ah / 2 - by - bh / 2) ** 2) ** 0.5
    ratio = (aw * ah) / max(1, bw * bh)
    return moved > JUMP_WIDTHS * max(bw, aw) or not 1 / JUMP_AREA <= ratio <= JUMP_AREA
