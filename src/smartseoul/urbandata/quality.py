"""Quality control of one sensor's values: range, spike, stuck value, calibration.

Raw values are always kept; the *corrected* value is ``raw * scale + offset`` and is None
when a check refused it, so roll-ups and alerts only see believable numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

# This many consecutive identical raw values (an hour at 2-minute reports) mark a stuck sensor.
STUCK_REPEATS = 30


@dataclass(slots=True)
class SensorState:
    """What QC remembers between reports: the last corrected values and repeat counters."""

    values: dict[str, float | None] = field(default_factory=dict)
    # quantity -> [last raw value, how many times in a row]
    repeats: dict[str, list[float]] = field(default_factory=dict)


@dataclass(slots=True)
class Checked:
    values: dict[str, float | None]
    flags: dict[str, list[str]]


# id(quantities) -> (quantities, {name: (low, high, max_step)}): a model's limits as floats,
# worked out once per model rather than once per value (QC runs 100,000 times a second).
_LIMITS: dict[int, tuple[dict[str, Any], dict[str, tuple[float, float, float | None]]]] = {}


def _limits(quantities: dict[str, dict[str, Any]]) -> dict[str, tuple[float, float, float | None]]:
    cached = _LIMITS.get(id(quantities))
    if cached is not None and cached[0] is quantities:
        return cached[1]
    limits = {
        name: (
            float(spec.get("min", -math.inf)),
            float(spec.get("max", math.inf)),
            None if spec.get("max_step") is None else float(spec["max_step"]),
        )
        for name, spec in quantities.items()
    }
    if len(_LIMITS) > 1000:
        _LIMITS.clear()
    _LIMITS[id(quantities)] = (quantities, limits)
    return limits


def check(
    *,
    raw: dict[str, float],
    quantities: dict[str, dict[str, Any]],
    calibration: dict[str, dict[str, float]],
    state: SensorState | None,
) -> Checked:
    """QC one report.  ``state`` is the sensor's state before it, or None for a late report
    (older than the newest stored one: no spike/stuck checks, and the state does not move)."""
    limits = _limits(quantities)
    values: dict[str, float | None] = {}
    flags: dict[str, list[str]] = {}
    for name, value in raw.items():
        low, high, max_step = limits[name]
        factors = calibration.get(name) if calibration else None
        if factors:
            corrected = value * float(factors.get("scale", 1.0)) + float(factors.get("offset", 0.0))
        else:
            corrected = value
        problems: list[str] = []
        if not low <= value <= high:
            problems.append("range")
        if state is not None:
            previous = state.values.get(name)
            if (
                previous is not None
                and max_step is not None
                and abs(corrected - previous) > max_step
            ):
                problems.append("spike")
            last = state.repeats.get(name)
            repeats = int(last[1]) + 1 if last is not None and last[0] == value else 1
            state.repeats[name] = [value, repeats]
            if repeats >= STUCK_REPEATS:
                problems.append("stuck")
        if problems:
            flags[name] = problems
            values[name] = None
        else:
            values[name] = round(corrected, 4)
        # A spike is compared with the last good value, not with the spike itself.
        if state is not None and "range" not in problems and "spike" not in problems:
            state.values[name] = values[name] if values[name] is not None else corrected
    derived = apparent_temperature(values.get("temperature"), values.get("humidity"))
    if derived is not None:
        values["apparent_temperature"] = derived
    return Checked(values, flags)


def apparent_temperature(temperature: float | None, humidity: float | None) -> float | None:
    """KMA's summer apparent temperature (체감온도) from air temperature and humidity.

    Wet-bulb temperature by Stull (2011), then the KMA formula used for heat-wave advisories.
    """
    if temperature is None or humidity is None:
        return None
    ta, rh = temperature, max(0.0, min(100.0, humidity))
    tw = (
        ta * math.atan(0.151977 * math.sqrt(rh + 8.313659))
        + math.atan(ta + rh)
        - math.atan(rh - 1.67633)
        + 0.00391838 * rh**1.5 * math.atan(0.023101 * rh)
        - 4.686035
    )
    value = -0.2442 + 0.55399 * tw + 0.45535 * ta - 0.0022 * tw * tw + 0.00278 * tw * ta + 3.0
    return round(float(value), 2)
