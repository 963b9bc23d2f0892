"""Administrators fix a round and its budgets before the ballot: what may change in which
phase, the refusals that say why, the audit trail, and the pages (edit form, budgets page
with neighbourhood budgets, edit and remove buttons)."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from smartseoul.audit.models import AuditEvent
from smartseoul.budgeting.actions import (
    round_update,
    scope_remove,
    scope_update,
)
from smartseoul.budgeting.models import Round, Scope
from smartseoul.budgeting.phases import round_advance
from smartseoul.places.models import Neighbourhood
from tests.budgeting.conftest import propose, scope_of
from tests.conftest import totp_activate

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    totp_activate(user)
    client = Client()
    client.force_login(user)
    return client


class _FormFields(HTMLParser):
    """What a browser would submit from a page's main form (the first ``card`` post form):
    its enabled fields with their current values (checked boxes only, the selected option
    of each select)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_form = False
        self._done = False
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        main = attr.get("method") == "post" and "card" in (attr.get("class") or "")
        if tag == "form" and main and not self._done:
            self._in_form = True
        if not self._in_form or "disabled" in attr:
            return
        name = attr.get("name") or ""
        if tag == "input" and name and attr.get("type") != "submit":
            if attr.get("type") != "checkbox":
                self.values[name] = attr.get("value") or ""
            elif "checked" in attr:
                self.values[name] = attr.get("value") or "on"
        elif tag == "select":
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attr.get("value") or ""
            if "selected" in attr:
                self.values[self._select] = attr.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            self.values.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data.removeprefix("\n")


def form_fields(page: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page)
    return parser.values


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- the actions -----------------------------------------------------------------------------


def test_a_draft_round_is_edited_and_the_change_is_audited(budget_round, cityhall_official):
    round_update(
        actor=cityhall_official,
        round_=budget_round,
        title="  서울시 참여예산 2027 (수정)  ",
        description="오타를 고쳤습니다.",
        cost_unit=10_000_000,
        privacy=Round.Privacy.SECRET,
        ballot_top_n=10,
        require_verified=False,
    )
    saved = Round.objects.get(pk=budget_round.pk)
    assert saved.title == "서울시 참여예산 2027 (수정)"
    assert (saved.cost_unit, saved.privacy, saved.ballot_top_n) == (10_000_000, "secret", 10)
    assert saved.require_verified is False
    assert budget_round.title == saved.title  # the caller's copy follows
    [event] = _events("budget.round_updated")
    assert event.actor == cityhall_official
    assert event.object_id == str(budget_round.pk)
    assert event.details["changed"]["cost_unit"] == [1_000_000, 10_000_000]
    assert event.details["changed"]["privacy"] == ["open", "secret"]
    assert "year" not in event.details["changed"]
    # The same values again change nothing and record nothing.
    round_update(actor=cityhall_official, round_=budget_round, title=saved.title, cost_unit=10**7)
    assert len(_events("budget.round_updated")) == 1


def test_round_edits_follow_the_rules_of_a_new_round(budget_round, cityhall_official):
    with pytest.raises(ValidationError) as refused:
        round_update(
            actor=cityhall_official,
            round_=budget_round,
            privacy=Round.Privacy.SECRET,
            winner_rule=Round.WinnerRule.ADD1,
        )
    assert "Secret rounds use the greedy rule" in refused.value.message_dict["winner_rule"][0]
    with pytest.raises(ValidationError) as refused:
        round_update(
            actor=cityhall_official,
            round_=budget_round,
            ballot_opens=budget_round.ballot_closes + datetime.timedelta(hours=1),
        )
    assert "The dates must follow each other" in refused.value.message_dict["ballot_closes"][0]
    with pytest.raises(ValidationError) as refused:
        round_update(actor=cityhall_official, round_=budget_round, title="   ", ballot_top_n=51)
    assert refused.value.message_dict["title"] == ["Give the round a title."]
    assert refused.value.message_dict["ballot_top_n"] == ["Between 1 and 50 projects per scope."]
    saved = Round.objects.get(pk=budget_round.pk)
    assert (saved.title, saved.privacy) == ("서울시 참여예산 2027", "open")
    assert saved.ballot_top_n is None
    assert not _events("budget.round_updated")


