"""Demo content: the logs, a few Janganpyeong used-car inspections and documents."""

from __future__ import annotations

import datetime
import hashlib

from django.db import transaction

INSPECTIONS = [
    (
        "12가3456",
        "2026-03-02",
        84_210,
        "엔진·변속기 양호, 앞범퍼 교환 이력",
        "장안평 성능점검장 김도윤",
    ),
    (
        "34나5678",
        "2026-03-03",
        152_034,
        "하부 부식 경미, 사고 이력 없음",
        "장안평 성능점검장 이하늘",
    ),
    ("123다4567", "2026-03-05", 23_877, "무사고, 타이어 마모 30%", "장안평 성능점검장 김도윤"),
]
DOCUMENTS = [
    "2026년 장안평 중고차시장 성능점검 결과 공개 계획",
    "스마트 서울 공개 원장 운영 지침 v1",
]


def ledger_demo_load() -> None:
    from smartseoul.accounts.models import User
    from smartseoul.ledger import actions, queries
    from smartseoul.ledger.models import Record
    from smartseoul.web.demo import DEMO_DOMAIN

    logs = queries.logs_all()
    official = User.objects.filter(email=f"official.mapo@{DEMO_DOMAIN}").first()
    if official is not None and not Record.objects.exists():
        for number, day, mileage, findings, inspector in INSPECTIONS:
            actions.vehicle_inspection_record(
                actor=official,
                vehicle_number=number,
                inspection_date=datetime.date.fromisoformat(day),
                mileage_km=mileage,
                findings=findings,
                inspector=inspector,
                place="장안평 중고차시장",
            )
        for title in DOCUMENTS:
            actions.document_record(
                actor=official,
                title=title,
                sha256=hashlib.sha256(title.encode("utf-8")).hexdigest(),
                department="gu-11440",
            )

    def publish() -> None:
        for ledger_log in logs:
            actions.checkpoint_publish(log=ledger_log)

    # Checkpoints are signed from committed state only: after demo_load's transaction.
    transaction.on_commit(publish)
