"""Several processes cast encrypted ballots for the same voters at once: every ballot lands
in the ledger, each voter's last ballot is the one that counts, nobody is counted twice, and
the election record of the result verifies.

On PostgreSQL the processes share the test database (DATABASE_URL set); otherwise they share
a SQLite file (a migrated copy).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.processes import clean_env

CASTERS = 4
VOTERS = 5
ROUNDS = 3

SETUP = """
import datetime, json, sys
import django
django.setup()
from django.utils import timezone
from smartseoul.accounts.actions import (citizen_profile_save, email_mark_verified,
    official_create, role_grant)
from smartseoul.accounts.models import Department, User
from smartseoul.accounts.roles import Role
from smartseoul.places.models import District
from smartseoul.voting import trustee_device as device
from smartseoul.voting.actions import QuestionSpec, vote_create, vote_schedule
from smartseoul.voting.models import Vote
from smartseoul.voting.trustee_queries import ceremony_view, sealed_shares_for
from smartseoul.voting.trustees import (ceremony_of, trustee_confirm, trustee_dealing_submit,
    trustee_transport_key_submit, trustees_appoint)
from smartseoul.web.demo import departments_load

departments_load()
admin = official_create(actor=None, email="admin@race.example", password=None, name="관리자",
    department=Department.objects.get(code="digital-city"), roles=[Role.ELECTION_ADMINISTRATOR])
trustees = []
for i in (1, 2, 3):
    user = User.objects.create_user(f"t{i}@race.example", None)
    role_grant(actor=None, user=user, role=Role.ELECTION_TRUSTEE)
    trustees.append(User.objects.get(pk=user.pk))
for i in range(%(voters)d):
    voter = User.objects.create_user(f"v{i}@race.example", None)
    citizen_profile_save(user=voter, name=f"시민{i}", district=District.objects.get(code="11110"))
now = timezone.now()
vote = vote_create(actor=admin, kind=Vote.Kind.POLICY, privacy=Vote.Privacy.SECRET,
    title="동시 투표", opens_at=now - datetime.timedelta(minutes=5),
    closes_at=now + datetime.timedelta(hours=1),
    questions=[QuestionSpec("무엇을?", ["가", "나", "다"])])
trustees_appoint(actor=admin, vote=vote, users=trustees, threshold=2)
states = {i: device.new_state(server="-", vote=str(vote.public_id), index=i,
    ceremony=ceremony_of(vote)) for i in (1, 2, 3)}
for i, user in enumerate(trustees, 1):
    trustee_transport_key_submit(actor=user, vote=vote, transport_key=device.init(states[i]))
view = ceremony_view(vote, trustees[0])
keys = {t["index"]: t["transport_key"] for t in view["trustees"]}
for i, user in enumerate(trustees, 1):
    dealing, sealed = device.deal_shares(states[i], keys)
    trustee_dealing_submit(actor=user, vote=vote, dealing=dealing, sealed_shares=sealed)
dealings = [t["dealing"] for t in ceremony_view(vote, trustees[0])["trustees"]]
for i, user in enumerate(trustees, 1):
    device.confirm(states[i], dealings, sealed_shares_for(vote, user))
    trustee_confirm(actor=user, vote=vote)
vote.refresh_from_db()
vote_schedule(actor=admin, vote=vote)
with open(sys.argv[1], "w") as fh:
    json.dump({"vote": str(vote.public_id), "states": states}, fh)
"""

CASTER = """
import json, os, sys, time
import django
django.setup()
from smartseoul.accounts.models import User
from smartseoul.voting.actions import ballot_cast_encrypted
from smartseoul.voting.ballot_context import election_context
from smartseoul.voting.crypto import encrypt_ballot
from smartseoul.voting.models import Vote

caster = int(sys.argv[1])
setup = json.load(open(sys.argv[2]))
vote = Vote.objects.get(public_id=setup["vote"])
context = election_context(vote)
voters = [User.objects.get(email=f"v{i}@race.example") for i in range(%(voters)d)]
ballots = [[encrypt_ballot(context, [[1 if j == (caster + r + i) %% 3 else 0 for j in range(3)]])[0]
            for i in range(len(voters))] for r in range(%(rounds)d)]
while not os.path.exists(sys.argv[3]):
    time.sleep(0.005)