def test_how_a_round_runs_is_fixed_once_support_starts_but_its_wording_is_not(
    budget_round, cityhall_official, verified_citizen
):
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    round_update(actor=cityhall_official, round_=budget_round, winner_rule=Round.WinnerRule.ADD1)
    propose(verified_citizen, scope_of(budget_round, None), cost=30, title="공공 와이파이")
    with pytest.raises(ValidationError) as refused:
        round_update(actor=cityhall_official, round_=budget_round, cost_unit=1_000)
    assert "proposed projects with costs in this unit" in refused.value.message_dict["cost_unit"][0]

    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.SUPPORT)
    with pytest.raises(ValidationError) as refused:
        round_update(
            actor=cityhall_official, round_=budget_round, winner_rule=Round.WinnerRule.GREEDY
        )
    assert refused.value.message_dict["winner_rule"] == [
        "The round is in its “Support collection” phase; how it is run can change only while "
        "it is being prepared or collecting proposals."
    ]
    # Unchanged settings sent along with a new title are not refused.
    round_update(
        actor=cityhall_official,
        round_=budget_round,
        title="서울시 참여예산 2027 (2차)",
        winner_rule=Round.WinnerRule.ADD1,
    )
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.REVIEW)
    later = budget_round.ballot_closes + datetime.timedelta(days=2)
    round_update(actor=cityhall_official, round_=budget_round, ballot_closes=later)
    saved = Round.objects.get(pk=budget_round.pk)
    assert (saved.title, saved.ballot_closes, saved.winner_rule) == (
        "서울시 참여예산 2027 (2차)",
        later,
        Round.WinnerRule.ADD1,
    )
    assert len(_events("budget.round_updated")) == 3


def test_nothing_changes_once_the_ballot_has_opened(cityhall_official):
    from tests.budgeting.rounds import round_at_ballot

    round_, city, jongno, *_ = round_at_ballot(cityhall_official)
    with pytest.raises(ValidationError) as refused:
        round_update(actor=cityhall_official, round_=round_, title="너무 늦은 수정")
    assert "“Balloting” phase" in refused.value.message_dict["phase"][0]
    with pytest.raises(ValidationError) as refused:
        scope_update(actor=cityhall_official, scope=city, amount=200)
    assert "“Balloting” phase" in refused.value.message_dict["phase"][0]
    with pytest.raises(ValidationError):
        scope_remove(actor=cityhall_official, scope=jongno)
    assert Round.objects.get(pk=round_.pk).title == "서울시 참여예산 2027"
    assert Scope.objects.get(pk=city.pk).amount == 100


def test_budgets_change_and_go_until_support_collection(
    budget_round, cityhall_official, verified_citizen
):
    jongno = scope_of(budget_round, "11110")
    scope_update(
        actor=cityhall_official,
        scope=jongno,
        amount=80,
        ballot_rule=Scope.BallotRule.APPROVAL,
        max_projects=3,
        min_projects=1,
    )
    saved = Scope.objects.get(pk=jongno.pk)
    assert (saved.amount, saved.ballot_rule, saved.max_projects, saved.min_projects) == (
        80,
        "approval",
        3,
        1,
    )
    [event] = _events("budget.scope_updated")
    assert event.details["changed"]["amount"] == [50, 80]
    with pytest.raises(ValidationError) as refused:
        scope_update(actor=cityhall_official, scope=jongno, max_projects=None)
    assert "at most" in refused.value.message_dict["max_projects"][0]

    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    city = scope_of(budget_round, None)
    propose(verified_citizen, city, cost=40, title="스마트 가로등")
    with pytest.raises(ValidationError) as refused:
        scope_update(actor=cityhall_official, scope=city, amount=30)
    assert "estimated at 40 cost units" in refused.value.message_dict["amount"][0]
    scope_update(actor=cityhall_official, scope=city, amount=40)
    with pytest.raises(ValidationError) as refused:
        scope_remove(actor=cityhall_official, scope=city)
    assert refused.value.message_dict["scope"] == [
        "Citizens have proposed projects in City-wide; a budget with proposals cannot be removed."
    ]
    mapo = scope_of(budget_round, "11440")
    scope_remove(actor=cityhall_official, scope=mapo)
    assert not Scope.objects.filter(pk=mapo.pk).exists()
    assert Scope.objects.filter(pk=city.pk).exists()
    [removed] = _events("budget.scope_removed")
    assert removed.object_id == str(mapo.pk)
    assert removed.details["district"] == "11440"

    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.SUPPORT)
    with pytest.raises(ValidationError) as refused:
        scope_update(actor=cityhall_official, scope=city, amount=90)
    assert "“Support collection” phase" in refused.value.message_dict["phase"][0]
    assert Scope.objects.get(pk=city.pk).amount == 40


