from __future__ import annotations

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from smartseoul.accounts.actions import api_key_issue, citizen_profile_save
from smartseoul.accounts.models import CitizenProfile, User
from smartseoul.places.models import District


class CitizenSignupForm(forms.Form):
    """Extra fields on allauth's sign-up form; allauth calls ``signup`` after creating the user."""

    name = forms.CharField(label=_("Name"), max_length=100)
    district = forms.ModelChoiceField(
        label=_("Home district (optional)"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("— choose —"),
    )
    field_order = ["name", "email", "password1", "password2", "district"]

    def signup(self, request: HttpRequest, user: User) -> None:
        citizen_profile_save(
            user=user, name=self.cleaned_data["name"], district=self.cleaned_data.get("district")
        )


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Key name"),
        max_length=100,
        help_text=_("What will use this key, e.g. “my bus-stop app”."),
    )

    def save(self, user: User) -> str:
        _key, secret = api_key_issue(user=user, name=self.cleaned_data["name"])
        return secret


class CitizenProfileForm(forms.ModelForm):
    class Meta:
        model = CitizenProfile
        fields = ["name", "district", "neighbourhood", "birth_year", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        district, neighbourhood = cleaned.get("district"), cleaned.get("neighbourhood")
        if district and neighbourhood and neighbourhood.district_id != district.pk:
            self.add_error("neighbourhood", _("This neighbourhood is not in the chosen district."))
        return cleaned
