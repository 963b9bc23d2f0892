"""The trustees' side as real processes: `smartseoul trustee …` on three "machines" against a
live `smartseoul serve`, then `smartseoul verify-election --url` on the downloaded record."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest

from tests.processes import Site, clean_env, cli, site_env

SETUP = """
import datetime, json
from django.utils import timezone
from smartseoul.accounts.actions import (api_key_issue, citizen_profile_save,
    email_mark_verified, official_create, role_grant)
from smartseoul.accounts.models import Department, User
from smartseoul.accounts.roles import Role
from smartseoul.places.models import District
from smartseoul.voting.actions import QuestionSpec, vote_create
from smartseoul.voting.models import Vote
from smartseoul.voting.trustees import trustees_appoint
from smartseoul.web.demo import departments_load

departments_load()
admin = official_create(actor=None, email="admin@e2e.example", password="pw-pw-pw-pw",
    name="관리자", department=Department.objects.get(code="digital-city"),
    roles=[Role.ELECTION_ADMINISTRATOR])
keys = []
trustees = []
for i in (1, 2, 3):
    user = User.objects.create_user(f"trustee{i}@e2e.example", "pw-pw-pw-pw")
    email_mark_verified(user)
    role_grant(actor=None, user=user, role=Role.ELECTION_TRUSTEE)
    # Trustees use two-factor authentication like officials; their keys work once it is set.
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    TOTP.activate(user, generate_totp_secret())
    trustees.append(User.objects.get(pk=user.pk))
    keys.append(api_key_issue(user=user, name="trustee machine")[1])
for i in range(3):
    voter = User.objects.create_user(f"voter{i}@e2e.example", "pw-pw-pw-pw")
    citizen_profile_save(user=voter, name=f"시민{i}", district=District.objects.get(code="11110"))
now = timezone.now()
vote = vote_create(actor=admin, kind=Vote.Kind.POLICY, privacy=Vote.Privacy.SECRET,
    title="e2e 비밀투표", opens_at=now - datetime.timedelta(minutes=5),
    closes_at=now + datetime.timedelta(hours=1),
    questions=[QuestionSpec("무엇을?", ["가", "나", "다"])])
trustees_appoint(actor=admin, vote=vote, users=trustees, threshold=2)
print("RESULT " + json.dumps({"vote": str(vote.public_id), "keys": keys}))
"""

VOTE_AND_COUNT = """
import datetime
from smartseoul.accounts.models import User
from smartseoul.voting.actions import (ballot_cast_encrypted, vote_schedule,
    vote_sync_status, vote_tally)
from smartseoul.voting.ballot_context import election_context
from smartseoul.voting.crypto import encrypt_ballot
from smartseoul.voting.models import Vote

vote = Vote.objects.get(public_id="%(vote)s")
admin = User.objects.get(email="admin@e2e.example")
vote_schedule(actor=admin, vote=vote)
context = election_context(vote)
for number, pick in enumerate([[0, 1, 0], [0, 1, 0], [1, 0, 0]]):
    voter = User.objects.get(email=f"voter{number}@e2e.example")
    ballot, _ = encrypt_ballot(context, [[1, 0, 0]])  # a first choice, then a change of mind
    ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=ballot.to_json())
    ballot, _ = encrypt_ballot(context, [pick])
    ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=ballot.to_json())
vote_sync_status(vote, now=vote.closes_at + datetime.timedelta(seconds=1))
vote_tally(actor=admin, vote=vote)
# The count runs in the background: here, the worker's own command, once.
from django.core.management import call_command
call_command("db_worker", "--batch", "--no-startup-delay")
"""

PUBLISH = """
from smartseoul.accounts.models import User
from smartseoul.voting.actions import vote_publish
from smartseoul.voting.models import Vote
vote_publish(actor=User.objects.get(email="admin@e2e.example"),
    vote=Vote.objects.get(public_id="%(vote)s"))
"""


def trustee(number: int, keys: list[str], *args: str, cwd: Path, check: bool = True) -> str:
    env = clean_env(SMARTSEOUL_API_KEY=keys[number - 1])
    result = cli("trustee", *args, env=env, cwd=cwd, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"trustee {number} {args}: {result.stdout}{result.stderr}")
    return result.stdout + result.stderr if check else f"{result.returncode}:{result.stderr}"


@pytest.mark.slow
def test_trustees_make_the_key_and_decrypt_from_their_own_machines(
    tmp_path: Path, sqlite_copy: Path
) -> None:
    site = Site(url="", env=site_env(tmp_path, sqlite_copy, {}), workdir=tmp_path)
    out = site.shell(SETUP)
    setup = json.loads(out.split("RESULT ", 1)[1])
    vote, keys = setup["vote"], setup["keys"]
    files = {n: tmp_path / f"machine{n}" / "trustee.json" for n in (1, 2, 3)}
    site.start()
    try:
        trustee(1, keys, "init", site.url, vote, "--key-file", str(files[1]), cwd=tmp_path)
        assert stat.S_IMODE(files[1].stat().st_mode) == 0o600
        # Trustee 1 is ahead of the others: "not yet" (3), and nothing is lost.
        waiting = trustee(1, keys, "deal", "--key-file", str(files[1]), cwd=tmp_path, check=False)
        assert waiting.startswith("3:")
        assert "transport keys of trustees [2, 3]" in waiting
        for n in (2, 3):
            trustee(n, keys, "init", site.url, vote, "--key-file", str(files[n]), cwd=tmp_path)
        for n in (1, 2, 3):
            trustee(n, keys, "deal", "--key-file", str(files[n]), cwd=tmp_path)
        # Another trustee's API key cannot act on this key file's behalf.
        stolen = trustee(2, keys, "confirm", "--key-file", str(files[1]), cwd=tmp_path, check=False)
        assert stolen.startswith("1:")
        for n in (1, 2):
            trustee(n, keys, "confirm", "--key-file", str(files[n]), cwd=tmp_path)
        last = trustee(3, keys, "confirm", "--key-file", str(files[3]), cwd=tmp_path)
        assert "the election key is complete" in last
        assert "secret_share" in json.loads(files[3].read_text())
        status = trustee(2, keys, "status", "--key-file", str(files[2]), cwd=tmp_path)
        assert "(you)" in status
        assert "election key: " in status

        site.shell(VOTE_AND_COUNT % {"vote": vote})
        first = trustee(1, keys, "decrypt", "--key-file", str(files[1]), cwd=tmp_path)
        assert "status closed" in first
        second = trustee(3, keys, "decrypt", "--key-file", str(files[3]), cwd=tmp_path)
        assert "status tallied" in second
        site.shell(PUBLISH % {"vote": vote})

        results = httpx.get(f"{site.url}/api/voting/votes/{vote}/results", timeout=30).json()
        assert [o["votes"] for o in results["questions"][0]["options"]] == [1, 2, 0]
        record = httpx.get(f"{site.url}/voting/{vote}/record.json", timeout=60)
        assert record.status_code == 200
        path = tmp_path / "record.json"
        path.write_bytes(record.content)
        good = cli("verify-election", str(path), "--url", site.url, env=clean_env(), cwd=tmp_path)
        assert "✓ complete ballot list" in good.stdout
        assert "✓ results" in good.stdout

        tampered = json.loads(record.content)
        del tampered["ballots"][1]
        path.write_text(json.dumps(tampered))
        bad = cli("verify-election", str(path), env=clean_env(), cwd=tmp_path, check=False)
        assert bad.returncode == 1
        assert "✗ ledger inclusion" in bad.stdout
    finally:
        output = site.stop()
    assert "Traceback" not in output, output