def test_only_election_administrators_edit_rounds_and_budgets(
    budget_round, official, verified_citizen
):
    city = scope_of(budget_round, None)
    for user in (official, verified_citizen):
        with pytest.raises(PermissionDenied):
            round_update(actor=user, round_=budget_round, title="가로채기")
        with pytest.raises(PermissionDenied):
            scope_update(actor=user, scope=city, amount=1)
        with pytest.raises(PermissionDenied):
            scope_remove(actor=user, scope=city)
    district_official = _signed_in(official)
    assert district_official.get(f"/budget/{budget_round.pk}/edit/").status_code == 403
    assert (
        district_official.post(
            f"/budget/{budget_round.pk}/edit/", {"title": "가로채기"}
        ).status_code
        == 403
    )
    assert (
        district_official.post(
            f"/budget/{budget_round.pk}/scopes/{city.pk}/edit/", {"amount": 1}
        ).status_code
        == 403
    )
    assert (
        district_official.post(f"/budget/{budget_round.pk}/scopes/{city.pk}/remove/").status_code
        == 403
    )
    assert Round.objects.get(pk=budget_round.pk).title == "서울시 참여예산 2027"
    assert Scope.objects.get(pk=city.pk).amount == 100
    assert not _events("budget.round_updated")
    assert not _events("budget.scope_removed")


# --- the pages -------------------------------------------------------------------------------


def test_the_edit_page_is_prefilled_and_saves_what_was_changed(
    budget_round, cityhall_official, verified_citizen
):
    admin = _signed_in(cityhall_official)
    round_page = admin.get(f"/budget/{budget_round.pk}/").content.decode()
    assert f"/budget/{budget_round.pk}/edit/" in round_page
    page = admin.get(f"/budget/{budget_round.pk}/edit/").content.decode()
    fields = form_fields(page)
    assert fields["title"] == "서울시 참여예산 2027"
    assert fields["privacy"] == "open"
    fields["title"] = "서울시 참여예산 2027 (수정)"
    response = admin.post(f"/budget/{budget_round.pk}/edit/", fields)
    assert response.status_code == 302
    assert response["Location"] == f"/budget/{budget_round.pk}/"
    assert Round.objects.get(pk=budget_round.pk).title == "서울시 참여예산 2027 (수정)"
    # Only the title changed: the dates the form shows to the minute are left as they were.
    [event] = _events("budget.round_updated")
    assert list(event.details["changed"]) == ["title"]

    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    propose(verified_citizen, scope_of(budget_round, None), cost=30, title="공공 와이파이")
    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.SUPPORT)
    page = admin.get(f"/budget/{budget_round.pk}/edit/").content.decode()
    fields = form_fields(page)
    assert "privacy" not in fields  # shown, but disabled
    assert "“지지 모집” 단계입니다" in page
    fields["description"] = "설명을 보탰습니다."
    fields["winner_rule"] = Round.WinnerRule.ADD1  # a disabled field a browser would not send
    response = admin.post(f"/budget/{budget_round.pk}/edit/", fields)
    assert response.status_code == 302
    saved = Round.objects.get(pk=budget_round.pk)
    assert saved.description == "설명을 보탰습니다."
    assert saved.winner_rule == Round.WinnerRule.GREEDY


