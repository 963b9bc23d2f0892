"""A whole open round: proposals → review → ballot (phone page and API) with a paper batch →
count → results with reasons, greedy and Equal Shares; the Pabulib export re-imports to the
same result; implementation starts from the funded projects."""

from __future__ import annotations

import datetime
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from smartseoul.budgeting.ballots import scope_vote
from smartseoul.budgeting.cli import main as budget_cli
from smartseoul.budgeting.export import round_export, scope_instance
from smartseoul.budgeting.models import Project, Round
from smartseoul.budgeting.pabulib import dumps, loads
from smartseoul.budgeting.phases import round_advance
from smartseoul.budgeting.simulate import simulate
from smartseoul.voting.actions import ballot_cast, vote_sync_status
from smartseoul.voting.models import Vote
from smartseoul.voting.paper import paper_batch_enter
from smartseoul.voting.record import election_record
from tests.budgeting.rounds import CITY, round_at_ballot
from tests.voting.test_record import check

pytestmark = pytest.mark.django_db


def _close(round_: Round) -> None:
    """Close each scope's vote as its closing time would (the manifest's times stay)."""
    for scope in round_.scopes.all():
        vote = scope_vote(scope)
        vote_sync_status(vote, now=vote.closes_at + datetime.timedelta(seconds=1))


def _funded_titles(scope) -> set[str]:
    scope.refresh_from_db()
    return {p.title[0] for p in scope.projects.filter(status=Project.Status.SELECTED)}


