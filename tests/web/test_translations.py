"""Korean is the default language, so every interface string needs a Korean translation."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib

LOCALE = (
    Path(__file__).resolve().parents[2] / "src" / "smartseoul" / "locale" / "ko" / "LC_MESSAGES"
)


def test_every_string_has_a_korean_translation() -> None:
    catalog = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalog_matches_the_source() -> None:
    catalog = polib.pofile(str(LOCALE / "django.po"))
    with (LOCALE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        entry.msgid
        for entry in catalog.translated_entries()
        if not entry.msgid_plural and compiled.gettext(entry.msgid) != entry.msgstr
    ]
    assert stale == [], "run the translation compile step (see docs/development.md)"
