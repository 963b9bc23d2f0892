"""CKAN's Action API, driven by the real ``ckanapi`` client against a live server."""

from __future__ import annotations

from typing import Any

import ckanapi
import pytest

from smartseoul.opendata.models import Resource

pytestmark = pytest.mark.django_db(transaction=True)


def test_ckanapi_client_reads_the_catalogue_and_the_datastore(
    live_server: Any, air_resource: Resource
) -> None:
    portal = ckanapi.RemoteCKAN(live_server.url, user_agent="smartseoul-test")
    assert portal.action.status_show()["ckan_version"].startswith("2.")
    assert portal.action.package_list() == ["air-quality-by-district"]

    found = portal.action.package_search(
        q="미세먼지", fq="organization:gu-11440", **{"facet.field": ["tags", "res_format"]}
    )
    assert found["count"] == 1
    package = found["results"][0]
    assert package["title"] == "자치구별 대기오염 측정 정보"
    assert found["facets"]["tags"]["미세먼지"] == 1
    assert found["search_facets"]["res_format"]["items"][0]["name"] == "CSV"
    assert portal.action.package_search(q="지하철")["count"] == 0

    shown = portal.action.package_show(id="air-quality-by-district")
    resource = shown["resources"][0]
    assert resource["datastore_active"] is True
    assert portal.action.resource_show(id=resource["id"])["name"] == "대기오염 측정값"
    assert portal.action.organization_show(id="gu-11440")["package_count"] == 1
    assert "environment" in portal.action.group_list()
    assert portal.action.tag_list() == ["대기질", "미세먼지"]

    rows = portal.action.datastore_search(
        resource_id=resource["id"],
        filters={"미세먼지(PM10)": {"gte": 30}},
        sort="미세먼지(PM10) desc",
        limit=2,
    )
    assert rows["total"] == 3
    assert [r["자치구"] for r in rows["records"]] == ["마포구", "종로구"]
    assert {"id": "측정일", "type": "date"} in rows["fields"]

    sql = portal.action.datastore_search_sql(
        sql=f'SELECT "자치구", "등급" FROM "{resource["id"]}" WHERE "등급" = \'좋음\' ORDER BY 1'  # noqa: S608 - the test's own SQL
    )
    assert sql["records"] == [
        {"자치구": "송파구", "등급": "좋음"},
        {"자치구": "중구", "등급": "좋음"},
    ]

    with pytest.raises(ckanapi.NotFound):
        portal.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        portal.action.datastore_search(resource_id=resource["id"], filters={"없는열": 1})
    with pytest.raises(ckanapi.ValidationError):
        portal.action.datastore_search_sql(sql="SELECT * FROM read_csv('/etc/passwd')")
