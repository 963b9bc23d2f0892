from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []  # type: ignore[var-annotated]

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
    ]
