"""Administrators upload a Pabulib file and see greedy and Equal Shares side by side; the
reasons read in Korean; others may not use the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from smartseoul.budgeting.pabulib import load
from smartseoul.budgeting.presenters import reason_text
from smartseoul.budgeting.profile import Profile
from smartseoul.budgeting.rules import Variant, equal_shares, greedy
from tests.conftest import totp_activate

pytestmark = pytest.mark.django_db

ASSEN = Path(__file__).parent / "data" / "Netherlands_Assen_2024.pb"


def _admin_client(user) -> Client:
    totp_activate(user)
    client = Client()
    client.force_login(user)
    return client


def test_the_upload_shows_both_rules_side_by_side(cityhall_official) -> None:
    client = _admin_client(cityhall_official)
    upload = SimpleUploadedFile("assen.pb", ASSEN.read_bytes(), content_type="text/plain")
    page = client.post("/budget/simulate/", {"file": upload}).content.decode()
    profile = Profile.from_instance(load(ASSEN))
    by_greedy = set(greedy(profile).funded)
    by_shares = set(equal_shares(profile, variant=Variant.ADD1).funded)
    assert by_greedy != by_shares  # the file tells the rules apart
    table = page.split('id="simulation"')[1]
    for row in table.split("<tr data-project=")[1:]:
        pid = row.split('"')[1]
        greedy_cell = row.split('class="greedy"')[1].split("</td>")[0]
        shares_cell = row.split('class="shares"')[1].split("</td>")[0]
        assert ("✔" in greedy_cell) == (pid in by_greedy)
        assert ("✔" in shares_cell) == (pid in by_shares)


def test_a_broken_file_is_refused_by_line_and_the_page_is_for_administrators(
    cityhall_official, citizen_client
) -> None:
    client = _admin_client(cityhall_official)
    broken = SimpleUploadedFile("x.pb", b"META\nkey;value\nPROJECTS\n", content_type="text/plain")
    page = client.post("/budget/simulate/", {"file": broken}).content.decode()
    assert "budget" in page  # "missing budget" named by the reader
    assert citizen_client.get("/budget/simulate/").status_code == 403


def test_reasons_are_sentences_in_the_readers_language() -> None:
    from django.utils import translation

    reason = {"code": "did_not_fit", "params": {"votes": "812", "left": "3000", "cost": "5000"}}
    with translation.override("ko"):
        assert reason_text(reason) == "예산이 맞지 않음: 3,000 남음, 비용 5,000 (812표)."
    with translation.override("en"):
        assert reason_text(reason) == "Did not fit: 3,000 left, it costs 5,000 (812 votes)."
        funded = {
            "code": "mes_funded",
            "params": {"votes": "3", "round": "2", "price_per_voter": "2469/2"},
        }
        assert reason_text(funded) == (
            "Funded in round 2 of Equal Shares: its 3 supporters paid at most 1,234.50 each."
        )
