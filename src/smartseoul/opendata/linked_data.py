"""DCAT-AP 3 for the catalogue and each dataset, as JSON-LD and Turtle; schema.org Dataset.

One small node model (``Node``/``Literal``/``IRI``) is built per dataset and written out by two
serializers, so the JSON-LD and the Turtle always say the same thing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Union

from django.urls import reverse

from smartseoul.opendata.models import LICENCES, Dataset, Resource

PREFIXES = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}
# Our categories → the EU data-theme vocabulary DCAT-AP asks for.
THEMES = {
    "administration": "GOVE",
    "culture": "EDUC",
    "environment": "ENVI",
    "health": "HEAL",
    "economy": "ECON",
    "city": "REGI",
    "welfare": "SOCI",
    "transport": "TRAN",
    "safety": "JUST",
    "education": "EDUC",
}
THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCIES = {
    "realtime": "CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "annual": "ANNUAL",
    "irregular": "IRREG",
}
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
}


@dataclass(frozen=True)
class IRI:
    value: str


@dataclass(frozen=True)
class Literal:
    value: str
    language: str | None = None
    datatype: str | None = None  # a prefixed name such as "xsd:date"


@dataclass
class Node:
    id: str | None  # None for a blank node
    types: list[str]
    properties: dict[str, list[Value]] = field(default_factory=dict)

    def add(self, predicate: str, *values: Value | None) -> Node:
        for value in values:
            if value is None or (isinstance(value, Literal) and not value.value):
                continue
            self.properties.setdefault(predicate, []).append(value)
        return self


Value = Union[IRI, Literal, Node]  # noqa: UP007 - a runtime alias


def _date(value: datetime.date | datetime.datetime | None) -> Literal | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return Literal(value.isoformat(timespec="seconds"), datatype="xsd:dateTime")
    return Literal(value.isoformat(), datatype="xsd:date")


def dataset_node(dataset: Dataset, base: str) -> Node:
    landing = base + reverse("opendata:dataset", kwargs={"name": dataset.name})
    licence = LICENCES.get(dataset.licence, ("", ""))[1]
    node = Node(base + f"/dataset/{dataset.pk}", ["dcat:Dataset"])
    node.add("dct:identifier", Literal(str(dataset.pk)))
    node.add("dct:title", Literal(dataset.title_ko, "ko"), Literal(dataset.title_en, "en"))
    node.add(
        "dct:description",
        Literal(dataset.description_ko, "ko"),
        Literal(dataset.description_en, "en"),
    )
    node.add("dcat:keyword", *(Literal(tag, "ko") for tag in dataset.tags))
    node.add("dcat:theme", IRI(THEME_BASE + THEMES[dataset.category]))
    node.add("dcat:landingPage", IRI(landing))
    node.add("dct:issued", _date(dataset.created_at))
    node.add("dct:modified", _date(dataset.updated_at))
    node.add("dct:accrualPeriodicity", IRI(FREQUENCY_BASE + FREQUENCIES[dataset.frequency]))
    node.add("dct:spatial", Literal(dataset.spatial, "ko"))
    publisher = Node(base + f"/organization/{dataset.department.code}", ["foaf:Agent"])
    publisher.add(
        "foaf:name",
        Literal(dataset.department.name_ko, "ko"),
        Literal(dataset.department.name_en, "en"),
    )
    node.add("dct:publisher", publisher)
    if dataset.temporal_start or dataset.temporal_end:
        period = Node(None, ["dct:PeriodOfTime"])
        period.add("dcat:startDate", _date(dataset.temporal_start))
        period.add("dcat:endDate", _date(dataset.temporal_end))
        node.add("dct:temporal", period)
    if dataset.contact_name or dataset.contact_email:
        contact = Node(None, ["vcard:Organization"])
        contact.add("vcard:fn", Literal(dataset.contact_name or dataset.department.name_ko))
        if dataset.contact_email:
            contact.add("vcard:hasEmail", IRI("mailto:" + dataset.contact_email))
        node.add("dcat:contactPoint", contact)
    for resource in dataset.resources.all():
        node.add("dcat:distribution", *_distributions(resource, base, licence))
    return node


def _distributions(resource: Resource, base: str, licence: str) -> Iterable[Node]:
    if resource.format == Resource.Format.LINK:
        link = Node(base + f"/distribution/{resource.pk}", ["dcat:Distribution"])
        link.add("dct:title", Literal(resource.name, "ko"))
        link.add("dcat:accessURL", IRI(resource.url))
        yield link
        return
    version = resource.current_version()
    if version is None:
        return
    source = base + reverse(
        "opendata:version_source", kwargs={"resource_id": resource.pk, "number": version.number}
    )
    for file_format, url in [
        (resource.format, source),
        *[
            (
                fmt,
                base
                + reverse(
                    "opendata:download", kwargs={"resource_id": resource.pk, "file_format": fmt}
                ),
            )
            for fmt in ("csv", "parquet")
            if fmt != resource.format
        ],
    ]:
        distribution = Node(
            f"{base}/distribution/{resource.pk}/{file_format}", ["dcat:Distribution"]
        )
        distribution.add("dct:title", Literal(f"{resource.name} ({file_format.upper()})", "ko"))
        distribution.add("dcat:accessURL", IRI(url))
        distribution.add("dcat:downloadURL", IRI(url))
        distribution.add(
            "dcat:mediaType",
            IRI("https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[file_format]),
        )
        distribution.add("dct:format", Literal(file_format.upper()))
        distribution.add("dct:license", IRI(licence) if licence else None)
        distribution.add("dct:modified", _date(version.loaded_at))
        yield distribution


def catalog_node(datasets: Iterable[Dataset], base: str) -> Node:
    node = Node(base + "/catalog", ["dcat:Catalog"])
    node.add(
        "dct:title", Literal("서울 열린데이터 광장", "ko"), Literal("Seoul Open Data Plaza", "en")
    )
    node.add("dct:description", Literal("Smart Seoul open data catalogue", "en"))
    node.add("foaf:homepage", IRI(base + reverse("opendata:catalogue")))
    publisher = Node(base + "/organization/seoul", ["foaf:Agent"])
    publisher.add(
        "foaf:name", Literal("서울특별시", "ko"), Literal("Seoul Metropolitan Government", "en")
    )
    node.add("dct:publisher", publisher)
    node.add("dcat:dataset", *(dataset_node(dataset, base) for dataset in datasets))
    return node


# --- JSON-LD ----------------------------------------------------------------------------------


def _jsonld_value(value: Value) -> Any:
    if isinstance(value, IRI):
        return {"@id": value.value}
    if isinstance(value, Literal):
        if value.language:
            return {"@value": value.value, "@language": value.language}
        if value.datatype:
            return {"@value": value.value, "@type": value.datatype}
        return value.value
    return _jsonld_node(value)


def _jsonld_node(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if node.id:
        out["@id"] = node.id
    out["@type"] = node.types[0] if len(node.types) == 1 else node.types
    for predicate, values in node.properties.items():
        rendered = [_jsonld_value(v) for v in values]
        out[predicate] = rendered[0] if len(rendered) == 1 else rendered
    return out


def to_jsonld(node: Node) -> dict[str, Any]:
    return {"@context": dict(PREFIXES), **_jsonld_node(node)}


def dataset_jsonld(dataset: Dataset, base: str, *, schema_org: bool = False) -> dict[str, Any]:
    if not schema_org:
        return to_jsonld(dataset_node(dataset, base))
    landing = base + reverse("opendata:dataset", kwargs={"name": dataset.name})
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": landing,
        "url": landing,
        "identifier": str(dataset.pk),
        "name": dataset.title_ko,
        "alternateName": dataset.title_en or None,
        "description": dataset.description_ko or dataset.title_ko,
        "keywords": dataset.tags,
        "license": LICENCES.get(dataset.licence, ("", ""))[1],
        "isAccessibleForFree": True,
        "dateModified": dataset.updated_at.isoformat(timespec="seconds"),
        "spatialCoverage": dataset.spatial,
        "temporalCoverage": (
            f"{dataset.temporal_start or '..'}/{dataset.temporal_end or '..'}"
            if dataset.temporal_start or dataset.temporal_end
            else None
        ),
        "creator": {"@type": "GovernmentOrganization", "name": dataset.department.name_ko},
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": MEDIA_TYPES["csv"],
                "contentUrl": base
                + reverse("opendata:download", kwargs={"resource_id": r.pk, "file_format": "csv"}),
            }
            for r in dataset.resources.all()
            if r.is_tabular
        ],
    }


# --- Turtle -----------------------------------------------------------------------------------


def _turtle_string(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def _turtle_iri(iri: str) -> str:
    for forbidden in '<>"{}|^`\\ ':
        iri = iri.replace(forbidden, f"%{ord(forbidden):02X}")
    return f"<{iri}>"


def _turtle_value(value: Value, indent: str) -> str:
    if isinstance(value, IRI):
        return _turtle_iri(value.value)
    if isinstance(value, Literal):
        text = _turtle_string(value.value)
        if value.language:
            return f"{text}@{value.language}"
        if value.datatype:
            return f"{text}^^{value.datatype}"
        return text
    if value.id:
        return _turtle_iri(value.id)
    return "[\n" + _turtle_body(value, indent + "    ") + f"\n{indent}]"


def _turtle_body(node: Node, indent: str) -> str:
    lines = [f"{indent}a {', '.join(node.types)}"]
    for predicate, values in node.properties.items():
        rendered = ", ".join(_turtle_value(v, indent) for v in values)
        lines.append(f"{indent}{predicate} {rendered}")
    return " ;\n".join(lines)


def _named_nodes(node: Node) -> list[Node]:
    """The node and every named node under it, each written once as its own block."""
    found: list[Node] = []
    seen: set[str] = set()

    def walk(current: Node) -> None:
        if current.id:
            if current.id in seen:
                return
            seen.add(current.id)
            found.append(current)
        for values in current.properties.values():
            for value in values:
                if isinstance(value, Node):
                    walk(value)

    walk(node)
    return found


def to_turtle(node: Node) -> str:
    out = [f"@prefix {prefix}: <{iri}> ." for prefix, iri in PREFIXES.items()]
    out.append("")
    for named in _named_nodes(node):
        out.append(f"{_turtle_iri(named.id or '')}\n" + _turtle_body(named, "    ") + " .\n")
    return "\n".join(out)


def jsonld_text(node: Node) -> str:
    return json.dumps(to_jsonld(node), ensure_ascii=False, indent=1)
