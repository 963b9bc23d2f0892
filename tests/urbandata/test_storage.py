"""The batch writer: stored once, roll-ups that add up, QC flags, late reports, quarantine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smartseoul.urbandata.actions import reports_store
from smartseoul.urbandata.models import LatestReading, QuarantinedReport, Report, Rollup, Sensor
from smartseoul.urbandata.payloads import Incoming, parse_message
from smartseoul.urbandata.queries import series

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 10:00 in Seoul


def store(*reports: Incoming) -> tuple[int, int, int]:
    result = reports_store(
        incoming=list(reports), rejected=[], source="http", now=T0 + timedelta(hours=1)
    )
    return result.stored, result.duplicates, result.quarantined


def rollup(scope: str, key: str, quantity: str, granularity: str = "h") -> Rollup:
    return Rollup.objects.get(scope=scope, key=key, quantity=quantity, granularity=granularity)


def test_reports_roll_up_per_sensor_neighbourhood_and_district(sensors: dict[str, Sensor]) -> None:
    mapo1, mapo2 = sensors["SDOT-MAPO-1"], sensors["SDOT-MAPO-2"]
    assert store(
        Incoming(mapo1.serial, T0, {"pm10": 40.0, "temperature": 5.0}),
        Incoming(mapo1.serial, T0 + timedelta(minutes=2), {"pm10": 60.0}),
        Incoming(mapo2.serial, T0, {"pm10": 20.0}),
    ) == (3, 0, 0)
    district = rollup("d", "11440", "pm10")
    assert (district.count, district.average, district.minimum, district.maximum) == (
        3,
        40.0,
        20.0,
        60.0,
    )
    # A sensor's open hour is summed from its raw reports until the hour is rolled up.
    hourly = series(
        scope="s",
        key=str(mapo1.pk),
        quantity="pm10",
        interval="hour",
        agg="avg",
        start=T0,
        end=T0 + timedelta(hours=1),
    )
    assert [(p.value, p.count) for p in hourly] == [(50.0, 2)]
    assert rollup("n", mapo1.neighbourhood_id, "pm10", "d").count >= 1
    # The Seoul day of 10:00 KST began at 15:00 UTC the day before.
    assert rollup("d", "11440", "pm10", "d").bucket == datetime(2026, 11, 19, 15, tzinfo=UTC)


def test_the_same_report_twice_is_stored_and_counted_once(sensors: dict[str, Sensor]) -> None:
    report = Incoming("SDOT-JONGNO-1", T0, {"pm10": 33.0})
    assert store(report) == (1, 0, 0)
    assert store(report, report) == (0, 2, 0)
    assert Report.objects.count() == 1
    assert rollup("d", "11110", "pm10").count == 1


def test_calibration_is_applied_and_the_raw_value_kept(sensors: dict[str, Sensor]) -> None:
    sensor = sensors["SDOT-GANGNAM-1"]
    sensor.calibration = {"pm10": {"scale": 1.1, "offset": -2}}
    sensor.save()
    store(Incoming(sensor.serial, T0, {"pm10": 50.0}))
    report = Report.objects.get(sensor=sensor)
    assert report.raw == {"pm10": 50.0}
    assert report.values == {"pm10": 53.0}
    assert rollup("d", "11680", "pm10").total == 53.0


def test_out_of_range_and_spikes_are_flagged_and_left_out_of_rollups(
    sensors: dict[str, Sensor],
) -> None:
    serial = "SDOT-JONGNO-1"
    store(
        Incoming(serial, T0, {"pm10": 30.0, "humidity": 140.0}),
        Incoming(serial, T0 + timedelta(minutes=2), {"pm10": 900.0}),
        Incoming(serial, T0 + timedelta(minutes=4), {"pm10": 34.0}),
    )
    flags = [r.flags for r in Report.objects.order_by("measured_at")]
    assert flags == [{"humidity": ["range"]}, {"pm10": ["spike"]}, {}]
    assert not Rollup.objects.filter(quantity="humidity").exists()
    assert rollup("d", "11110", "pm10").maximum == 34.0


def test_after_a_silence_a_large_change_is_no_spike(sensors: dict[str, Sensor]) -> None:
    serial = "SDOT-JONGNO-1"
    start = T0 - timedelta(hours=4)
    store(
        Incoming(serial, start, {"temperature": 12.0}),
        # Three hours without a report (a power cut), then a cold front has passed.
        Incoming(serial, start + timedelta(hours=3), {"temperature": 1.0}),
        Incoming(serial, start + timedelta(hours=3, minutes=2), {"temperature": 12.0}),
    )
    flags = [r.flags for r in Report.objects.order_by("measured_at")]
    assert flags == [{}, {}, {"temperature": ["spike"]}]


def test_a_stuck_value_is_flagged_after_an_hour_of_repeats(sensors: dict[str, Sensor]) -> None:
    serial = "SDOT-JONGNO-1"
    store(*(Incoming(serial, T0 + timedelta(minutes=2 * i), {"noise": 55.5}) for i in range(31)))
    stuck = Report.objects.filter(flags__noise=["stuck"]).count()
    assert stuck == 2  # the 30th and 31st identical value


def test_a_late_report_counts_in_its_own_hour_but_not_as_latest(sensors: dict[str, Sensor]) -> None:
    serial = "SDOT-MAPO-1"
    store(Incoming(serial, T0 + timedelta(hours=1), {"pm10": 10.0}))
    store(Incoming(serial, T0, {"pm10": 90.0}))
    late = Report.objects.get(measured_at=T0)
    assert late.flags == {"report": ["late"]}
    hourly = Rollup.objects.filter(scope="d", key="11440", quantity="pm10", granularity="h")
    assert {(r.bucket, r.average) for r in hourly} == {(T0, 90.0), (T0 + timedelta(hours=1), 10.0)}
    latest = LatestReading.objects.get(sensor=sensors[serial])
    assert latest.measured_at == T0 + timedelta(hours=1)
    assert latest.values["pm10"] == 10.0


def test_apparent_temperature_is_derived_from_temperature_and_humidity(
    sensors: dict[str, Sensor],
) -> None:
    store(Incoming("SDOT-MAPO-1", T0, {"temperature": 33.0, "humidity": 70.0}))
    derived = Report.objects.get().values["apparent_temperature"]
    assert 34 < derived < 37  # muggy 33 °C feels hotter


def test_bad_reports_are_quarantined_with_the_reason(sensors: dict[str, Sensor]) -> None:
    good, bad = parse_message(
        b'{"reports": [{"serial": "SDOT-MAPO-1", "measured_at": "2026-11-20T10:00:00+09:00",'
        b' "values": {"pm10": 12}}, {"serial": "SDOT-MAPO-1", "measured_at": "yesterday",'
        b' "values": {"pm10": 1}}, {"serial": "NOPE", "measured_at": "2026-11-20T01:00:00Z",'
        b' "values": {"pm10": 1}}, {"serial": "SDOT-MAPO-2",'
        b' "measured_at": "2026-11-20T01:00:00Z", "values": {"radiation": 1}}]}'
    )
    result = reports_store(
        incoming=good, rejected=bad, source="mqtt", topic="t", now=T0 + timedelta(hours=1)
    )
    assert (result.stored, result.quarantined) == (1, 3)
    reasons = sorted(QuarantinedReport.objects.values_list("reason", flat=True))
    assert reasons[0].startswith("measured_at is not an ISO 8601 time")
    assert reasons[1] == "the sensor's model does not measure radiation"
    assert reasons[2] == "unknown sensor 'NOPE'"


def test_not_json_is_quarantined(db: None) -> None:
    good, bad = parse_message(b"\x00garbage")
    reports_store(incoming=good, rejected=bad, source="mqtt")
    assert QuarantinedReport.objects.get().reason.startswith("not JSON")
