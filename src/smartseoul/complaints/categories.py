"""The report categories Seoul's Smart Complaint Report offers, with their processing periods
and the city-hall department that oversees each.  ``categories_load`` is idempotent and runs
from a data migration, so a fresh database always has them; officials may edit them later."""

from __future__ import annotations

from typing import Any

_VEHICLE = {
    "code": "vehicle_number",
    "datatype": "string",
    "required": False,
    "description": "Vehicle registration number, if visible (e.g. 12가3456)",
    "order": 1,
}
_SIZE = {
    "code": "hazard_size",
    "datatype": "singlevaluelist",
    "required": False,
    "description": "How large is the damage?",
    "order": 1,
    "values": [
        {"key": "small", "name": "Smaller than a hand"},
        {"key": "medium", "name": "Up to a car tyre"},
        {"key": "large", "name": "Larger than a car tyre"},
    ],
}

# code, Korean, English, Korean description, English description, working days,
# anonymous allowed, city-hall department code, Open311 attributes
CATEGORIES: list[tuple[str, str, str, str, str, int, bool, str, list[dict[str, Any]]]] = [
    ("illegal-parking", "불법 주정차", "Illegal parking",
     "소화전·교차로·횡단보도·버스정류장·어린이보호구역 등의 불법 주정차",
     "Cars parked at hydrants, crossings, bus stops, school zones …",
     3, False, "transportation", [_VEHICLE]),
    ("disabled-parking", "장애인전용주차구역 위반", "Disabled-parking violation",
     "장애인전용주차구역 불법 주차 및 주차 방해",
     "Parking in or blocking a disabled parking space",
     7, False, "welfare", [_VEHICLE]),
    ("road-damage", "도로 파손(포트홀)", "Road damage / pothole",
     "포트홀, 보도블록 파손, 맨홀 뚜껑 이탈",
     "Potholes, broken pavement, loose manhole covers",
     3, True, "safety", [_SIZE]),
    ("street-light", "가로등 고장", "Street light out",
     "꺼졌거나 깜박이는 가로등·보안등",
     "Street or security lights that are off or flickering",
     7, True, "safety", []),
    ("illegal-dumping", "쓰레기 무단투기", "Illegal dumping / littering",
     "무단투기된 쓰레기, 대형 폐기물 방치",
     "Dumped rubbish, abandoned bulky waste",
     7, False, "climate-environment", []),
    ("illegal-advertising", "불법 광고물", "Illegal advertising",
     "불법 현수막, 벽보, 전단지",
     "Illegal banners, posters and flyers",
     7, True, "urban-planning", []),
    ("noise", "소음", "Noise",
     "공사장·확성기·영업장 소음",
     "Noise from building sites, loudspeakers, businesses",
     7, False, "climate-environment", []),
    ("construction-safety", "공사장 안전", "Construction-site safety",
     "공사장 주변 안전시설 미비, 낙하물 위험",
     "Missing safety barriers, risk of falling objects around building sites",
     3, True, "safety", []),
    ("park-facility", "공원·시설물 파손", "Park or facility damage",
     "공원, 놀이터, 벤치, 운동기구 등 공공시설물 파손",
     "Broken playgrounds, benches, exercise equipment and other public facilities",
     7, True, "climate-environment", []),
    ("other", "기타 생활불편", "Other",
     "위에 없는 생활 불편 사항", "Any other everyday inconvenience",
     7, False, "citizen-communication", []),
]  # fmt: skip


def categories_load(category_model: Any = None) -> None:
    """Create or update the standard categories (the model is passed in from migrations)."""
    if category_model is None:
        from smartseoul.complaints.models import Category

        category_model = Category
    for order, row in enumerate(CATEGORIES, start=1):
        code, name_ko, name_en, desc_ko, desc_en, days, anonymous, department, attrs = row
        category_model.objects.update_or_create(
            code=code,
            defaults={
                "name_ko": name_ko,
                "name_en": name_en,
                "description_ko": desc_ko,
                "description_en": desc_en,
                "processing_days": days,
                "anonymous_allowed": anonymous,
                "department_code": department,
                "attributes": attrs,
                "order": order * 10,
            },
        )
