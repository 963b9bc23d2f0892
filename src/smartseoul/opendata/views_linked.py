"""DCAT-AP endpoints: /catalog.jsonld, /catalog.ttl, /dataset/{id}.jsonld|.ttl, and
/catalog, /dataset/{id} choosing by the Accept header (HTML goes to the human page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from smartseoul.opendata import queries
from smartseoul.opendata.linked_data import catalog_node, dataset_node, jsonld_text, to_turtle

JSONLD = "application/ld+json"
TURTLE = "text/turtle"


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _respond(node_text: str, media_type: str) -> HttpResponse:
    response = HttpResponse(node_text, content_type=f"{media_type}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _negotiate(request: HttpRequest) -> str | None:
    accept = request.headers.get("Accept", "")
    if "text/turtle" in accept:
        return "ttl"
    if "application/ld+json" in accept or "application/json" in accept:
        return "jsonld"
    return None


@require_GET
def catalog(request: HttpRequest, extension: str | None = None) -> HttpResponse:
    extension = extension or _negotiate(request) or "jsonld"
    node = catalog_node(queries.datasets().order_by("name"), _base(request))
    if extension == "ttl":
        return _respond(to_turtle(node), TURTLE)
    return _respond(jsonld_text(node), JSONLD)


@require_GET
@vary_on_headers("Accept")
def dataset(request: HttpRequest, dataset_id: str, extension: str | None = None) -> HttpResponse:
    found = queries.dataset_find(dataset_id)
    extension = extension or _negotiate(request)
    if extension is None:
        return redirect("opendata:dataset", name=found.name, permanent=False)
    node = dataset_node(found, _base(request))
    if extension == "ttl":
        return _respond(to_turtle(node), TURTLE)
    return _respond(jsonld_text(node), JSONLD)
