"""Liveness: the head-turn challenge ("Tolong tengok ke kiri") checked on YuNet's 5 landmarks.

A photo or a screen held up to the camera does not turn its head when asked, and the
direction is chosen at random by the edge, so a prepared clip has one chance in two.
A challenge passes only when the face is first seen frontal and then turns past a
threshold in the asked direction, for ``HOLD_FRAMES`` frames in a row, before the timeout.

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
            return self.state
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
