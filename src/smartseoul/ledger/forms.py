from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartseoul.ledger import actions, queries, records
from smartseoul.ledger.models import Record

MAX_UPLOAD = 50 * 1024 * 1024


class VerifyUploadForm(forms.Form):
    file = forms.FileField(label=_("File to check"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Files up to 50 MB can be checked here."))
        return upload


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Document title"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Only its SHA-256 hash is recorded; the file is not kept."),
    )
    sha256 = forms.CharField(
        label=_("or its SHA-256 hash"), max_length=64, required=False, strip=True
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                self.add_error("file", _("Files up to 50 MB can be recorded here."))
                return data
            data["sha256"] = queries.sha256_of_upload(upload)
        elif data.get("sha256"):
            try:
                data["sha256"] = records.normalize_sha256(data["sha256"])
            except forms.ValidationError:
                self.add_error("sha256", _("Enter a SHA-256 hash: 64 hexadecimal characters."))
        else:
            self.add_error("file", _("Choose the file, or enter its SHA-256 hash."))
        return data

    def save(self, *, actor: Any) -> Record:
        profile = getattr(actor, "official_profile", None)
        return actions.document_record(
            actor=actor,
            title=self.cleaned_data["title"],
            sha256=self.cleaned_data["sha256"],
            department=profile.department.code if profile is not None else "",
        )


class VehicleInspectionForm(forms.Form):
    vehicle_number = forms.CharField(label=_("Vehicle number"), max_length=20)
    inspection_date = forms.DateField(
        label=_("Inspection date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    mileage_km = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=10_000_000)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    inspector = forms.CharField(label=_("Inspector"), max_length=100)
    place = forms.CharField(
        label=_("Place of inspection"),
        max_length=100,
        required=False,
        initial=_("Janganpyeong used-car market"),
    )

    def clean_vehicle_number(self) -> str:
        try:
            return records.normalize_vehicle_number(self.cleaned_data["vehicle_number"])
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Enter a vehicle number such as 12가3456 or 123가4567.")
            ) from None

    def clean_inspection_date(self) -> Any:
        value = self.cleaned_data["inspection_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The inspection date is in the future."))
        return value

    def save(self, *, actor: Any) -> Record:
        data = self.cleaned_data
        return actions.vehicle_inspection_record(
            actor=actor,
            vehicle_number=data["vehicle_number"],
            inspection_date=data["inspection_date"],
            mileage_km=data["mileage_km"],
            findings=data["findings"],
            inspector=data["inspector"],
            place=data["place"],
        )
