from __future__ import annotations

from django.contrib import admin

from smartseoul.complaints.models import Category, Report, ResponseTemplate


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["code", "name_ko", "name_en", "processing_days", "anonymous_allowed", "active"]
    list_editable = ["processing_days", "anonymous_allowed", "active"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin[ResponseTemplate]):
    list_display = ["title", "status", "department"]
    list_filter = ["department"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    """Read-only: reports change only through the workspace's audited actions."""

    list_display = ["public_id", "category", "district", "status", "due_date", "received_at"]
    list_filter = ["status", "category"]
    search_fields = ["public_id"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
