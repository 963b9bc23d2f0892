"""The demo catalogue: 30+ datasets over all ten categories, every table loaded and mappable."""

from __future__ import annotations

from django.test import Client

from smartseoul.opendata.demo import opendata_demo_load
from smartseoul.opendata.models import Category, Dataset, ResourceVersion


def test_demo_loads_thirty_datasets_in_every_category(departments: None, client: Client) -> None:
    opendata_demo_load()
    opendata_demo_load()  # idempotent
    assert Dataset.objects.count() >= 30
    assert set(Dataset.objects.values_list("category", flat=True)) == set(Category.values)
    assert not ResourceVersion.objects.exclude(status=ResourceVersion.Status.READY).exists()
    wifi = client.get("/openapi/sample/json/TbPublicWifiInfo/1/5/").json()
    assert len(wifi["TbPublicWifiInfo"]["row"]) == 5
    library = Dataset.objects.get(name="libraries").resources.get().current_version()
    assert library is not None
    assert library.encoding == "cp949"
    population = Dataset.objects.get(name="population-by-neighbourhood").resources.get()
    features = client.get(f"/data/resource/{population.pk}/map.geojson").json()["features"]
    assert len(features) > 400
