"""Seoul Open API: /openapi/{KEY}/{TYPE}/{SERVICE}/{START}/{END}/[filters…].

The same URL shape, envelope, result codes and 1-based inclusive paging as
openapi.seoul.go.kr:8088, so existing programs only change the host.  Like Seoul's server,
errors come back as HTTP 200 with a RESULT code (clients test the code, not the status);
only the per-minute rate limit also says 429 with Retry-After.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from smartseoul.lib.ratelimit import Rate, hit
from smartseoul.opendata.actions import openapi_key_count_call, openapi_key_find, usage_count
from smartseoul.opendata.models import Resource
from smartseoul.opendata.query import QueryError, TableQuery, json_value, table_search

MAX_ROWS = 1000
SAMPLE_KEY = "sample"
SAMPLE_MAX_ROWS = 5

MESSAGES = {
    "INFO-000": "정상 처리되었습니다",
    "INFO-100": "인증키가 유효하지 않습니다. 인증키가 없는 경우, 열린 데이터 광장 홈페이지에서 "
    "인증키를 신청하십시오.",
    "INFO-200": "해당하는 데이터가 없습니다.",
    "ERROR-300": "필수 값이 누락되어 있습니다. 요청인자를 참고 하십시오.",
    "ERROR-301": "파일타입 값이 누락 혹은 유효하지 않습니다. 요청인자 중 TYPE을 확인하십시오.",
    "ERROR-310": "해당하는 서비스를 찾을 수 없습니다. 요청인자 중 SERVICE를 확인하십시오.",
    "ERROR-331": "요청시작위치 값을 확인하십시오. 요청인자 중 START_INDEX를 확인하십시오.",
    "ERROR-332": "요청종료위치 값을 확인하십시오. 요청인자 중 END_INDEX를 확인하십시오.",
    "ERROR-333": "요청위치 값의 타입이 유효하지 않습니다. 요청위치 값은 정수를 입력하세요.",
    "ERROR-334": "요청종료위치 보다 요청시작위치가 더 큽니다. "
    "요청시작조회건수는 정수를 입력하세요.",
    "ERROR-335": "샘플데이터(샘플키:sample) 는 한번에 최대 5건을 넘을 수 없습니다. 요청시작위치와 "
    "요청종료위치 값은 1 ~ 5 사이만 가능합니다.",
    "ERROR-336": "데이터요청은 한번에 최대 1000건을 넘을 수 없습니다. 요청시작조회건수와 "
    "요청종료조회건수 값의 차이가 1000을 넘지 않도록 하십시오.",
    "ERROR-337": "일별 트래픽 제한을 넘은 호출입니다. 오늘은 더이상 호출할 수 없습니다.",
    "ERROR-338": "짧은 시간에 너무 많이 호출했습니다. 잠시 후 다시 호출하십시오.",
    "ERROR-500": "서버 오류입니다. 지속적으로 발생시 열린 데이터 광장으로 문의(Q&A) 바랍니다.",
    "ERROR-600": "데이터베이스 연결 오류입니다. 지속적으로 발생시 열린 데이터 광장으로 "
    "문의(Q&A) 바랍니다.",
    "ERROR-601": "SQL 문장 오류 입니다. 지속적으로 발생시 열린 데이터 광장으로 문의(Q&A) 바랍니다.",
}
TYPES = ("json", "xml", "xls", "xlsx")
_XML_NAME_BAD = re.compile(r"[^\w.\-]", re.UNICODE)


class SeoulError(Exception):
    def __init__(self, code: str, status: int = 200, retry_after: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.retry_after = retry_after


def _xml_name(name: str) -> str:
    """Column names become element names: characters XML forbids turn into "_"."""
    cleaned = _XML_NAME_BAD.sub("_", name) or "_"
    return cleaned if (cleaned[0].isalpha() or cleaned[0] == "_") else "_" + cleaned


def _result(code: str) -> dict[str, str]:
    return {"CODE": code, "MESSAGE": MESSAGES[code]}


def _render(
    file_type: str,
    service: str | None,
    code: str,
    total: int = 0,
    rows: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    if file_type == "xml":
        parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>']
        result_xml = (
            f"<RESULT><CODE>{code}</CODE><MESSAGE><![CDATA[{MESSAGES[code]}]]></MESSAGE></RESULT>"
        )
        if rows is None:
            parts.append(result_xml)
        else:
            parts.append(f"<{service}>")
            parts.append(f"<list_total_count>{total}</list_total_count>")
            parts.append(result_xml)
            for row in rows:
                cells = "".join(
                    f"<{_xml_name(k)}>{escape('' if v is None else str(v))}</{_xml_name(k)}>"
                    for k, v in row.items()
                )
                parts.append(f"<row>{cells}</row>")
            parts.append(f"</{service}>")
        return HttpResponse("\n".join(parts), content_type="application/xml; charset=utf-8")
    if file_type in ("xls", "xlsx") and rows is not None:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(service or "data")
        sheet.append(list(rows[0]) if rows else [])
        for row in rows:
            sheet.append(list(row.values()))
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{service}.xlsx"'
        return response
    if rows is None:
        body: dict[str, Any] = {"RESULT": _result(code)}
    else:
        body = {service or "": {"list_total_count": total, "RESULT": _result(code), "row": rows}}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )


def _position(text: str, code_if_below_one: str) -> int:
    if not text.strip().lstrip("-").isdigit():
        raise SeoulError("ERROR-333")
    value = int(text)
    if value < 1:
        raise SeoulError(code_if_below_one)
    return value


def _authorise(key_text: str, end: int) -> Any:
    if key_text == SAMPLE_KEY:
        if end > SAMPLE_MAX_ROWS:
            raise SeoulError("ERROR-335")
        return None
    key = openapi_key_find(key_text)
    if key is None:
        raise SeoulError("INFO-100")
    verdict = hit(f"openapi:{key.pk}", Rate.parse(settings.OPENDATA_KEY_RATE))
    if not verdict.allowed:
        raise SeoulError("ERROR-338", status=429, retry_after=verdict.retry_after)
    if openapi_key_count_call(key=key) > key.daily_quota:
        raise SeoulError("ERROR-337")
    return key


def answer(path: str) -> HttpResponse:
    parts = [part for part in path.split("/")]
    while parts and parts[-1] == "":
        parts.pop()
    file_type = parts[1].lower() if len(parts) > 1 else "json"
    render_type = file_type if file_type in TYPES else "json"
    service = parts[2] if len(parts) > 2 else None
    try:
        if len(parts) < 5 or not all(parts[:5]):
            raise SeoulError("ERROR-300")
        key_text, _type, service, start_text, end_text, *positional = parts
        if file_type not in TYPES:
            raise SeoulError("ERROR-301")
        start = _position(start_text, "ERROR-331")
        end = _position(end_text, "ERROR-332")
        if start > end:
            raise SeoulError("ERROR-334")
        if end - start + 1 > MAX_ROWS:
            raise SeoulError("ERROR-336")
        _authorise(key_text, end)
        resource = Resource.objects.select_related("dataset").filter(service_name=service).first()
        if resource is None:
            raise SeoulError("ERROR-310")
        version = resource.current_version()
        if version is None:
            raise SeoulError("INFO-200")
        filters = {
            column: value
            for column, value in zip(resource.service_filters, positional, strict=False)
            if value.strip() and column in version.column_names
        }
        try:
            result = table_search(
                version, TableQuery(filters=filters, limit=end - start + 1, offset=start - 1)
            )
        except QueryError:
            raise SeoulError("ERROR-601") from None
        usage_count(dataset=resource.dataset, kind="api_calls")
        if not result.total or not result.records:
            raise SeoulError("INFO-200")
        names = [field["id"] for field in result.fields]
        rows = [dict(zip(names, map(json_value, record), strict=True)) for record in result.records]
        return _render(render_type, service, "INFO-000", result.total, rows)
    except SeoulError as error:
        response = _render(render_type, service, error.code)
        response.status_code = error.status
        if error.retry_after:
            response["Retry-After"] = str(error.retry_after)
        return response


@require_GET
def openapi_view(request: HttpRequest, path: str) -> HttpResponse:
    response = answer(path)
    response["Access-Control-Allow-Origin"] = "*"
    return response
