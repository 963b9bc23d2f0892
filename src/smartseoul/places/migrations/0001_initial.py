from __future__ import annotations

from typing import Any

from django.db import migrations, models
from shapely.geometry import shape


def load_boundaries(apps: Any, schema_editor: Any) -> None:
    from smartseoul.places.boundaries import district_features, neighbourhood_features

    District = apps.get_model("places", "District")
    Neighbourhood = apps.get_model("places", "Neighbourhood")
    districts = []
    for feature in district_features():
        props, point = feature["properties"], shape(feature["geometry"]).representative_point()
        districts.append(
            District(
                code=props["SIG_CD"],
                name_ko=props["SIG_KOR_NM"],
                name_en=props["SIG_ENG_NM"],
                boundary=feature["geometry"],
                centroid_lat=round(point.y, 6),
                centroid_lon=round(point.x, 6),
            )
        )
    District.objects.bulk_create(districts)
    neighbourhoods = []
    for feature in neighbourhood_features():
        props, point = feature["properties"], shape(feature["geometry"]).representative_point()
        neighbourhoods.append(
            Neighbourhood(
                code=props["EMD_CD"],
                district_id=props["EMD_CD"][:5],
                name_ko=props["EMD_KOR_NM"],
                name_en=props["EMD_ENG_NM"],
                boundary=feature["geometry"],
                centroid_lat=round(point.y, 6),
                centroid_lon=round(point.x, 6),
            )
        )
    Neighbourhood.objects.bulk_create(neighbourhoods, batch_size=100)


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="District",
            fields=[
                (
                    "code",
                    models.CharField(
                        max_length=5, primary_key=True, serialize=False, verbose_name="code"
                    ),
                ),
                ("name_ko", models.CharField(max_length=50, verbose_name="Korean name")),
                ("name_en", models.CharField(max_length=50, verbose_name="English name")),
                ("boundary", models.JSONField(verbose_name="boundary (GeoJSON geometry)")),
                ("centroid_lat", models.FloatField()),
                ("centroid_lon", models.FloatField()),
            ],
            options={
                "verbose_name": "district",
                "verbose_name_plural": "districts",
                "ordering": ["name_ko"],
            },
        ),
        migrations.CreateModel(
            name="Neighbourhood",
            fields=[
                (
                    "code",
                    models.CharField(
                        max_length=8, primary_key=True, serialize=False, verbose_name="code"
                    ),
                ),
                ("name_ko", models.CharField(max_length=50, verbose_name="Korean name")),
                ("name_en", models.CharField(max_length=50, verbose_name="English name")),
                ("boundary", models.JSONField(verbose_name="boundary (GeoJSON geometry)")),
                ("centroid_lat", models.FloatField()),
                ("centroid_lon", models.FloatField()),
                (
                    "district",
                    models.ForeignKey(
                        on_delete=models.deletion.PROTECT,
                        related_name="neighbourhoods",
                        to="places.district",
                        verbose_name="district",
                    ),
                ),
            ],
            options={
                "verbose_name": "neighbourhood",
                "verbose_name_plural": "neighbourhoods",
                "ordering": ["district_id", "name_ko"],
            },
        ),
        migrations.RunPython(load_boundaries, migrations.RunPython.noop),
    ]
