"""How fast is point → district/neighbourhood lookup?  `uv run python -m benchmarks.places`

Prints JSON: the one-off index build time, then per-lookup timings over random points in
Seoul's bounding box (about half fall outside Seoul's polygons) and over a few known points.
Needs no database and no Django settings: the index is built from the packaged GeoJSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Sequence

from smartseoul.places import lookup as lookup_module
from smartseoul.places.boundaries import district_features, neighbourhood_features

# Seoul's bounding box (from the packaged boundaries), rounded outwards.
LAT_RANGE = (37.42, 37.71)
LON_RANGE = (126.76, 127.19)

KNOWN_POINTS = {
    "city_hall": (37.5665, 126.9780),
    "coex": (37.5116, 127.0592),
    "gap_in_guro": (37.490194, 126.87249),
    "incheon_airport": (37.4602, 126.4407),
    "busan": (35.1796, 129.0756),
}


def _timed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1e3


def _timings_us(points: Sequence[tuple[float, float]]) -> list[float]:
    lookup = lookup_module.lookup
    clock = time.perf_counter_ns
    timings = []
    for lat, lon in points:
        started = clock()
        lookup(lat, lon)
        timings.append((clock() - started) / 1e3)
    return timings


def _summary(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    mean = statistics.fmean(ordered)
    return {
        "lookups": len(ordered),
        "lookups_per_second": round(1e6 / mean),
        "mean_us": round(mean, 2),
        "p50_us": round(ordered[len(ordered) // 2], 2),
        "p99_us": round(ordered[int(len(ordered) * 0.99)], 2),
        "max_us": round(ordered[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20_250_101)
    args = parser.parse_args()

    geojson_ms = _timed_ms(lambda: (district_features(), neighbourhood_features()))
    build_ms = _timed_ms(lookup_module.index)

    rng = random.Random(args.seed)
    points = [(rng.uniform(*LAT_RANGE), rng.uniform(*LON_RANGE)) for _ in range(args.points)]
    _timings_us(points[:2_000])  # warm-up: caches, branch predictors, lazy allocations
    random_timings = _timings_us(points)
    places = [lookup_module.lookup(lat, lon) for lat, lon in points]
    inside = [p for p in places if p is not None]

    known = {name: _summary(_timings_us([point] * 10_000)) for name, point in KNOWN_POINTS.items()}
    print(
        json.dumps(
            {
                "benchmark": "places.lookup",
                "geojson_load_ms": round(geojson_ms, 1),
                "index_build_ms": round(build_ms, 1),
                "random_points_in_bounding_box": {
                    **_summary(random_timings),
                    "inside_seoul_share": round(len(inside) / len(places), 3),
                    "district_only_share": round(
                        sum(p.neighbourhood_code is None for p in inside) / len(places), 5
                    ),
                },
                "known_points": known,
            },
            indent=2,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
