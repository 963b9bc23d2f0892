from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartseoul.opendata.models import LICENCE_CHOICES, Category, Dataset, Frequency, Resource


class DatasetForm(forms.Form):
    name = forms.SlugField(
        label=_("Identifier"),
        max_length=100,
        help_text=_("Lowercase letters, digits and hyphens; used in links and by API clients."),
    )
    title_ko = forms.CharField(label=_("Korean title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    description_ko = forms.CharField(
        label=_("Korean description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    description_en = forms.CharField(
        label=_("English description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=LICENCE_CHOICES)
    frequency = forms.ChoiceField(label=_("Update frequency"), choices=Frequency.choices)
    temporal_start = forms.DateField(
        label=_("Covers from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    temporal_end = forms.DateField(
        label=_("Covers until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    spatial = forms.CharField(label=_("Spatial coverage"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)

    @classmethod
    def for_dataset(cls, dataset: Dataset, data: Any = None) -> DatasetForm:
        initial = {field: getattr(dataset, field) for field in cls.base_fields if field != "tags"}
        initial["tags"] = ", ".join(dataset.tags)
        form = cls(data, initial=initial)
        form.fields["name"].disabled = True
        return form

    def values(self) -> dict[str, Any]:
        values = {k: v for k, v in self.cleaned_data.items() if k != "name"}
        values["tags"] = [t.strip() for t in values.get("tags", "").split(",") if t.strip()]
        return values


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    format = forms.ChoiceField(label=_("Format"), choices=Resource.Format.choices)
    url = forms.URLField(
        label=_("Link"), required=False, assume_scheme="https", help_text=_("Only for links.")
    )
    file = forms.FileField(label=_("File"), required=False)
    service_name = forms.CharField(
        label=_("Open API service name"),
        max_length=64,
        required=False,
        help_text=_("Publishes the table at /openapi/{KEY}/json/{SERVICE}/1/1000/."),
    )
    service_filters = forms.CharField(
        label=_("Open API filter columns"),
        required=False,
        help_text=_("Columns matched by the optional parameters after END, comma separated."),
    )
    text_columns = forms.CharField(
        label=_("Columns kept as text"),
        required=False,
        help_text=_(
            "Comma separated: codes or times written in digits (11440, 202611221400) that must "
            "not become numbers. Other columns' types are detected."
        ),
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("New version of the file"))


class KeyForm(forms.Form):
    purpose = forms.CharField(label=_("What will you use the key for?"), max_length=200)


class GalleryAppForm(forms.Form):
    name = forms.CharField(label=_("App name"), max_length=100)
    url = forms.URLField(label=_("Link"), assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    datasets = forms.ModelMultipleChoiceField(
        label=_("Datasets used"),
        queryset=Dataset.objects.order_by("title_ko"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    screenshot = forms.ImageField(label=_("Screenshot"), required=False)
