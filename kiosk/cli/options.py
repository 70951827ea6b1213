"""Option types shared by the commands, so every bad value is refused by click with a
one-line usage error (exit code 2) naming the option, before anything is opened."""

from __future__ import annotations

import ipaddress
import math

import click

#: Every TCP port option: 0 and 70000 are refused instead of being silently replaced.
PORT = click.IntRange(1, 65535)


class Seconds(click.ParamType):
    """A finite number of seconds within [low, high]; nan and inf are refused (click's
    FloatRange lets nan through, since every comparison with nan is false)."""

    name = "seconds"

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def convert(self, value, param, ctx) -> float:
        if isinstance(value, float):
            number = value
        else:
            try:
                number = float(value)
            except (TypeError, ValueError):
                self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail(f"{value!r} must be a number of seconds from {self.low:g} to {self.high:g}",
                      param, ctx)
        return number


class IPv4(click.ParamType):
    """An IPv4 address such as 192.168.1.10 (an interface of this machine)."""

    name = "ipv4"

    def convert(self, value, param, ctx) -> str:
        try:
            return str(ipaddress.IPv4Address(str(value)))
        except ValueError:
            self.fail(f"{value!r} is not an IPv4 address such as 192.168.1.10", param, ctx)


class Failure(click.ClickException):
    """A command that cannot do its job: one line on stderr, exit code 2 like a usage error."""

    exit_code = 2
