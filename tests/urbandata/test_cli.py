"""`smartseoul sensors import` on a fresh installation: the built-in model is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartseoul.urbandata.cli import sensors_main
from smartseoul.urbandata.models import Sensor


@pytest.mark.django_db
def test_import_registers_sensors_against_the_builtin_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "sensors.csv"
    csv.write_text(
        "serial,model,lat,lon,installed_at,note\n"
        "SDOT-1,sdot-multi,37.5720,126.9769,2026-01-01T00:00:00+09:00,광화문\n",
        encoding="utf-8",
    )
    assert sensors_main(["import", str(csv)]) == 0
    assert "1 sensors registered" in capsys.readouterr().out
    sensor = Sensor.objects.get()
    assert (sensor.district_id, sensor.note) == ("11110", "광화문")

    csv.write_text("serial,model\nX,nope\n", encoding="utf-8")
    assert sensors_main(["import", str(csv)]) == 1
    assert "빠진 열: lat, lon, installed_at" in capsys.readouterr().err  # Korean by default
