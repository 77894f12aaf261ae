"""Faults on demand: latency, 5xx, 429 with Retry-After, connection resets, broken bodies.

A fault spec is a ``;``-separated list of rules; each rule is ``KIND=VALUE[:retry=N]`` with an
optional ``@ROUTE`` (a glob on the path, optionally preceded by a method)::

    latency=200ms                     every request waits 200 ms
    latency=50-400ms@/v3/tasks*       50–400 ms on task routes only
    500=0.1                           10 % of requests answer 500 (also 502, 503)
    429=0.05:retry=3                  5 % answer 429 with Retry-After: 3
    reset=0.02                        2 % lose the connection mid-answer
    truncate=0.02@GET /v3/sources*    2 % of source lists are cut short (invalid JSON)
    malformed=0.02                    2 % answer 200 with a body that is not JSON

Rates are probabilities 0–1, drawn from a seeded random stream, so a run is repeatable.
"""

from __future__ import annotations

import fnmatch
import random
import re
from dataclasses import dataclass

KINDS = ("latency", "500", "502", "503", "429", "reset", "truncate", "malformed")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$")


class FaultSpecError(ValueError):
    """A fault spec that cannot be parsed; the message says which rule and why."""


@dataclass(frozen=True)
class FaultRule:
    kind: str
    rate: float = 0.0
    """Probability for error kinds; unused for latency."""
    latency_ms: tuple[float, float] = (0.0, 0.0)
    retry_after: int = 1
    method: str | None = None
    route: str = "*"

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.route)

    def describe(self) -> str:
        scope = "" if self.route == "*" and not self.method else (
            "@" + (f"{self.method} " if self.method else "") + self.route)
        if self.kind == "latency":
            lo, hi = self.latency_ms
            value = f"{lo:g}ms" if lo == hi else f"{lo:g}-{hi:g}ms"
        else:
            value = f"{self.rate:g}" + (f":retry={self.retry_after}" if self.kind == "429" else "")
        return f"{self.kind}={value}{scope}"


def _duration_ms(text: str, rule: str) -> float:
    m = _DURATION.match(text.strip())
    if not m:
        raise FaultSpecError(f"{rule!r}: {text!r} is not a duration like 200ms or 1.5s")
    value = float(m.group(1))
    return value * 1000 if m.group(2) == "s" else value


def parse_faults(spec: str | None) -> tuple[FaultRule, ...]:
    """Parse a fault spec (see the module doc); empty or None means no faults."""
    rules: list[FaultRule] = []
    for raw in (spec or "").split(";"):
        rule_text = raw.strip()
        if not rule_text:
            continue
        body, _, scope = rule_text.partition("@")
        method = None
        route = "*"
        if scope:
            parts = scope.strip().split(None, 1)
            if len(parts) == 2:
                method, route = parts[0].upper(), parts[1]
            else:
                route = parts[0]
            if not route.startswith("/") and route != "*":
                raise FaultSpecError(f"{rule_text!r}: the route must start with / (got {route!r})")
        kind, eq, value = body.partition("=")
        kind = kind.strip().lower()
        if not eq or kind not in KINDS:
            raise FaultSpecError(f"{rule_text!r}: expected KIND=VALUE with KIND one of {', '.join(KINDS)}")
        value, _, opts = value.partition(":")
        if kind == "latency":
            lo_text, dash, hi_text = value.partition("-")
            if dash:
                unit = "s" if hi_text.strip().endswith("s") and not hi_text.strip().endswith("ms") else "ms"
                lo_text = lo_text if lo_text.strip().endswith(("s", "ms")) else lo_text + unit
                lo, hi = _duration_ms(lo_text, rule_text), _duration_ms(hi_text, rule_text)
            else:
                lo = hi = _duration_ms(value, rule_text)
            if hi < lo or hi > 120_000:
                raise FaultSpecError(f"{rule_text!r}: latency must be 0–120 s, low before high")
            rules.append(FaultRule("latency", latency_ms=(lo, hi), method=method, route=route))
            continue
        try:
            rate = float(value)
        except ValueError:
            raise FaultSpecError(f"{rule_text!r}: {value!r} is not a rate between 0 and 1") from None
        if not 0.0 <= rate <= 1.0:
            raise FaultSpecError(f"{rule_text!r}: the rate must be between 0 and 1")
        retry = 1
        if opts:
            key, _, opt_value = opts.partition("=")
            if key.strip() != "retry" or kind != "429":
                raise FaultSpecError(f"{rule_text!r}: only 429 takes an option (retry=SECONDS)")
            try:
                retry = int(opt_value)
            except ValueError:
                raise FaultSpecError(f"{rule_text!r}: retry must be whole seconds") from None
            if not 0 <= retry <= 3600:
                raise FaultSpecError(f"{rule_text!r}: retry must be 0–3600 seconds")
        rules.append(FaultRule(kind, rate=rate, retry_after=retry, method=method, route=route))
    return tuple(rules)


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one request."""

    delay_ms: float = 0.0
    status: int | None = None
    retry_after: int | None = None
    reset: bool = False
    truncate: bool = False
    malformed: bool = False


class FaultInjector:
    """Holds the rules in force and decides, request by request, what goes wrong."""

    def __init__(self, spec: str | None = None, seed: int = 0) -> None:
        self.rules = parse_faults(spec)
        self._rng = random.Random(seed ^ 0xFA017)
        self.injected: dict[str, int] = {}

    @property
    def spec(self) -> str:
        return ";".join(r.describe() for r in self.rules)

    def set(self, spec: str | None) -> None:
        self.rules = parse_faults(spec)

    def decide(self, method: str, path: str) -> FaultDecision:
        if not self.rules:
            return FaultDecision()
        delay = 0.0
        outcome: dict[str, object] = {}
        for rule in self.rules:
            if not rule.matches(method, path):
                continue
            if rule.kind == "latency":
                lo, hi = rule.latency_ms
                delay += lo if lo == hi else self._rng.uniform(lo, hi)
                continue
            if outcome or self._rng.random() >= rule.rate:
                continue
            self.injected[rule.kind] = self.injected.get(rule.kind, 0) + 1
            if rule.kind in ("500", "502", "503"):
                outcome = {"status": int(rule.kind)}
            elif rule.kind == "429":
                outcome = {"status": 429, "retry_after": rule.retry_after}
            else:
                outcome = {rule.kind: True}
        return FaultDecision(delay_ms=delay, **outcome)  # type: ignore[arg-type]
