"""Citizens hear about their reports through the channel they chose: e-mail, a text message
through the platform's SMS backend, or KakaoTalk (알림톡) through an HTTP gateway — each
sent by the real worker; KakaoTalk falls back to a text message when the gateway refuses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from smartseoul.accounts.actions import citizen_profile_save
from smartseoul.accounts.models import User
from smartseoul.complaints.actions import notification_preference_set, report_status_change
from tests.complaints.conftest import logged_in, submit

CHANNELS = [
    "smartseoul.complaints.notifications.EmailChannel",
    "smartseoul.complaints.notifications.SmsChannel",
    "smartseoul.complaints.notifications.KakaoAlimtalkChannel",
]


class Gateway:
    """A KakaoTalk message gateway on a local port, answering ``status`` to every post."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                gateway.received.append(json.loads(self.rfile.read(length)))
                gateway.headers.append(dict(self.headers))
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"result": "ok"}' if gateway.status == 200 else b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/alimtalk/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    server = Gateway()
    settings.COMPLAINTS_NOTIFICATION_CHANNELS = CHANNELS
    settings.ALIMTALK_URL = server.url
    settings.ALIMTALK_TOKEN = "gateway-secret"
    settings.ALIMTALK_SENDER_KEY = "seoul-sender"
    settings.SMS_BACKEND = "smartseoul.web.sms.ConsoleSmsBackend"
    yield server
    server.server.shutdown()


def _with_mobile(user: User, phone: str = "010-2345-6789") -> User:
    citizen_profile_save(user=user, name="김민준", phone=phone)
    return User.objects.get(pk=user.pk)


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay")


# The real worker closes its database connection when done, which would end a
# test-wrapping transaction: these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_a_citizen_who_chose_text_messages_gets_one_from_the_worker(
    citizen: User, official: User, gateway: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    citizen = _with_mobile(citizen)
    notification_preference_set(user=citizen, channel="sms")
    report = submit(citizen)
    mail.outbox.clear()
    report_status_change(
        actor=official, report=report, status="in_progress", public_note="현장 확인 중입니다."
    )
    _run_worker()
    out = capsys.readouterr().out
    assert "[SMS to 010-2345-6789]" in out
    assert "현장 확인 중입니다." in out
    assert report.public_id in out
    assert mail.outbox == []  # one channel per person: no e-mail as well
    assert gateway.received == []


@pytest.mark.django_db(transaction=True)
def test_kakaotalk_goes_through_the_gateway_and_falls_back_to_sms(
    citizen: User, official: User, gateway: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    citizen = _with_mobile(citizen)
    notification_preference_set(user=citizen, channel="kakao")
    report = submit(citizen)
    report_status_change(actor=official, report=report, status="in_progress", public_note="접수")
    _run_worker()
    assert len(gateway.received) == 1
    message = gateway.received[0]
    assert message["to"] == "01023456789"
    assert message["sender_key"] == "seoul-sender"
    assert message["template_code"] == "complaint_status"
    assert "접수" in message["message"]
    assert message["buttons"][0]["url"].endswith(f"/complaints/r/{report.public_id}/")
    assert gateway.headers[0]["Authorization"] == "Bearer gateway-secret"
    assert "[SMS to" not in capsys.readouterr().out
    # The gateway refuses: the worker sends the same text as an SMS.
    gateway.status = 503
    report_status_change(actor=official, report=report, status="resolved", public_note="보수 완료")
    _run_worker()
    assert len(gateway.received) == 2
    out = capsys.readouterr().out
    assert "[SMS to 010-2345-6789]" in out
    assert "보수 완료" in out


@pytest.mark.django_db
def test_without_a_mobile_number_text_channels_cannot_be_chosen_and_email_is_used(
    citizen: User, official: User, gateway: Gateway, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="휴대전화 번호"):
        notification_preference_set(user=citizen, channel="kakao")
    with pytest.raises(ValidationError, match="email, sms, kakao"):
        notification_preference_set(user=citizen, channel="pigeon")
    report = submit(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        report_status_change(
            actor=official, report=report, status="in_progress", public_note="확인"
        )
    assert [m.to for m in mail.outbox] == [[citizen.email]]


@pytest.mark.django_db
def test_the_choice_through_the_page_and_the_api(citizen: User, gateway: Gateway) -> None:
    client = logged_in(citizen)
    page = client.get("/complaints/notifications/").content.decode()
    assert 'value="sms"' in page
    assert "disabled" in page
    refused = client.put(
        "/api/complaints/notifications", {"channel": "sms"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert "휴대전화 번호" in refused.json()["error"]["fields"]["channel"]
    _with_mobile(citizen)
    answer = client.put(
        "/api/complaints/notifications", {"channel": "kakao"}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["channel"] == "kakao"
    assert {c["name"]: c["reaches_you"] for c in answer.json()["channels"]} == {
        "email": True,
        "sms": True,
        "kakao": True,
    }
    client.post("/complaints/notifications/", {"channel": "sms"})
    assert client.get("/api/complaints/notifications").json()["channel"] == "sms"
    assert Client().get("/api/complaints/notifications").status_code == 401


@pytest.mark.django_db
def test_an_open311_reporter_known_by_email_hears_about_status_changes(
    citizen: User, official: User, django_capture_on_commit_callbacks: Any
) -> None:
    from smartseoul.accounts.actions import api_key_issue
    from smartseoul.complaints.models import Report
    from tests.complaints.conftest import HAPJEONG

    key = api_key_issue(user=citizen, name="open311 app")[1]
    posted = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "illegal-parking",
            "lat": HAPJEONG[0],
            "long": HAPJEONG[1],
            "email": "reporter@example.org",
            "attribute[vehicle_number]": "12가3456",
        },
    )
    assert posted.status_code == 201, posted.content
    report = Report.objects.get(public_id=posted.json()[0]["service_request_id"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_status_change(
            actor=official, report=report, status="in_progress", public_note="단속반 출동"
        )
    assert [m.to for m in mail.outbox] == [["reporter@example.org"]]
    assert "단속반 출동" in mail.outbox[0].body
    assert f"/complaints/r/{report.public_id}/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_an_open311_reporter_known_by_phone_gets_a_text_message(
    citizen: User,
    official: User,
    gateway: Gateway,
    settings: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from smartseoul.accounts.actions import api_key_issue
    from smartseoul.complaints.models import Report
    from tests.complaints.conftest import HAPJEONG

    key = api_key_issue(user=citizen, name="open311 app")[1]
    posted = Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "road-damage",
            "lat": HAPJEONG[0],
            "long": HAPJEONG[1],
            "phone": "010 9876 5432",
        },
    )
    assert posted.status_code == 201, posted.content
    report = Report.objects.get(public_id=posted.json()[0]["service_request_id"])
    # KakaoTalk is in use: the reporter hears through it.
    report_status_change(actor=official, report=report, status="in_progress", public_note="출동")
    _run_worker()
    assert [m["to"] for m in gateway.received] == ["01098765432"]
    assert "출동" in gateway.received[0]["message"]
    # Text messages only: an SMS through the platform's backend.
    settings.COMPLAINTS_NOTIFICATION_CHANNELS = CHANNELS[:2]
    capsys.readouterr()
    report_status_change(actor=official, report=report, status="resolved", public_note="보수 완료")
    _run_worker()
    out = capsys.readouterr().out
    assert "[SMS to 010-9876-5432]" in out
    assert "보수 완료" in out
    assert len(gateway.received) == 1
    assert mail.outbox == []
