"""DCAT-AP: catalogue and dataset as JSON-LD and Turtle, with content negotiation."""

from __future__ import annotations

from django.test import Client

from smartseoul.opendata.models import Resource


def test_catalog_jsonld_lists_datasets_with_distributions(
    client: Client, air_resource: Resource
) -> None:
    catalog = client.get("/catalog.jsonld").json()
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    dataset = catalog["dcat:dataset"]
    assert dataset["@type"] == "dcat:Dataset"
    assert {"@value": "자치구별 대기오염 측정 정보", "@language": "ko"} in dataset["dct:title"]
    assert dataset["dcat:theme"]["@id"].endswith("/data-theme/ENVI")
    formats = {d["dct:format"] for d in dataset["dcat:distribution"]}
    assert formats == {"CSV", "PARQUET"}


def test_turtle_and_content_negotiation(client: Client, air_resource: Resource) -> None:
    dataset_id = air_resource.dataset_id
    turtle = client.get(f"/dataset/{dataset_id}.ttl")
    assert turtle["Content-Type"].startswith("text/turtle")
    text = turtle.content.decode()
    assert "@prefix dcat: <http://www.w3.org/ns/dcat#> ." in text
    assert '"자치구별 대기오염 측정 정보"@ko' in text
    assert "a dcat:Dataset" in text
    negotiated = client.get(f"/dataset/{dataset_id}", headers={"Accept": "text/turtle"})
    assert negotiated.content == turtle.content
    as_jsonld = client.get(f"/dataset/{dataset_id}", headers={"Accept": "application/ld+json"})
    assert as_jsonld.json()["@id"].endswith(f"/dataset/{dataset_id}")
    html = client.get(f"/dataset/{dataset_id}", headers={"Accept": "text/html"})
    assert html.status_code == 302
    assert html["Location"] == "/data/dataset/air-quality-by-district/"
    assert client.get("/catalog", headers={"Accept": "text/turtle"}).content.startswith(b"@prefix")
