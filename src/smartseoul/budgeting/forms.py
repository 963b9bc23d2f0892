"""Forms of the budget pages; the actions check everything again (and are what counts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartseoul.accounts.models import User
from smartseoul.budgeting.actions import IMPLEMENTATION_STATUSES
from smartseoul.budgeting.administration import (
    ROUND_FIELDS,
    SCHEDULE_FIELDS,
    SCOPE_FIELDS,
    scope_area_error,
    secret_rule_error,
)
from smartseoul.budgeting.models import Project, Round, Scope, Theme
from smartseoul.places.models import District, Neighbourhood

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    edition = forms.CharField(label=_("Edition"), max_length=40, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    cost_unit = forms.IntegerField(label=_("Cost unit (KRW)"), min_value=1, initial=1_000_000)
    privacy = forms.ChoiceField(label=_("Ballots"), choices=Round.Privacy.choices)
    winner_rule = forms.ChoiceField(label=_("Winner rule"), choices=Round.WinnerRule.choices)
    ballot_top_n = forms.IntegerField(
        label=_("Most supported projects per scope on the ballot (empty: all feasible)"),
        min_value=1,
        max_value=50,
        required=False,
    )
    require_verified = forms.BooleanField(
        label=_("Only identity-verified citizens"), required=False, initial=True
    )
    proposals_end = forms.DateTimeField(label=_("Proposals close"), widget=_DATETIME)
    support_end = forms.DateTimeField(label=_("Support collection closes"), widget=_DATETIME)
    review_end = forms.DateTimeField(label=_("Review ends"), widget=_DATETIME)
    ballot_opens = forms.DateTimeField(label=_("Ballot opens"), widget=_DATETIME)
    ballot_closes = forms.DateTimeField(label=_("Ballot closes"), widget=_DATETIME)

    def __init__(self, *args: Any, locked: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        """``locked``: fields shown but not editable, each with the reason (from
        ``administration.round_locked_fields``)."""
        super().__init__(*args, **kwargs)
        for name, reason in (locked or {}).items():
            self.fields[name].disabled = True
            self.fields[name].help_text = reason

    @classmethod
    def for_round(cls, round_: Round, data: Any = None, **kwargs: Any) -> RoundForm:
        """The form prefilled with the round's settings, to edit them."""
        initial = {name: getattr(round_, name) for name in ROUND_FIELDS}
        for name in SCHEDULE_FIELDS:
            # The form shows minutes; an unchanged date must not look changed by its seconds.
            initial[name] = initial[name].replace(second=0, microsecond=0)
        return cls(data, initial=initial, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        error = secret_rule_error(data.get("privacy", ""), data.get("winner_rule", ""))
        if error:
            self.add_error("winner_rule", error)
        return data


class ScopeRuleForm(forms.Form):
    """A budget's amount and ballot rule: what can be changed after it was added."""

    amount = forms.IntegerField(label=_("Budget (cost units)"), min_value=1, max_value=2**32 - 1)
    ballot_rule = forms.ChoiceField(label=_("Ballot"), choices=Scope.BallotRule.choices)
    min_share_percent = forms.IntegerField(
        label=_("Minimum share of the budget (%)"), min_value=0, max_value=100, initial=0
    )
    max_projects = forms.IntegerField(
        label=_("At most this many projects"), min_value=1, required=False
    )
    min_projects = forms.IntegerField(
        label=_("At least this many projects"), min_value=0, initial=0
    )

    @classmethod
    def for_scope(cls, scope: Scope, data: Any = None) -> ScopeRuleForm:
        return cls(data, initial={name: getattr(scope, name) for name in SCOPE_FIELDS})


def neighbourhood_choices() -> list[tuple[str, Any]]:
    """Every neighbourhood, grouped under its district (in the language of the page)."""
    districts = {d.code: d.name for d in District.objects.only("code", "name_ko", "name_en")}
    grouped: dict[str, list[tuple[str, str]]] = {}
    for item in Neighbourhood.objects.only("code", "name_ko", "name_en", "district_id"):
        grouped.setdefault(item.district_id, []).append((item.code, item.name))
    groups = sorted(grouped.items(), key=lambda group: districts[group[0]])
    return [
        ("", _("None: the whole district")),
        *((districts[code], sorted(options, key=lambda o: o[1])) for code, options in groups),
    ]


class ScopeForm(ScopeRuleForm):
    """A new budget: its area (the city, a district, or a neighbourhood of one) and rule."""

    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.only("code", "name_ko", "name_en"),
        required=False,
        empty_label=_("City-wide"),
    )
    neighbourhood = forms.ChoiceField(
        label=_("Neighbourhood (optional)"),
        required=False,
        help_text=_("For a neighbourhood's own budget; it must lie in the district above."),
    )
    field_order = ["district", "neighbourhood"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["neighbourhood"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = neighbourhood_choices()

    def clean_neighbourhood(self) -> Neighbourhood | None:
        code = self.cleaned_data.get("neighbourhood")
        if not code:
            return None
        return (
            Neighbourhood.objects.select_related("district")
            .defer("boundary", "district__boundary")
            .get(code=code)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        neighbourhood = data.get("neighbourhood")
        if error := scope_area_error(data.get("district"), neighbourhood):
            self.add_error("neighbourhood", error)
        elif neighbourhood is not None:
            data["district"] = neighbourhood.district
        return data


class TrusteesForm(forms.Form):
    trustees = forms.ModelMultipleChoiceField(
        label=_("Trustees"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    threshold = forms.IntegerField(label=_("Trustees needed to decrypt"), min_value=1, initial=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["trustees"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = (
            User.objects.filter(groups__permissions__codename="act_as_trustee")
            .distinct()
            .order_by("email")
        )


class ScopeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ProposalForm(forms.Form):
    scope = ScopeChoiceField(label=_("Budget"), queryset=Scope.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("What should be done, where, and for whom?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)
    estimated_cost = forms.IntegerField(label=_("Estimated cost (cost units)"), min_value=1)
    lat = forms.FloatField(label=_("Latitude"), required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(label=_("Longitude"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, scopes: list[Scope], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scope"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Scope.objects.filter(pk__in=[s.pk for s in scopes])


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("feasible", _("Feasible")), ("rejected", _("Not feasible"))],
        widget=forms.RadioSelect,
    )
    reviewed_cost = forms.IntegerField(
        label=_("Reviewed cost (cost units)"), min_value=1, required=False
    )
    reason = forms.CharField(
        label=_("Public reason (required when not feasible)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in Project.Status if s in IMPLEMENTATION_STATUSES],
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SimulateForm(forms.Form):
    file = forms.FileField(label=_("Pabulib file (.pb)"))
