"""Sensor operators' pages: sensor models, alert rules and each sensor's API keys.

Thin: forms check the input, the actions write (atomic, audited), errors go back to the
form naming the field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartseoul.urbandata.actions import sensor_model_save
from smartseoul.urbandata.forms import AlertRuleForm, SensorModelForm
from smartseoul.urbandata.models import AlertRule, Sensor, SensorKey, SensorModel
from smartseoul.urbandata.operator_actions import (
    alert_rule_save,
    sensor_key_issue,
    sensor_key_revoke,
)

operators_only = permission_required("accounts.operate_sensors", raise_exception=True)


def _errors_to_form(form: Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@operators_only
def models_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "urbandata/operator_models.html",
        {"models": SensorModel.objects.order_by("code")},
    )


@operators_only
def model_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    model = get_object_or_404(SensorModel, code=code) if code else None
    if request.method == "POST":
        form = SensorModelForm(request.POST)
        if model is not None and request.POST.get("code") != model.code:
            form.add_error("code", _("A model's code cannot change."))
        elif model is None and SensorModel.objects.filter(code=request.POST.get("code")).exists():
            form.add_error("code", _("A model with this code exists already."))
        if form.is_valid():
            try:
                sensor_model_save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Sensor model saved."))
                return redirect("urbandata:operator_models")
    else:
        form = SensorModelForm.for_model(model) if model else SensorModelForm()
    return render(request, "urbandata/operator_model_form.html", {"form": form, "model": model})


@operators_only
def rules_list(request: HttpRequest) -> HttpResponse:
    rules = AlertRule.objects.select_related("district").order_by(
        "kind", "district__code", "severity"
    )
    return render(request, "urbandata/operator_rules.html", {"rules": rules})


@operators_only
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(AlertRule, pk=pk) if pk else None
    if request.method == "POST":
        form = AlertRuleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                alert_rule_save(
                    actor=request.user,
                    kind=data["kind"],
                    severity=data["severity"],
                    threshold=data["threshold"],
                    duration=data["duration"],
                    district=data["district"].code if data["district"] else None,
                    active=data["active"],
                    rule=rule,
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Alert rule saved."))
                return redirect("urbandata:operator_rules")
    else:
        form = AlertRuleForm.for_rule(rule) if rule else AlertRuleForm()
    return render(request, "urbandata/operator_rule_form.html", {"form": form, "rule": rule})


@operators_only
def sensor_keys(request: HttpRequest, serial: str) -> HttpResponse:
    sensor = get_object_or_404(Sensor, serial=serial)
    return render(
        request,
        "urbandata/operator_sensor_keys.html",
        {"sensor": sensor, "keys": sensor.keys.select_related("created_by"), "secret": None},
    )


@operators_only
@require_POST
def sensor_key_change(request: HttpRequest, serial: str) -> HttpResponse:
    sensor = get_object_or_404(Sensor, serial=serial)
    secret = None
    try:
        if request.POST.get("step") == "issue":
            _key, secret = sensor_key_issue(actor=request.user, sensor=sensor)
        elif request.POST.get("step") == "revoke":
            key = get_object_or_404(SensorKey, pk=request.POST.get("key") or 0, sensor=sensor)
            sensor_key_revoke(actor=request.user, key=key)
            messages.success(request, _("Key revoked."))
            return redirect("urbandata:operator_sensor_keys", serial=serial)
        else:
            messages.error(request, _("Unknown step."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    # The new key is shown this once, on this response; it is never stored.
    return render(
        request,
        "urbandata/operator_sensor_keys.html",
        {"sensor": sensor, "keys": sensor.keys.select_related("created_by"), "secret": secret},
    )
