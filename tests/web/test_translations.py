"""Korean is the default language, so every interface string needs a Korean translation.

The project keeps one catalogue in ``smartseoul/locale`` and apps that were built later keep
their own in ``smartseoul/<app>/locale``; every one of them is checked."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "smartseoul"
CATALOGUES = sorted(PACKAGE.glob("**/locale/ko/LC_MESSAGES/django.po"))


def test_the_project_catalogue_is_among_those_checked() -> None:
    assert PACKAGE / "locale" / "ko" / "LC_MESSAGES" / "django.po" in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_every_string_has_a_korean_translation(po_path: Path) -> None:
    catalog = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_the_compiled_catalog_matches_the_source(po_path: Path) -> None:
    catalog = polib.pofile(str(po_path))
    with po_path.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        entry.msgid
        for entry in catalog.translated_entries()
        if not entry.msgid_plural and compiled.gettext(entry.msgid) != entry.msgstr
    ]
    assert stale == [], "run the translation compile step (see docs/development.md)"
