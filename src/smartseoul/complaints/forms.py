from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartseoul.accounts.models import Department, User
from smartseoul.complaints.models import DETAILS_MAX_CHARS, Category, Report, ResponseTemplate


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(active=True),
        to_field_name="code",
        label=_("What is the problem?"),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    # Set by the map, the device position or the address search; without JavaScript the
    # typed address alone is geocoded when the form is sent.
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180, required=False)
    address = forms.CharField(label=_("Address or place name"), max_length=300, required=False)
    details = forms.CharField(
        label=_("Details"),
        max_length=DETAILS_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": DETAILS_MAX_CHARS}),
    )
    anonymous = forms.BooleanField(label=_("Send without my name"), required=False)

    def clean(self) -> dict[str, Any]:
        from smartseoul.complaints.geocode import geocode

        data = super().clean() or {}
        if data.get("lat") is None or data.get("lon") is None:
            address = (data.get("address") or "").strip()
            found = geocode(address) if address else None
            if found is not None:
                data["lat"], data["lon"] = found.lat, found.lon
            elif address:
                self.add_error("address", _("We could not find this address in Seoul."))
            else:
                self.add_error(
                    "address",
                    _("Mark the place on the map, use your position or type an address."),
                )
        return data


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("How good was the answer?"),
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Report.Status.choices)
    template = forms.ModelChoiceField(
        label=_("Response template"), queryset=ResponseTemplate.objects.all(), required=False
    )
    public_note = forms.CharField(
        label=_("Note for the citizen (public)"), widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )  # fmt: skip
    duplicate_of = forms.CharField(
        label=_("Duplicate of report (ID)"), max_length=12, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        template = data.get("template")
        if template is not None and not data.get("public_note"):
            data["public_note"] = template.body
        if not data.get("public_note"):
            self.add_error("public_note", _("Write a note for the citizen or choose a template."))
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, colleagues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = colleagues  # type: ignore[attr-defined]
        self.fields["assignee"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]


class TransferForm(forms.Form):
    to_department = forms.ModelChoiceField(
        label=_("Transfer to"), queryset=Department.objects.order_by("kind", "name_ko")
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendForm(forms.Form):
    working_days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("Reason (public)"), max_length=1000)


class RedactForm(forms.Form):
    public_details = forms.CharField(
        label=_("Published text"), max_length=DETAILS_MAX_CHARS, required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip


class PhotoRedactForm(forms.Form):
    photo = forms.IntegerField(widget=forms.HiddenInput)
    x = forms.FloatField(label=_("Left (%)"), min_value=0, max_value=100)
    y = forms.FloatField(label=_("Top (%)"), min_value=0, max_value=100)
    width = forms.FloatField(label=_("Width (%)"), min_value=1, max_value=100)
    height = forms.FloatField(label=_("Height (%)"), min_value=1, max_value=100)