for round_ballots in ballots:
    for voter, ballot in zip(voters, round_ballots):
        ballot_cast_encrypted(vote=vote, voter=voter, ballot_json=ballot.to_json())
"""

CHECK = """
import datetime, json, sys
import django
django.setup()
from smartseoul.accounts.models import User
from smartseoul.voting import trustee_device as device
from smartseoul.voting.actions import pseudonym, vote_publish, vote_sync_status, vote_tally
from smartseoul.voting.models import Ballot, Participation, Vote
from smartseoul.voting.record import election_record
from smartseoul.voting.counting import encrypted_count_finish
from smartseoul.voting.tally import tally_from_json
from smartseoul.voting.trustees import trustee_decryption_submit
from smartseoul.voting.verify_record import verify

setup = json.load(open(sys.argv[1]))
vote = Vote.objects.get(public_id=setup["vote"])
admin = User.objects.get(email="admin@race.example")
vote_sync_status(vote, now=vote.closes_at + datetime.timedelta(seconds=1))
vote_tally(actor=admin, vote=vote)
encrypted_count_finish(vote=vote, actor=admin)  # what the worker's task does
vote.refresh_from_db()
# Counting has put every ballot in the ledger; in ledger order, each voter's counted ballot
# must be their last.
per_voter = {}
for i in range(%(voters)d):
    user = User.objects.get(email=f"v{i}@race.example")
    name = pseudonym(vote, f"user:{user.pk}")
    ballots = list(Ballot.objects.filter(vote=vote, pseudonym=name).order_by("ledger_index"))
    counted = list(Participation.objects.filter(vote=vote, voter_ref=f"user:{user.pk}"))
    per_voter[i] = {
        "ballots": len(ballots),
        "participations": len(counted),
        "counted_is_last": counted[0].ballot_id == ballots[-1].pk,
        "others_replaced": all(b.replaced_at is not None for b in ballots[:-1]),
        "live": sum(1 for b in ballots if b.replaced_at is None),
    }
ciphertexts = tally_from_json(vote.encrypted_tally)
for i in (1, 3):
    share = device.decrypt(setup["states"][str(i)], bytes.fromhex(vote.election_hash), ciphertexts)
    trustee_decryption_submit(actor=User.objects.get(email=f"t{i}@race.example"), vote=vote,
        share=share)
vote_publish(actor=admin, vote=vote)
report = verify(json.loads(json.dumps(election_record(vote))), workers=1, say=lambda _l: None)
print("RESULT " + json.dumps({"voters": per_voter, "counted": vote.results["ballots"],
    "votes": sum(o["votes"] for o in vote.results["questions"][0]["options"]),
    "record_ok": report.ok, "failed": sorted(report.failed)}))
"""


def run(script: str, *args: str, env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_casts_never_count_a_voter_twice(tmp_path: Path, sqlite_copy: Path) -> None:
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        url = (
            f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        url = f"sqlite:///{sqlite_copy}"
    env = clean_env(
        SMARTSEOUL_ENV="development",
        SMARTSEOUL_VAR_DIR=str(tmp_path / "var"),
        SMARTSEOUL_LOG_LEVEL="warning",
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="smartseoul.settings",
        SMARTSEOUL_LEDGER_KEY_DIR=str(django_settings.LEDGER_KEY_DIR),
    )
    setup, go = tmp_path / "setup.json", tmp_path / "go"
    values = {"voters": VOTERS, "rounds": ROUNDS}
    run(SETUP % values, str(setup), env=env, cwd=tmp_path)
    casters = [
        subprocess.Popen(
            [sys.executable, "-c", CASTER % values, str(n), str(setup), str(go)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(CASTERS)
    ]
    time.sleep(1.5)  # every caster has imported Django and encrypted its ballots
    go.touch()
    for caster in casters:
        output, _ = caster.communicate(timeout=240)
        assert caster.returncode == 0, output

    result = json.loads(run(CHECK % values, str(setup), env=env, cwd=tmp_path).split("RESULT ")[1])
    for voter in result["voters"].values():
        assert voter["ballots"] == CASTERS * ROUNDS  # every cast is in the ledger …
        assert voter["participations"] == 1
        assert voter["live"] == 1  # … and exactly one of them counts: the last one
        assert voter["counted_is_last"]
        assert voter["others_replaced"]
    assert result["counted"] == VOTERS
    assert result["votes"] == VOTERS
    assert result["record_ok"], result["failed"]
