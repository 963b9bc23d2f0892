from __future__ import annotations

import json
import logging

from smartseoul.lib import request_context
from smartseoul.lib.logs import JsonFormatter


def test_log_lines_are_json_with_the_request_id_and_extras() -> None:
    record = logging.makeLogRecord(
        {
            "name": "smartseoul.access",
            "levelname": "INFO",
            "msg": "GET %s",
            "args": ("/",),
            "status": 200,
        }
    )
    token = request_context.bind(request_context.RequestInfo("abc123", "198.51.100.7"))
    try:
        line = JsonFormatter().format(record)
    finally:
        request_context.reset(token)
    payload = json.loads(line)
    assert payload["message"] == "GET /"
    assert payload["request_id"] == "abc123"
    assert payload["status"] == 200
    assert payload["level"] == "info"
    assert payload["time"].endswith("+00:00")