def test_a_neighbourhood_budget_is_added_on_the_budgets_page(budget_round, cityhall_official):
    admin = _signed_in(cityhall_official)
    sajik = Neighbourhood.objects.filter(district_id="11110").order_by("code").first()
    mangwon = Neighbourhood.objects.filter(district_id="11440").order_by("code").first()
    page = admin.get(f"/budget/{budget_round.pk}/scopes/").content.decode()
    assert '<optgroup label="종로구">' in page
    assert f'<option value="{sajik.code}">{sajik.name_ko}</option>' in page
    form = {
        "district": "11440",
        "neighbourhood": sajik.code,
        "amount": 20,
        "ballot_rule": "knapsack",
        "min_share_percent": 0,
        "min_projects": 0,
    }
    refused = admin.post(f"/budget/{budget_round.pk}/scopes/", form)
    assert refused.status_code == 200
    assert "이 동은 그 자치구에 속하지 않습니다." in refused.content.decode()
    assert budget_round.scopes.count() == 3
    response = admin.post(f"/budget/{budget_round.pk}/scopes/", {**form, "district": "11110"})
    assert response.status_code == 302
    scope = budget_round.scopes.get(neighbourhood=sajik)
    assert (scope.district_id, scope.amount) == ("11110", 20)
    [event] = _events("budget.scope_added")[-1:]
    assert event.details["neighbourhood"] == sajik.code
    # The district may be left out: the neighbourhood's own is taken.
    elsewhere = {**form, "district": "", "neighbourhood": mangwon.code}
    admin.post(f"/budget/{budget_round.pk}/scopes/", elsewhere)
    assert budget_round.scopes.get(neighbourhood=mangwon).district_id == "11440"
    page = admin.get(f"/budget/{budget_round.pk}/scopes/").content.decode()
    assert f"종로구 {sajik.name_ko}" in page


def test_budgets_are_edited_and_removed_on_the_budgets_page(
    budget_round, cityhall_official, verified_citizen
):
    admin = _signed_in(cityhall_official)
    city, mapo = scope_of(budget_round, None), scope_of(budget_round, "11440")
    page = admin.get(f"/budget/{budget_round.pk}/scopes/{mapo.pk}/edit/").content.decode()
    fields = form_fields(page)
    assert (fields["amount"], fields["ballot_rule"], fields["max_projects"]) == (
        "60",
        "approval",
        "2",
    )
    fields["amount"] = "75"
    response = admin.post(f"/budget/{budget_round.pk}/scopes/{mapo.pk}/edit/", fields)
    assert response.status_code == 302
    assert Scope.objects.get(pk=mapo.pk).amount == 75

    round_advance(actor=cityhall_official, round_=budget_round, to=Round.Phase.PROPOSALS)
    propose(verified_citizen, city, cost=30, title="공공 와이파이")
    page = admin.get(f"/budget/{budget_round.pk}/scopes/").content.decode()
    assert f"/scopes/{city.pk}/remove/" not in page  # no button for a budget with proposals
    assert f"/scopes/{mapo.pk}/remove/" in page
    refused = admin.post(f"/budget/{budget_round.pk}/scopes/{city.pk}/remove/", follow=True)
    assert "제안된 사업이 있는 예산은 삭제할 수 없습니다" in refused.content.decode()
    assert Scope.objects.filter(pk=city.pk).exists()
    removed = admin.post(f"/budget/{budget_round.pk}/scopes/{mapo.pk}/remove/", follow=True)
    assert "예산을 삭제했습니다." in removed.content.decode()
    assert not Scope.objects.filter(pk=mapo.pk).exists()
