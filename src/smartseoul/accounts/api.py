from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from smartseoul.accounts.actions import api_key_issue, api_key_revoke
from smartseoul.accounts.queries import api_keys_of, user_roles
from smartseoul.api import signed_in

router = Router(tags=["accounts"], auth=signed_in)


class MeOut(Schema):
    email: str
    display_name: str
    roles: list[str]
    district: str | None
    department: str | None


class ApiKeyOut(Schema):
    prefix: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyIn(Schema):
    name: str


class ApiKeyCreatedOut(ApiKeyOut):
    key: str


@router.get("/me", response=MeOut, summary="The signed-in account")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    citizen = getattr(user, "citizen_profile", None)
    official = getattr(user, "official_profile", None)
    return MeOut(
        email=user.email,  # type: ignore[union-attr]
        display_name=user.display_name,  # type: ignore[union-attr]
        roles=sorted(role.value for role in user_roles(user)),  # type: ignore[arg-type]
        district=citizen.district_id if citizen else None,
        department=official.department.code if official else None,
    )


@router.get("/keys", response=list[ApiKeyOut], summary="Your API keys")
def keys_list(request: HttpRequest) -> list[ApiKeyOut]:
    return list(api_keys_of(request.user))  # type: ignore[arg-type]


@router.post("/keys", response={201: ApiKeyCreatedOut}, summary="Issue an API key")
def keys_create(request: HttpRequest, payload: ApiKeyIn) -> dict[str, object]:
    """The key itself is shown only in this response; store it safely."""
    key, secret = api_key_issue(user=request.user, name=payload.name)  # type: ignore[arg-type]
    return {
        "prefix": key.prefix,
        "name": key.name,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
        "key": secret,
    }


@router.delete("/keys/{prefix}", response=ApiKeyOut, summary="Revoke an API key")
def keys_revoke(request: HttpRequest, prefix: str) -> ApiKeyOut:
    key = get_object_or_404(api_keys_of(request.user), prefix=prefix)  # type: ignore[arg-type]
    return api_key_revoke(actor=request.user, key=key)  # type: ignore[arg-type,return-value]
