from __future__ import annotations

from django.apps import AppConfig


class UrbandataConfig(AppConfig):
    name = "smartseoul.urbandata"
    label = "urbandata"
