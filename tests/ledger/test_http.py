"""The ledger's HTTP interface (docs/ledger.md), as any client sees it."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from smartseoul.ledger import actions
from smartseoul.ledger.checkpoint import open_checkpoint
from smartseoul.ledger.merkle import (
    MemoryTree,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from smartseoul.ledger.models import Log
from smartseoul.ledger.note import parse_verifier_key

pytestmark = pytest.mark.django_db

ENTRIES = [f"entry {i}".encode() for i in range(1500)]


@pytest.fixture
def records() -> Log:
    log = actions.log_ensure("records")
    actions.entries_append(log=log, data=ENTRIES)
    return log


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_the_index_lists_every_log_with_its_key(client: Client, records: Log) -> None:
    response = client.get("/ledger/")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    logs = {log["name"]: log for log in response.json()["logs"]}
    assert set(logs) == {"votes", "records"}
    assert logs["records"]["size"] == 1500
    assert logs["records"]["vkey"] == records.vkey
    assert logs["records"]["origin"] == records.origin
    assert logs["records"]["witnesses"] == []


def test_the_checkpoint_is_a_signed_note_of_the_current_tree(client: Client, records: Log) -> None:
    response = client.get("/ledger/records/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "max-age=1" in response["Cache-Control"]
    checkpoint, _ = open_checkpoint(
        response.content, [parse_verifier_key(records.vkey)], origin=records.origin
    )
    assert checkpoint.size == 1500
    assert checkpoint.root_hash == MemoryTree(map(leaf_hash, ENTRIES)).root()


def test_entries_come_back_in_pages_of_at_most_1000(client: Client, records: Log) -> None:
    response = client.get("/ledger/records/entries", {"start": 998, "end": 1002})
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert response.json() == {
        "entries": [{"index": i, "data": b64(ENTRIES[i])} for i in range(998, 1002)]
    }
    assert len(client.get("/ledger/records/entries?start=0&end=1000").json()["entries"]) == 1000


def test_inclusion_proofs_by_index_and_by_leaf_hash(client: Client, records: Log) -> None:
    tree = MemoryTree(map(leaf_hash, ENTRIES))
    by_index = client.get("/ledger/records/proof/inclusion?index=700&tree_size=1200").json()
    assert by_index["index"] == 700
    assert by_index["tree_size"] == 1200
    assert by_index["leaf_hash"] == b64(leaf_hash(ENTRIES[700]))
    hashes = [base64.b64decode(h) for h in by_index["hashes"]]
    verify_inclusion(leaf_hash(ENTRIES[700]), 700, 1200, hashes, tree.root(1200))

    # A raw "+" in a query string arrives as a space; both spellings work.
    leaf = b64(leaf_hash(ENTRIES[700]))
    by_leaf = client.get("/ledger/records/proof/inclusion", {"leaf_hash": leaf, "tree_size": 1200})
    assert by_leaf.json() == by_index
    current = client.get("/ledger/records/proof/inclusion", {"index": 3}).json()
    assert current["tree_size"] == 1500


def test_consistency_proofs(client: Client, records: Log) -> None:
    tree = MemoryTree(map(leaf_hash, ENTRIES))
    body = client.get("/ledger/records/proof/consistency?first=333&second=1500").json()
    assert (body["first"], body["second"]) == (333, 1500)
    hashes = [base64.b64decode(h) for h in body["hashes"]]
    verify_consistency(333, 1500, tree.root(333), tree.root(), hashes)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/ledger/records/entries?start=0&end=1001", "at most 1000"),
        ("/ledger/records/entries?start=5&end=5", "start < end"),
        ("/ledger/records/entries?start=1400&end=1501", "beyond the log's current size 1500"),
        ("/ledger/records/entries?start=x&end=3", "start must be a non-negative"),
        ("/ledger/records/entries?end=3", "start is required"),
        ("/ledger/records/proof/inclusion?index=1500", "index=1500 must be below"),
        ("/ledger/records/proof/inclusion?index=5&tree_size=5", "must be below tree_size=5"),
        ("/ledger/records/proof/inclusion?index=1&tree_size=1501", "tree_size=1501 is beyond"),
        ("/ledger/records/proof/inclusion?index=-1", "non-negative"),
        ("/ledger/records/proof/inclusion?leaf_hash=abc", "base64"),
        ("/ledger/records/proof/inclusion?leaf_hash=YWJj", "32 bytes"),
        ("/ledger/records/proof/inclusion", "index is required"),
        ("/ledger/records/proof/consistency?first=10&second=9", "first=10 must be between"),
        ("/ledger/records/proof/consistency?first=1&second=2000", "second=2000 is beyond"),
        ("/ledger/records/proof/consistency?first=1e3", "non-negative decimal"),
        ("/ledger/records/proof/consistency?first=99999999999999999999999", "non-negative"),
    ],
)
def test_bad_parameters_get_a_400_that_says_why(
    client: Client, records: Log, path: str, message: str
) -> None:
    response = client.get(path)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["code"] == "bad_request"
    assert message in error["message"]
    assert response["Cache-Control"] == "no-store"


def test_unknown_things_are_404(client: Client, records: Log) -> None:
    assert client.get("/ledger/nope/checkpoint").json()["error"]["code"] == "not_found"
    missing = b64(leaf_hash(b"never logged"))
    response = client.get("/ledger/records/proof/inclusion", {"leaf_hash": missing})
    assert response.status_code == 404
    assert "no entry with this leaf hash" in response.json()["error"]["message"]


def test_the_log_page_shows_size_checkpoint_and_witnesses(client: Client, records: Log) -> None:
    page = client.get("/ledger/records/").content.decode()
    assert records.origin in page
    assert 'data-testid="log-size">1500<' in page
    assert records.vkey in page
    assert client.get("/ledger/nothing-here/").status_code == 404