@pytest.mark.parametrize(
    ("rule", "city_funded", "jongno_funded"),
    [
        # City: paper adds two votes for C, so C (5) comes first, then A (4); B (4) no longer
        # fits.  Jongno: E and F (4 votes each) fill the 30.
        ("greedy", {"A", "C"}, {"E", "F"}),
        # Equal Shares: the C voters' shares buy C and A the others'; in Jongno the three G
        # voters' shares buy G (15), the four others' E, and F no longer fits.
        ("equalshares/add1", {"A", "C"}, {"E", "G"}),
    ],
)
def test_a_round_from_proposals_to_implementation(
    cityhall_official, rule, city_funded, jongno_funded
) -> None:
    admin = cityhall_official
    round_, city, jongno, voters, _projects, reviewer = round_at_ballot(admin, rule)
    city.refresh_from_db()
    jongno.refresh_from_db()
    vote = scope_vote(city)
    assert vote.kind == Vote.Kind.BUDGET
    assert vote.status == Vote.Status.SCHEDULED
    question = vote.questions.get()
    assert [o.label for o in question.options.all()] == [t for t, _ in CITY]
    assert question.budget["weights"] == [50, 50, 50]
    assert question.budget["winner_rule"] == rule
    assert scope_vote(jongno).districts.get().code == "11110"
    # The rejected project stays off the ballot with its public reason.
    assert Project.objects.get(title="X 사유지 공원").status == Project.Status.REJECTED

    # mVoting's own page of a scope's vote sends voters to the round's ballot.
    response = Client().get(f"/voting/{vote.public_id}/", follow=True)
    assert response.redirect_chain[1][0] == f"/budget/{round_.pk}/ballot/"
    # Four voters choose A and B in the city and E and F in Jongno, on the phone page.
    a, b, c = (str(i) for i in range(3))
    for voter in voters[:4]:
        client = Client()
        client.force_login(voter)
        response = client.post(
            f"/budget/{round_.pk}/ballot/", {f"s{city.pk}": [a, b], f"s{jongno.pk}": ["0", "1"]}
        )
        assert response.status_code == 200
        assert "투표했습니다" in response.content.decode() or "tracker" in response.content.decode()
    # Over the budget: refused by the page, nothing cast.
    client = Client()
    client.force_login(voters[4])
    refused = client.post(f"/budget/{round_.pk}/ballot/", {f"s{city.pk}": [a, b, c]})
    assert "예산 100을 넘습니다" in refused.content.decode()
    assert vote.participations.filter(ballot__isnull=False).count() == 4
    # Three voters choose C (and G) through mVoting's action, as the API does.
    for voter in voters[4:]:
        ballot_cast(vote=vote, voter=voter, choices=[[2]])
        ballot_cast(vote=scope_vote(jongno), voter=voter, choices=[[2]])
    # A community centre's two paper ballots for C, typed in by two officials.
    for official in (admin, reviewer):
        paper_batch_enter(
            actor=official, vote=vote, label="종로1가 주민센터", sheets=[[[2]], [[2]]]
        )

    with pytest.raises(ValidationError, match=r"아직|still"):
        round_advance(actor=admin, round_=round_, to=Round.Phase.TALLIED)
    _close(round_)
    round_advance(actor=admin, round_=round_, to=Round.Phase.TALLIED)
    city.refresh_from_db()
    assert city.result["rule"] == rule
    votes = {p.title[0]: p.votes for p in city.projects.exclude(status="rejected")}
    assert votes == {"A": 4, "B": 4, "C": 5}
    # The public does not see the results before they are published.
    assert Client().get(f"/budget/{round_.pk}/results/").status_code == 404

    round_advance(actor=admin, round_=round_, to=Round.Phase.RESULTS)
    assert _funded_titles(city) == city_funded
    assert _funded_titles(jongno) == jongno_funded
    page = Client().get(f"/budget/{round_.pk}/results/").content.decode()
    assert "종이 투표 2장" in page
    assert f"/voting/{city.vote_public_id}/record.json" in page
    if rule == "greedy":
        assert "5표를 얻어 선정" in page  # C, funded with 5 votes
        assert "예산이 맞지 않음: 0 남음, 비용 50 (4표)" in page  # B
    else:
        assert "균등배분법" in page
        assert "라운드에서 선정" in page

    # Anyone can check the scope's count, paper batch and winners from its election record.
    record = json.loads(json.dumps(election_record(scope_vote(city))))
    report = check(record)
    assert report.ok, report.lines
    assert record["results"]["questions"][0]["budget"] == city.result

    # The Pabulib export reads back and gives the same winners under the same rule.
    text = dumps(scope_instance(city))
    instance = loads(text)
    assert instance.meta["rule"] == rule
    assert instance.meta["budget"] == "100"
    assert len(instance.ballots) == 9  # 7 online + 2 paper
    assert sum(1 for b in instance.ballots if b.fields["voting_method"] == "paper") == 2
    assert all(not b.voter_id.startswith("user") for b in instance.ballots)
    again = simulate(instance, rule)
    assert {instance.projects[pid].name[0] for pid in again.funded} == city_funded
    assert instance.selected() == {pid for pid in again.funded}

    round_advance(actor=admin, round_=round_, to=Round.Phase.IMPLEMENTATION)
    planned = Project.objects.filter(status="planning")
    assert {p.title[0] for p in planned} == city_funded | jongno_funded


def test_export_and_simulate_from_the_command_line(cityhall_official, tmp_path: Path) -> None:
    admin = cityhall_official
    round_, city, _jongno, voters, _projects, _ = round_at_ballot(admin, "equalshares/add1")
    city.refresh_from_db()
    for n, voter in enumerate(voters):
        ballot_cast(vote=scope_vote(city), voter=voter, choices=[[0, 1] if n < 4 else [2]])
    _close(round_)
    assert round_export(round_, tmp_path) == []  # nothing counted yet: nothing written
    round_advance(actor=admin, round_=round_, to=Round.Phase.TALLIED)
    out = io.StringIO()
    with redirect_stdout(out):
        assert budget_cli(["export", str(round_.pk), str(tmp_path)]) == 0
    files = sorted(tmp_path.glob("*.pb"))
    assert [f.name.split("_")[-1] for f in files] == ["11110.pb", "city.pb"]
    out = io.StringIO()
    with redirect_stdout(out):
        assert budget_cli(["simulate", str(files[1]), "--rule", "greedy"]) == 0
    assert "greedy: 2 funded, 100 of 100 spent" in out.getvalue()
