"""HTTP: the ledger's plain, cacheable endpoints (docs/ledger.md) and its pages.

Machine endpoints answer JSON (or the checkpoint's text/plain note); a bad parameter is a
400 with the API's error shape ``{"error": {"status", "code", "message"}}``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from smartseoul.ledger import keys, queries
from smartseoul.ledger.forms import DocumentForm, VehicleInspectionForm, VerifyUploadForm
from smartseoul.ledger.models import Log, Record
from smartseoul.ledger.note import decode_base64, encode_base64

IMMUTABLE = "public, max-age=31536000, immutable"
FRESH = "public, max-age=1"
_NUMBER = re.compile(r"[0-9]{1,20}")

View = Callable[..., HttpResponse]


def _error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse(
        {"error": {"status": status, "code": code, "message": message}}, status=status
    )
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _public(response: HttpResponse, cache: str) -> HttpResponse:
    response["Cache-Control"] = cache
    # Anyone may verify the log, from any web page.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def machine_endpoint(view: View) -> View:
    """Resolve the log, turn bad parameters into 400s and unknown things into 404s."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, log: str, **kwargs: Any) -> HttpResponse:
        try:
            found = queries.log_get(log)
        except Log.DoesNotExist:
            return _error(404, "not_found", f"no ledger log named {log!r}")
        try:
            return view(request, found, **kwargs)
        except queries.BadParameter as exc:
            return _error(400, "bad_request", str(exc))
        except LookupError as exc:
            return _error(404, "not_found", str(exc.args[0]) if exc.args else "not found")

    return require_GET(wrapper)


def _int(request: HttpRequest, name: str, *, required: bool = True) -> int | None:
    value = request.GET.get(name)
    if value is None or value == "":
        if required:
            raise queries.BadParameter(f"{name} is required")
        return None
    if not _NUMBER.fullmatch(value):
        raise queries.BadParameter(f"{name} must be a non-negative decimal integer, not {value!r}")
    return int(value)


def _hash_param(request: HttpRequest, name: str) -> bytes | None:
    value = request.GET.get(name)
    if not value:
        return None
    # An unescaped "+" in a query string arrives as a space.
    try:
        raw = decode_base64(value.replace(" ", "+"))
    except ValueError:
        raise queries.BadParameter(f"{name} must be standard base64") from None
    if len(raw) != 32:
        raise queries.BadParameter(f"{name} must be 32 bytes (a SHA-256 hash)")
    return raw


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    witnesses = [{"name": w.name, "url": w.url, "vkey": w.vkey} for w in keys.witnesses()]
    logs = [
        {
            "name": log.name,
            "origin": log.origin,
            "vkey": log.vkey,
            "size": log.size,
            "witnesses": witnesses,
            "quorum": keys.quorum(),
            "checkpoint": request.build_absolute_uri(reverse("ledger:checkpoint", args=[log.name])),
        }
        for log in queries.logs_all()
    ]
    return _public(JsonResponse({"logs": logs}), FRESH)


@machine_endpoint
def checkpoint(request: HttpRequest, log: Log) -> HttpResponse:
    latest = queries.checkpoint_latest(log)
    if latest is None:  # pragma: no cover - publishing always leaves one
        raise LookupError("no checkpoint yet")
    text = queries.checkpoint_text(latest)
    return _public(HttpResponse(text, content_type="text/plain; charset=utf-8"), FRESH)


@machine_endpoint
def entries(request: HttpRequest, log: Log) -> HttpResponse:
    start, end = _int(request, "start"), _int(request, "end")
    assert start is not None
    assert end is not None
    rows = queries.entries_range(log, start, end)
    body = {"entries": [{"index": i, "data": encode_base64(data)} for i, data in rows]}
    # Entries below the log's size never change.
    return _public(JsonResponse(body), IMMUTABLE)


