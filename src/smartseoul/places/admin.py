from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from smartseoul.places.models import District, Neighbourhood


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Boundaries come from the packaged data (loaded by a migration), not from hand edits."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(District)
class DistrictAdmin(_ReadOnlyAdmin):
    list_display = ["code", "name_ko", "name_en", "centroid_lat", "centroid_lon"]
    # Also what autocomplete fields pointing at a district (e.g. departments) search.
    search_fields = ["code", "name_ko", "name_en"]
    # The boundary is a large GeoJSON document: not worth rendering on every detail page.
    exclude = ["boundary"]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(_ReadOnlyAdmin):
    list_display = ["code", "name_ko", "name_en", "district"]
    list_filter = ["district"]
    list_select_related = ["district"]
    search_fields = ["code", "name_ko", "name_en", "district__name_ko", "district__name_en"]
    exclude = ["boundary"]
