"""Ledger settings fail loudly; the publisher signs only what changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from smartseoul.ledger import actions, publisher
from smartseoul.ledger.config import parse_log_names, parse_witness, parse_witnesses
from smartseoul.ledger.models import Checkpoint
from smartseoul.ledger.witness_protocol import generate_cosigner_key


def test_witnesses_are_name_url_vkey() -> None:
    _, vkey = generate_cosigner_key("w1.example")
    witness = parse_witness(f"w1.example=https://w1.example/tlog?x=1={vkey}")
    assert witness.url == "https://w1.example/tlog?x=1"
    assert witness.add_checkpoint_url == "https://w1.example/tlog?x=1/add-checkpoint"
    for bad, message in [
        (f"w2.example=https://w1.example={vkey}", "must match"),
        (f"w1.example=ftp://w1.example={vkey}", "http"),
        ("w1.example=https://w1.example=nonsense", "key"),
        ("just-a-name", "name=url=vkey"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=message):
            parse_witness(bad)
    with pytest.raises(ImproperlyConfigured, match="twice"):
        parse_witnesses([f"w1.example=https://a={vkey}", f"w1.example=https://b={vkey}"])


def test_log_names_are_checked() -> None:
    assert parse_log_names(["votes", "records"]) == ["votes", "records"]
    for bad in ("Votes", "verify", "a/b", ""):
        with pytest.raises(ImproperlyConfigured):
            parse_log_names([bad])


@pytest.mark.django_db
def test_the_publisher_signs_each_log_once_per_new_head() -> None:
    assert publisher.publish_changed() == 2  # both logs, empty
    assert publisher.publish_changed() == 0
    actions.entry_append(log=actions.log_ensure("votes"), data=b"ballot")
    assert publisher.publish_changed() == 1
    assert sorted(Checkpoint.objects.values_list("log__name", "size")) == [
        ("records", 0),
        ("votes", 0),
        ("votes", 1),
    ]
