"""Officials handle reports: assign, transfer, status with a public note, duplicates,
extensions, escalation; citizens are told and can rate the answer."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from smartseoul.accounts.models import Department, User
from smartseoul.complaints import actions, escalation
from smartseoul.complaints.models import Event, Report
from smartseoul.complaints.workdays import add_working_days
from tests.complaints.conftest import COEX, submit

pytestmark = pytest.mark.django_db
Status = Report.Status


def test_assign_to_a_colleague_but_not_to_another_office(
    citizen: User, mapo_official: User, mapo_colleague: User, gangnam_official: User
) -> None:
    report = submit(citizen)
    report = actions.report_assign(actor=mapo_official, report=report, assignee=mapo_colleague)
    assert report.assignee == mapo_colleague
    assert report.status == Status.ASSIGNED
    with pytest.raises(ValidationError):
        actions.report_assign(actor=mapo_official, report=report, assignee=gangnam_official)


def test_transfer_keeps_the_reason_in_the_history(citizen: User, mapo_official: User) -> None:
    report = submit(citizen)
    gangnam = Department.objects.get(code="gu-11680")
    report = actions.report_transfer(
        actor=mapo_official, report=report, to_department=gangnam, reason="관할 구역 아님"
    )
    assert report.office == gangnam
    event = report.events.get(kind=Event.Kind.TRANSFERRED)
    assert event.internal_note == "관할 구역 아님"
    assert event.from_department is not None
    assert event.from_department.code == "gu-11440"
    # Mapo no longer handles it.
    with pytest.raises(PermissionDenied):
        actions.report_transfer(
            actor=mapo_official, report=report, to_department=gangnam, reason="again"
        )


def test_a_status_change_needs_a_note_and_tells_the_followers(
    citizen: User, mapo_official: User, django_capture_on_commit_callbacks: Any
) -> None:
    report = submit(citizen)
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        actions.report_status_change(
            actor=mapo_official, report=report, status=Status.IN_PROGRESS, public_note=" "
        )
    with django_capture_on_commit_callbacks(execute=True):
        actions.report_status_change(
            actor=mapo_official, report=report, status=Status.RESOLVED, public_note="보수 완료"
        )
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.closed_at is not None
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    assert "보수 완료" in mail.outbox[0].body
    assert report.public_id in mail.outbox[0].subject
    with pytest.raises(ValidationError):  # duplicate is final; resolved cannot be received
        actions.report_status_change(
            actor=mapo_official, report=report, status=Status.RECEIVED, public_note="x"
        )


def test_a_duplicate_is_merged_and_its_followers_carried_over(
    citizen: User, mapo_official: User, admin_user: User
) -> None:
    original = submit(citizen)
    duplicate = submit(admin_user)
    actions.report_status_change(
        actor=mapo_official,
        report=duplicate,
        status=Status.DUPLICATE,
        public_note="같은 신고가 이미 접수되었습니다.",
        duplicate_of=original,
    )
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original
    assert set(original.followers.values_list("user__email", flat=True)) == {
        citizen.email,
        admin_user.email,
    }
    assert original.events.filter(kind=Event.Kind.MERGED).exists()


def test_an_extension_moves_the_deadline_by_working_days(
    citizen: User, mapo_official: User
) -> None:
    report = submit(citizen)
    old = report.due_date
    report = actions.report_extend(
        actor=mapo_official, report=report, working_days=3, reason="자재 조달 중"
    )
    assert report.due_date == add_working_days(old, 3)
    event = report.events.get(kind=Event.Kind.EXTENDED)
    assert "자재 조달 중" in event.public_note
    assert event.old_due_date == old


def test_overdue_reports_are_escalated_once_to_the_department_manager(
    citizen: User,
    mapo_official: User,
    mapo_colleague: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = submit(citizen)
    mail.outbox.clear()
    later = report.due_date + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalation.reports_escalate_overdue(on=later) == 1
    assert [m.to for m in mail.outbox] == [[mapo_official.email]]  # the manager, not the colleague
    assert escalation.reports_escalate_overdue(on=later) == 0
    assert report.events.filter(kind=Event.Kind.ESCALATED).count() == 1


def test_only_the_reporter_rates_a_closed_answer_once(
    citizen: User, mapo_official: User, admin_user: User
) -> None:
    report = submit(citizen)
    with pytest.raises(ValidationError):
        actions.report_rate(user=citizen, report=report, stars=5)
    report = actions.report_status_change(
        actor=mapo_official, report=report, status=Status.ANSWERED, public_note="답변"
    )
    with pytest.raises(PermissionDenied):
        actions.report_rate(user=admin_user, report=report, stars=1)
    rating = actions.report_rate(user=citizen, report=report, stars=4, comment="빨랐어요")
    assert rating.stars == 4
    with pytest.raises(ValidationError):
        actions.report_rate(user=citizen, report=report, stars=5)


def test_the_office_cannot_touch_another_offices_report(citizen: User, mapo_official: User) -> None:
    report = submit(citizen, point=COEX)  # 강남구
    with pytest.raises(PermissionDenied):
        actions.report_status_change(
            actor=mapo_official, report=report, status=Status.IN_PROGRESS, public_note="x"
        )


def test_the_operator_commands(citizen: User, official: User) -> None:
    import io

    from django.core.management import call_command

    submit(citizen)
    out = io.StringIO()
    call_command("complaints_rebuild_map", stdout=out)
    assert "2 map cells written" in out.getvalue()  # a fine and a coarse cell
    call_command("complaints_escalate", stdout=out)
    assert "0 overdue report(s) escalated" in out.getvalue()
