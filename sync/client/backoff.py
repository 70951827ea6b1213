"""Retry delays: exponential backoff with full jitter (AWS Architecture Blog, "Exponential
Backoff and Jitter"): ``random(0, min(cap, base * 2**attempt))``. Full jitter spreads a
city's worth of kiosks that lost the link at the same moment, so they do not all come back
at the same second. A server's ``Retry-After`` is a floor; the cap (10 min) bounds both.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

CAP_S = 600.0


@dataclass
class Backoff:
    base_s: float = 1.0
    cap_s: float = CAP_S
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        ceiling = min(self.cap_s, self.base_s * 2 ** min(self.attempt, 30))
        delay = self.rng.uniform(0, ceiling)
        if retry_after is not None:
            delay = max(delay, min(float(retry_after), self.cap_s))
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0
