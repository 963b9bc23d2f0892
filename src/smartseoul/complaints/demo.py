"""Demo reports across districts and statuses, made through the same actions as real ones."""

from __future__ import annotations

import random

from smartseoul.complaints import actions
from smartseoul.complaints.models import Category, Report

# (category, lat, lon, details); points across Seoul's districts.
DEMO_REPORTS = [
    (
        "road-damage",
        37.5563,
        126.9236,
        "합정역 7번 출구 앞 차도에 지름 40cm 정도의 포트홀이 있습니다.",
    ),
    (
        "illegal-parking",
        37.5796,
        126.9770,
        "경복궁역 교차로 모퉁이에 불법 주차된 차량이 시야를 가립니다.",
    ),
    ("street-light", 37.5172, 127.0473, "삼성동 골목 가로등이 일주일째 꺼져 있습니다."),
    ("illegal-dumping", 37.6542, 127.0568, "노원역 뒤편 골목에 대형 폐기물이 방치되어 있습니다."),
    ("park-facility", 37.5145, 127.1059, "올림픽공원 놀이터 그네 줄이 끊어졌습니다."),
    (
        "illegal-advertising",
        37.4979,
        127.0276,
        "강남역 사거리 가로수에 불법 현수막이 걸려 있습니다.",
    ),
    ("noise", 37.5447, 127.0557, "성수동 공사장에서 새벽 6시부터 소음이 발생합니다."),
    (
        "construction-safety",
        37.4837,
        126.9016,
        "신림동 공사장 가림막이 쓰러져 보행로를 막고 있습니다.",
    ),
    (
        "disabled-parking",
        37.5384,
        127.0823,
        "건대입구역 공영주차장 장애인전용구역에 일반 차량이 주차되어 있습니다.",
    ),
    ("road-damage", 37.5665, 126.9780, "시청 앞 보도블록이 들떠 있어 넘어질 위험이 있습니다."),
    ("street-light", 37.6176, 126.9227, "불광천 산책로 보안등이 깜박입니다."),
    ("illegal-dumping", 37.4954, 126.8874, "구로디지털단지역 인근 쓰레기 무단투기가 계속됩니다."),
    ("park-facility", 37.5704, 126.9911, "종묘공원 벤치가 부서져 있습니다."),
    ("road-damage", 37.5270, 126.8966, "영등포역 앞 맨홀 뚜껑이 흔들립니다."),
    ("illegal-parking", 37.5509, 127.1440, "강동구청역 버스정류장 앞 불법 정차 차량이 많습니다."),
    ("other", 37.6396, 127.0257, "수유동 골목길 배수구가 막혀 비가 오면 물이 고입니다."),
    ("street-light", 37.4813, 126.9527, "서울대입구역 골목 가로등이 꺼져 있습니다."),
    ("road-damage", 37.5925, 127.0166, "성신여대입구역 앞 횡단보도 도색이 지워졌습니다."),
    ("illegal-advertising", 37.5575, 127.0076, "동대입구역 전신주에 불법 전단지가 붙어 있습니다."),
    ("park-facility", 37.5287, 126.9327, "여의도공원 음수대가 고장 났습니다."),
    ("noise", 37.5800, 127.0460, "청량리 시장 앞 확성기 소음이 심합니다."),
    ("road-damage", 37.6066, 127.0926, "중랑구 망우로 도로 가장자리가 파였습니다."),
    ("illegal-dumping", 37.5499, 126.8495, "강서구 화곡동 공터에 쓰레기가 쌓여 있습니다."),
    ("street-light", 37.5012, 126.9878, "서초구 반포동 보안등 불빛이 약합니다."),
    ("construction-safety", 37.5658, 126.9016, "망원동 공사장 안전펜스가 없습니다."),
    ("other", 37.5128, 126.9393, "동작구 노량진 육교 난간이 흔들립니다."),
    ("park-facility", 37.6688, 127.0471, "도봉구 창동 근린공원 운동기구가 망가졌습니다."),
    ("road-damage", 37.5404, 126.9460, "마포구 공덕동 인도에 싱크홀 조짐이 있습니다."),
    ("illegal-parking", 37.6027, 126.9290, "은평구 연신내역 소방차 전용구역 주차."),
    ("street-light", 37.5858, 126.9495, "서대문구 홍제동 계단 조명이 고장 났습니다."),
]

# Demo answers, in Korean as an official would write them.
_ANSWERS = [
    ("in_progress", "현장 담당자가 출동하였습니다."),
    ("resolved", "조치가 완료되었습니다. 신고해 주셔서 감사합니다."),
    ("answered", "현장을 확인하고 관리 주체에 시정을 요청하였습니다."),
]


# Shared response templates (officials pick one instead of typing the usual answers).
_TEMPLATES = [
    (
        "현장 확인 중",
        "담당자가 현장을 확인하고 있습니다. 조치 결과를 다시 알려 드리겠습니다.",
        "in_progress",
    ),
    ("조치 완료", "신고하신 내용을 조치하였습니다. 불편을 알려 주셔서 감사합니다.", "resolved"),
    ("관할 아님", "신고하신 장소는 우리 기관의 관할이 아니어서 관할 기관으로 이송합니다.", ""),
]


def complaints_demo_load() -> None:
    """Create the demo reports once (skipped when any demo report exists)."""
    from smartseoul.accounts.models import User
    from smartseoul.web.demo import DEMO_DOMAIN

    if Report.objects.filter(details__in=[d for *_, d in DEMO_REPORTS]).exists():
        return
    from smartseoul.complaints.models import ResponseTemplate

    for title, body, status in _TEMPLATES:
        ResponseTemplate.objects.get_or_create(
            title=title, defaults={"body": body, "status": status}
        )
    citizen = User.objects.filter(email=f"citizen@{DEMO_DOMAIN}").first()
    categories = {c.code: c for c in Category.objects.all()}
    chooser = random.Random(6)  # noqa: S311 - demo data, reproducible
    for index, (code, lat, lon, details) in enumerate(DEMO_REPORTS):
        report = actions.report_submit(
            reporter=citizen,
            category=categories[code],
            lat=lat,
            lon=lon,
            details=details,
        )
        if index % 3 == 0:
            continue
        status, note = _ANSWERS[chooser.randrange(len(_ANSWERS))]
        actions.report_status_change(actor=None, report=report, status=status, public_note=note)
