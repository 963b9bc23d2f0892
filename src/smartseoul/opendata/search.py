"""Korean-aware catalogue search: kiwipiepy morphemes, facets, sorting, related datasets.

Each dataset's morphemes are computed when it is saved (``Dataset.search_terms``); a search
analyses only the query.  The catalogue (thousands of datasets, not millions) is held in an
in-process index rebuilt whenever the catalogue changes — a change is noticed by one cheap
query for the row count and newest modification time — so a search costs no per-dataset SQL.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Sum

from smartseoul.opendata.models import Dataset

# Nouns, roots of verbs and adjectives, foreign words, numbers, Chinese characters.
_KEPT_TAGS = ("NNG", "NNP", "NNB", "NR", "VV", "VA", "XR", "SL", "SN", "SH")
_WORD = re.compile(r"[\w]+", re.UNICODE)
FACETS = ("category", "organization", "res_format", "tags")


@functools.cache
def _kiwi() -> Any:
    from kiwipiepy import Kiwi

    return Kiwi()


_kiwi_lock = threading.Lock()


def terms_of(text: str) -> list[str]:
    """The searchable morphemes of a text: "공공와이파이 위치" → ["공공", "와이파이", "위치"]."""
    if not text.strip():
        return []
    with _kiwi_lock:  # a Kiwi instance is not documented as thread-safe
        tokens = _kiwi().tokenize(text)
    terms = [token.form.lower() for token in tokens if token.tag.startswith(_KEPT_TAGS)]
    # Whole words too, so that a compound typed as one word ("대기오염") still matches itself.
    terms.extend(word.lower() for word in _WORD.findall(text) if len(word) > 1)
    return terms


def dataset_terms(dataset: Dataset, column_names: Iterable[str] = ()) -> str:
    text = " ".join(
        [
            dataset.title_ko,
            dataset.title_en,
            dataset.description_ko,
            dataset.description_en,
            " ".join(dataset.tags),
            " ".join(column_names),
        ]
    )
    return " ".join(sorted(set(terms_of(text))))


@dataclass
class _Entry:
    id: str
    name: str
    title: str
    terms: frozenset[str]
    category: str
    organization: str
    formats: frozenset[str]
    tags: tuple[str, ...]
    modified: Any
    popularity: int = 0


@dataclass
class _Index:
    stamp: tuple[Any, ...]
    entries: list[_Entry] = field(default_factory=list)
    by_id: dict[str, _Entry] = field(default_factory=dict)
    postings: dict[str, set[int]] = field(default_factory=dict)  # term → entry positions


_index_lock = threading.Lock()
_index: _Index | None = None


def _stamp() -> tuple[Any, ...]:
    from smartseoul.opendata.models import Resource

    data = Dataset.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    resources = Resource.objects.aggregate(n=Count("id"))
    return (data["n"], data["latest"], resources["n"])


def _build(stamp: tuple[Any, ...]) -> _Index:
    from smartseoul.opendata.models import DatasetUsage, Resource

    formats: dict[str, set[str]] = {}
    for dataset_id, file_format in Resource.objects.values_list("dataset_id", "format"):
        formats.setdefault(str(dataset_id), set()).add(file_format.upper())
    popularity = dict(
        DatasetUsage.objects.values("dataset_id")
        .annotate(n=Sum("views"))
        .values_list("dataset_id", "n")
    )
    index = _Index(stamp=stamp)
    rows = Dataset.objects.values_list(
        "id",
        "name",
        "title_ko",
        "search_terms",
        "category",
        "department__code",
        "tags",
        "updated_at",
    )
    for pk, name, title, terms, category, organization, tags, modified in rows:
        entry = _Entry(
            id=str(pk),
            name=name,
            title=title,
            terms=frozenset(terms.split()),
            category=category,
            organization=organization,
            formats=frozenset(formats.get(str(pk), ())),
            tags=tuple(tags),
            modified=modified,
            popularity=popularity.get(pk, 0) or 0,
        )
        for term in entry.terms:
            index.postings.setdefault(term, set()).add(len(index.entries))
        index.entries.append(entry)
        index.by_id[entry.id] = entry
    return index


def _current_index() -> _Index:
    global _index
    stamp = _stamp()
    index = _index
    if index is not None and index.stamp == stamp:
        return index
    with _index_lock:
        if _index is None or _index.stamp != stamp:
            _index = _build(stamp)
        return _index


@dataclass
class SearchResult:
    count: int
    ids: list[str]
    facets: dict[str, dict[str, int]]


def _matches(entry: _Entry, facet_filters: Mapping[str, Sequence[str]]) -> bool:
    for facet, wanted in facet_filters.items():
        if not wanted:
            continue
        if facet == "category" and entry.category not in wanted:
            return False
        if facet == "organization" and entry.organization not in wanted:
            return False
        if facet == "res_format" and not entry.formats & {w.upper() for w in wanted}:
            return False
        if facet == "tags" and not set(entry.tags) & set(wanted):
            return False
    return True


def catalogue_search(
    *,
    q: str = "",
    facet_filters: Mapping[str, Sequence[str]] | None = None,
    sort: str = "",
    rows: int = 10,
    start: int = 0,
    facet_fields: Sequence[str] = FACETS,
) -> SearchResult:
    """Datasets matching every morpheme of ``q`` and every facet filter."""
    index = _current_index()
    wanted = set(terms_of(q)) if q.strip() else set()
    # Every query word must match: as a whole word, or through all of its morphemes (the
    # analyser splits "초미세먼지" into "초", "미세", "먼지"; a dataset with all three matches).
    words = []
    for word in q.split():
        whole = word.lower()
        morphemes = frozenset(terms_of(word)) - {whole}
        words.append((whole, morphemes))
    candidates: list[_Entry] = index.entries
    if words:
        matching: set[int] | None = None
        for whole, morphemes in words:
            found = set(index.postings.get(whole, ()))
            postings = [index.postings.get(m) for m in morphemes]
            if morphemes and all(postings):
                found |= set.intersection(*postings)  # type: ignore[arg-type]
            matching = found if matching is None else matching & found
        candidates = [index.entries[i] for i in sorted(matching or ())]
    hits: list[tuple[float, _Entry]] = []
    for entry in candidates:
        if not _matches(entry, facet_filters or {}):
            continue
        score = float(len(wanted & entry.terms))
        hits.append((score, entry))
    key = (sort or ("score desc" if wanted else "metadata_modified desc")).strip().lower()
    if key.startswith("title"):
        hits.sort(key=lambda hit: hit[1].title, reverse=key.endswith("desc"))
    elif key.startswith("metadata_modified") or key.startswith("metadata_created"):
        hits.sort(key=lambda hit: hit[1].modified, reverse=not key.endswith("asc"))
    elif key.startswith(("views", "popular")):
        hits.sort(key=lambda hit: (hit[1].popularity, hit[1].modified), reverse=True)
    else:
        hits.sort(key=lambda hit: (hit[0], hit[1].modified), reverse=True)
    facets: dict[str, dict[str, int]] = {}
    for facet in facet_fields:
        if facet not in FACETS:
            continue
        counter: Counter[str] = Counter()
        for _score, entry in hits:
            if facet == "category":
                counter[entry.category] += 1
            elif facet == "organization":
                counter[entry.organization] += 1
            elif facet == "res_format":
                counter.update(entry.formats)
            else:
                counter.update(entry.tags)
        facets[facet] = dict(counter.most_common(50))
    return SearchResult(
        count=len(hits), ids=[entry.id for _s, entry in hits[start : start + rows]], facets=facets
    )


def related_ids(dataset: Dataset, limit: int = 5) -> list[str]:
    """Datasets sharing the most terms and tags (same category counts extra)."""
    index = _current_index()
    own = index.by_id.get(str(dataset.pk))
    if own is None:
        return []
    scored = []
    for entry in index.entries:
        if entry.id == own.id:
            continue
        shared = len(own.terms & entry.terms) + 3 * len(set(own.tags) & set(entry.tags))
        if entry.category == own.category:
            shared += 2
        if shared:
            scored.append((shared, entry.id))
    scored.sort(reverse=True)
    return [pk for _score, pk in scored[:limit]]
