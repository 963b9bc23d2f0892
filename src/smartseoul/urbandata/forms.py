"""Forms of the operators' pages: sensor models and alert rules."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smartseoul.places.models import District
from smartseoul.urbandata.models import AlertRule, SensorModel


def quantities_as_text(quantities: dict[str, dict[str, Any]]) -> str:
    lines = []
    for name, spec in quantities.items():
        step = spec.get("max_step")
        parts = [name, str(spec["unit"]), f"{spec['min']:g}", f"{spec['max']:g}"]
        lines.append(" ".join(parts + ([f"{step:g}"] if step is not None else [])))
    return "\n".join(lines)


def _number(text: str, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise forms.ValidationError(
            gettext("Line %(n)d: %(what)s must be a number, not %(text)r.")
            % {"n": line, "what": what, "text": text}
        )
    return value


def parse_quantities(text: str) -> dict[str, dict[str, Any]]:
    """One quantity a line: ``name unit min max [max_step]`` (e.g. ``pm10 µg/m³ 0 1000 300``)."""
    quantities: dict[str, dict[str, Any]] = {}
    for line, raw in enumerate(text.splitlines(), start=1):
        parts = raw.split()
        if not parts:
            continue
        if len(parts) not in (4, 5):
            raise forms.ValidationError(
                gettext("Line %(n)d: write name, unit, min, max and optionally max_step.")
                % {"n": line}
            )
        name = parts[0]
        if not name.replace("_", "").isalnum() or not name.isascii() or len(name) > 40:
            raise forms.ValidationError(
                gettext("Line %(n)d: a quantity's name uses letters, digits and _ only.")
                % {"n": line}
            )
        if name in quantities:
            raise forms.ValidationError(
                gettext("Line %(n)d: %(q)s is listed twice.") % {"n": line, "q": name}
            )
        spec: dict[str, Any] = {
            "unit": parts[1],
            "min": _number(parts[2], line, "min"),
            "max": _number(parts[3], line, "max"),
            "max_step": _number(parts[4], line, "max_step") if len(parts) == 5 else None,
        }
        if spec["min"] >= spec["max"]:
            raise forms.ValidationError(gettext("Line %(n)d: min must be below max.") % {"n": line})
        if spec["max_step"] is not None and spec["max_step"] <= 0:
            raise forms.ValidationError(
                gettext("Line %(n)d: max_step must be above 0.") % {"n": line}
            )
        quantities[name] = spec
    if not quantities:
        raise forms.ValidationError(gettext("List at least one measured quantity."))
    return quantities


class SensorModelForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=200)
    manufacturer = forms.CharField(label=_("Manufacturer"), max_length=200, required=False)
    quantities = forms.CharField(
        label=_("Measured quantities"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_(
            "One a line: name, unit, valid minimum, valid maximum and, optionally, the largest "
            "believable change between two reports. Example: pm10 µg/m³ 0 1000 300"
        ),
    )

    def clean_quantities(self) -> dict[str, dict[str, Any]]:
        return parse_quantities(self.cleaned_data["quantities"])

    @classmethod
    def for_model(cls, model: SensorModel) -> SensorModelForm:
        return cls(
            initial={
                "code": model.code,
                "name": model.name,
                "manufacturer": model.manufacturer,
                "quantities": quantities_as_text(model.quantities),
            }
        )


class AlertRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AlertRule.Kind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=AlertRule.Severity.choices)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.order_by("code"),
        required=False,
        empty_label=_("Every district"),
    )
    threshold = forms.FloatField(
        label=_("Threshold"),
        help_text=_(
            "µg/m³, dB(A) or °C; for the sudden-cold rule, the fall in °C since the day before."
        ),
    )
    duration = forms.IntegerField(
        label=_("Duration"),
        min_value=1,
        help_text=_(
            "Hours for fine dust and noise, days for cold and heat waves, minutes "
            "for a silent sensor."
        ),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_rule(cls, rule: AlertRule) -> AlertRuleForm:
        return cls(
            initial={
                "kind": rule.kind,
                "severity": rule.severity,
                "district": rule.district_id,
                "threshold": rule.threshold,
                "duration": rule.duration,
                "active": rule.active,
            }
        )
