from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from smartseoul.voting.models import Option, Vote


def option_label(option: Option) -> SafeString | str:
    """The option as the ballot shows it: its image and description, when it has them."""
    if not option.image and not option.description:
        return option.label
    image = (
        format_html('<img class="option-image" src="{}" alt="" loading="lazy">', option.image.url)
        if option.image
        else ""
    )
    description = (
        format_html('<small class="option-description">{}</small>', option.description)
        if option.description
        else ""
    )
    return format_html(
        '{}<span class="option-text"><span class="option-label">{}</span>{}</span>',
        image,
        option.label,
        description,
    )


class BallotForm(forms.Form):
    """One field per question: radio buttons for a single choice, checkboxes otherwise."""

    def __init__(self, vote: Vote, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(vote.questions.prefetch_related("options"))
        for number, question in enumerate(self.questions):
            choices = [
                (str(i), option_label(option)) for i, option in enumerate(question.options.all())
            ]
            single = question.max_choices == 1
            field_class = forms.ChoiceField if single else forms.MultipleChoiceField
            widget = forms.RadioSelect if single else forms.CheckboxSelectMultiple
            self.fields[f"q{number}"] = field_class(
                label=question.text,
                choices=choices,
                widget=widget,
                required=question.min_choices > 0,
                help_text=(
                    ""
                    if single
                    else _("Choose %(low)d to %(high)d.")
                    % {"low": question.min_choices, "high": question.max_choices}
                ),
            )

    def choices(self) -> list[list[int]]:
        answers = []
        for number in range(len(self.questions)):
            value = self.cleaned_data.get(f"q{number}") or []
            values = [value] if isinstance(value, str) else list(value)
            answers.append([int(v) for v in values])
        return answers


class TrackerForm(forms.Form):
    tracker = forms.CharField(
        label=_("Ballot tracker"),
        max_length=80,
        help_text=_("The 64-character code you got after voting."),
    )


class HouseholdCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Voting code"),
        max_length=40,
        help_text=_("The code your household received by e-mail, text message or on paper."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )
