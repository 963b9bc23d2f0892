"""The form for writing a vote (officials, and verified citizens), with its question syntax."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from smartseoul.places.models import District
from smartseoul.voting.actions import QuestionSpec
from smartseoul.voting.models import Vote
from smartseoul.voting.roll import Household, roll_parse_csv

_BOUNDS = re.compile(r"\((\d+)\s*[-–~]\s*(\d+)\)\s*$")

QUESTIONS_HELP = _(
    "One block per question, blocks separated by an empty line. The first line is the "
    "question, each following line an option. End the question with (1-3) to allow one to "
    "three choices; without it, exactly one. Describe an option after a bar: "
    "“Bike lanes | 12 km along the Han river”. Images can be added once the vote is saved."
)
MAX_DESCRIPTION = 2000


def parse_questions(text: str) -> list[QuestionSpec]:
    """Blocks of "question line, then one option per line", blank-line separated."""
    specs: list[QuestionSpec] = []
    for number, block in enumerate(re.split(r"\n\s*\n", text.strip()), start=1):
        lines = [line.strip().lstrip("-•*").strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        question, options = lines[0], lines[1:]
        low = high = 1
        bounds = _BOUNDS.search(question)
        if bounds:
            low, high = int(bounds.group(1)), int(bounds.group(2))
            question = question[: bounds.start()].strip()
        if len(options) < 2:
            raise ValidationError(
                _("Question %(number)d needs at least two options, one per line.")
                % {"number": number}
            )
        labels = [option.split("|", 1)[0].strip() for option in options]
        descriptions = [
            option.split("|", 1)[1].strip() if "|" in option else "" for option in options
        ]
        if any(len(text) > MAX_DESCRIPTION for text in descriptions):
            raise ValidationError(
                _("An option's description in question %(number)d is over %(limit)d characters.")
                % {"number": number, "limit": MAX_DESCRIPTION}
            )
        specs.append(QuestionSpec(question, labels, low, high, descriptions))
    if not specs:
        raise ValidationError(_("Write at least one question with its options."))
    return specs


class VoteForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Vote.Kind.choices)
    privacy = forms.ChoiceField(label=_("Privacy"), choices=Vote.Privacy.choices)
    opens_at = forms.DateTimeField(
        label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    questions = forms.CharField(
        label=_("Questions"), widget=forms.Textarea(attrs={"rows": 10}), help_text=QUESTIONS_HELP
    )
    districts = forms.ModelMultipleChoiceField(
        label=_("Only residents of (empty: the whole city)"),
        queryset=District.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=0, max_value=120)
    max_age = forms.IntegerField(label=_("Maximum age"), required=False, min_value=0, max_value=120)
    require_verified = forms.BooleanField(
        label=_("Only identity-verified citizens"), required=False
    )
    allow_revote = forms.BooleanField(
        label=_("Voters may change their vote until the close"), required=False, initial=True
    )
    results_live = forms.BooleanField(
        label=_("Show results while the vote is open (open polls only)"), required=False
    )

    def __init__(self, *args: Any, administrator: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not administrator:
            # Citizens write citizen polls: open, moderated, for the whole city.
            self.fields["kind"].choices = [(Vote.Kind.CITIZEN, Vote.Kind.CITIZEN.label)]
            self.fields["privacy"].choices = [(Vote.Privacy.OPEN, Vote.Privacy.OPEN.label)]
        else:
            self.fields["kind"].choices = [
                (k, label)
                for k, label in Vote.Kind.choices
                if k not in (Vote.Kind.CITIZEN, Vote.Kind.BUDGET)
            ]

    def clean_questions(self) -> list[QuestionSpec]:
        return parse_questions(self.cleaned_data["questions"])


class RollUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Voter roll (CSV)"),
        required=False,
        help_text=_(
            "Columns: household, weight (optional), contact (optional: an e-mail address or a "
            "mobile number, where the code is sent)."
        ),
    )
    text = forms.CharField(
        label=_("…or paste it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "household,weight,contact"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is not None:
            raw = upload.read(5_000_000)
            for encoding in ("utf-8-sig", "cp949"):  # Excel in Korea saves CSV as CP949
                try:
                    cleaned["csv"] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ValidationError(_("The file is neither UTF-8 nor CP949 text."))
        elif cleaned.get("text", "").strip():
            cleaned["csv"] = cleaned["text"]
        else:
            raise ValidationError(_("Choose a CSV file or paste the roll."))
        return cleaned

    def households(self) -> list[Household]:
        return roll_parse_csv(self.cleaned_data["csv"])