@machine_endpoint
def inclusion_proof(request: HttpRequest, log: Log) -> HttpResponse:
    leaf = _hash_param(request, "leaf_hash")
    index = None if leaf is not None else _int(request, "index")
    tree_size = _int(request, "tree_size", required=False)
    proof = queries.inclusion(log, index=index, leaf=leaf, tree_size=tree_size)
    body = {
        "index": proof["index"],
        "tree_size": proof["tree_size"],
        "leaf_hash": encode_base64(proof["leaf_hash"]),
        "hashes": [encode_base64(h) for h in proof["hashes"]],
    }
    return _public(JsonResponse(body), IMMUTABLE if tree_size is not None else FRESH)


@machine_endpoint
def consistency_proof(request: HttpRequest, log: Log) -> HttpResponse:
    first = _int(request, "first")
    second = _int(request, "second", required=False)
    assert first is not None
    proof = queries.consistency(log, first=first, second=second)
    body = {
        "first": proof["first"],
        "second": proof["second"],
        "hashes": [encode_base64(h) for h in proof["hashes"]],
    }
    return _public(JsonResponse(body), IMMUTABLE if second is not None else FRESH)


# --- Pages --------------------------------------------------------------------------------
@require_GET
def log_page(request: HttpRequest, log: str) -> HttpResponse:
    try:
        found = queries.log_get(log)
    except Log.DoesNotExist:
        return render(request, "ledger/not_found.html", {"name": log}, status=404)
    latest = queries.checkpoint_latest(found)
    found.refresh_from_db()
    context = {
        "log": found,
        "checkpoint": latest,
        "checkpoint_text": queries.checkpoint_text(latest) if latest else "",
        "witnesses": queries.witness_status(found),
        "quorum": keys.quorum(),
        "root_b64": encode_base64(bytes(found.root)),
    }
    return render(request, "ledger/log.html", context)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    upload_form = VerifyUploadForm()
    if request.method == "POST":
        upload_form = VerifyUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            # The file is hashed and dropped; only its SHA-256 is looked up.
            digest = queries.sha256_of_upload(upload_form.cleaned_data["file"])
            return redirect(f"{reverse('ledger:verify')}?{urlencode({'q': digest})}")
    results = queries.records_find(query) if query else []
    proofs = [
        {
            "index": r.index,
            "data": encode_base64(r.data),
            "tree_size": r.checkpoint.size if r.checkpoint else 0,
            "root": encode_base64(bytes(r.checkpoint.root)) if r.checkpoint else "",
            "hashes": [encode_base64(h) for h in r.proof],
        }
        for r in results
        if r.verified
    ]
    context = {
        "query": query,
        "results": results,
        "proofs": proofs,
        "upload_form": upload_form,
        "logs": queries.logs_all(),
    }
    return render(request, "ledger/verify.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    if not queries.can_record(request.user):
        raise PermissionDenied(_("Recording in the ledger needs the records role."))
    kind = request.POST.get("kind", "")
    # Only the submitted form is bound, so the other one does not show errors.
    posted = request.method == "POST"
    document_form = (
        DocumentForm(request.POST, request.FILES, prefix="doc")
        if posted and kind == "document"
        else DocumentForm(prefix="doc")
    )
    vehicle_form = (
        VehicleInspectionForm(request.POST, prefix="car")
        if posted and kind != "document"
        else VehicleInspectionForm(prefix="car")
    )
    if posted:
        form: DocumentForm | VehicleInspectionForm = (
            document_form if kind == "document" else vehicle_form
        )
        if form.is_valid():
            try:
                saved = form.save(actor=request.user)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Recorded in the public ledger as entry %(index)s.")
                    % {"index": saved.entry.index},
                )
                return redirect(f"{reverse('ledger:verify')}?{urlencode({'q': saved.lookup})}")
    context = {
        "document_form": document_form,
        "vehicle_form": vehicle_form,
        "recent": Record.objects.select_related("entry")[:10],
    }
    return render(request, "ledger/record.html", context)
