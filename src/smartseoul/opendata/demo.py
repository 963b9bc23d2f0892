"""Demo catalogue: 32 realistic datasets over the ten categories, with small generated tables.

The numbers are invented (seeded, so every demo shows the same) but shaped like Seoul's real
open data: per district, per neighbourhood, or points with coordinates.  Idempotent.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile

Rows = list[list[object]]


@dataclass(frozen=True)
class DemoSet:
    name: str
    title_ko: str
    title_en: str
    category: str
    department: str
    tags: list[str]
    description: str
    make: Callable[[random.Random], Rows]
    frequency: str = "monthly"
    service: str | None = None
    service_filters: list[str] = field(default_factory=list)
    encoding: str = "utf-8"


def _districts() -> list[tuple[str, str, float, float]]:
    from smartseoul.places.models import District

    return list(District.objects.values_list("code", "name_ko", "centroid_lat", "centroid_lon"))


def _neighbourhoods() -> list[tuple[str, str, str]]:
    from smartseoul.places.models import Neighbourhood

    return list(Neighbourhood.objects.values_list("code", "name_ko", "district__name_ko"))


def _per_district(
    columns: list[str], values: Callable[[random.Random], list[object]]
) -> Callable[[random.Random], Rows]:
    def make(rng: random.Random) -> Rows:
        rows: Rows = [["자치구", *columns]]
        rows.extend([name, *values(rng)] for _c, name, _la, _lo in _districts())
        return rows

    return make


def _points(
    kind: str,
    columns: list[str],
    per_district: int,
    values: Callable[[random.Random], list[object]],
) -> Callable[[random.Random], Rows]:
    def make(rng: random.Random) -> Rows:
        rows: Rows = [["명칭", "자치구", *columns, "위도", "경도"]]
        for _code, name, lat, lon in _districts():
            for index in range(per_district):
                rows.append(
                    [
                        f"{name} {kind} {index + 1}",
                        name,
                        *values(rng),
                        round(lat + rng.uniform(-0.012, 0.012), 6),
                        round(lon + rng.uniform(-0.015, 0.015), 6),
                    ]
                )
        return rows

    return make


def _monthly(
    columns: list[str], values: Callable[[random.Random], list[object]]
) -> Callable[[random.Random], Rows]:
    def make(rng: random.Random) -> Rows:
        rows: Rows = [["기준월", *columns]]
        for month in range(1, 13):
            rows.append([f"2025-{month:02d}", *values(rng)])
        return rows

    return make


def _air(rng: random.Random) -> Rows:
    rows: Rows = [
        ["측정일", "자치구", "미세먼지(PM10)", "초미세먼지(PM2.5)", "오존", "통합대기환경지수"]
    ]
    start = datetime.date(2026, 10, 1)
    for day in range(30):
        date = start + datetime.timedelta(days=day)
        base = rng.randint(15, 70)
        for _code, name, _la, _lo in _districts():
            pm10 = max(3, base + rng.randint(-10, 10))
            rows.append(
                [
                    date.isoformat(),
                    name,
                    pm10,
                    pm10 // 2,
                    round(rng.uniform(0.01, 0.06), 3),
                    pm10 + 20,
                ]
            )
    return rows


def _population(rng: random.Random) -> Rows:
    rows: Rows = [["행정동코드", "행정동", "자치구", "세대수", "인구(남)", "인구(여)", "65세이상"]]
    for code, name, district in _neighbourhoods():
        men, women = rng.randint(3000, 25000), rng.randint(3000, 26000)
        rows.append([code, name, district, (men + women) // 2, men, women, (men + women) // 6])
    return rows


def _subway(rng: random.Random) -> Rows:
    stations = [
        "서울역",
        "시청",
        "종각",
        "강남",
        "잠실",
        "홍대입구",
        "신림",
        "사당",
        "건대입구",
        "고속터미널",
    ]
    rows: Rows = [["사용일자", "역명", "승차총승객수", "하차총승객수"]]
    for day in range(1, 29):
        for station in stations:
            rows.append(
                [
                    f"2026-10-{day:02d}",
                    station,
                    rng.randint(20000, 120000),
                    rng.randint(20000, 120000),
                ]
            )
    return rows


R = random.Random
DEMO_SETS: list[DemoSet] = [
    DemoSet(
        "air-quality-daily",
        "서울시 자치구별 일별 대기오염 정보",
        "Daily air quality by district",
        "environment",
        "climate-environment",
        ["미세먼지", "대기질", "초미세먼지"],
        "25개 자치구 도시대기측정소의 일평균 미세먼지·초미세먼지·오존 농도입니다.",
        _air,
        "daily",
        "DailyAirQuality",
        ["자치구"],
    ),
    DemoSet(
        "public-wifi",
        "서울시 공공와이파이 서비스 위치 정보",
        "Public Wi-Fi hotspots",
        "city",
        "digital-city",
        ["와이파이", "공공와이파이", "통신"],
        "서울시와 자치구가 설치한 공공 와이파이의 위치와 설치 유형입니다.",
        _points(
            "와이파이",
            ["설치유형", "설치년도"],
            6,
            lambda r: [r.choice(["실내", "실외", "버스정류소"]), r.randint(2015, 2025)],
        ),
        "quarterly",
        "TbPublicWifiInfo",
        ["자치구"],
    ),
    DemoSet(
        "libraries",
        "서울시 공공도서관 현황",
        "Public libraries",
        "education",
        "culture",
        ["도서관", "독서", "교육"],
        "구립·시립 공공도서관의 위치, 좌석 수, 장서 수입니다.",
        _points(
            "도서관",
            ["좌석수", "장서수"],
            3,
            lambda r: [r.randint(80, 900), r.randint(20000, 300000)],
        ),
        "annual",
        "SeoulLibraryInfo",
        ["자치구"],
        "cp949",
    ),
    DemoSet(
        "parking-lots",
        "서울시 공영주차장 안내 정보",
        "Public parking lots",
        "transport",
        "transportation",
        ["주차장", "주차", "교통"],
        "공영주차장의 위치, 주차면수, 기본요금입니다.",
        _points(
            "공영주차장",
            ["주차면수", "기본요금(원)"],
            4,
            lambda r: [r.randint(20, 600), r.choice([300, 500, 1000])],
        ),
        "monthly",
        "GetParkInfo",
        ["자치구"],
    ),
    DemoSet(
        "bike-stations",
        "서울시 공공자전거 대여소 정보",
        "Seoul Bike (Ttareungyi) stations",
        "transport",
        "transportation",
        ["따릉이", "자전거", "공공자전거"],
        "따릉이 대여소의 위치와 거치대 수입니다.",
        _points("대여소", ["거치대수"], 8, lambda r: [r.randint(5, 40)]),
        "monthly",
        "BikeStationMaster",
        ["자치구"],
    ),
    DemoSet(
        "population-by-neighbourhood",
        "서울시 주민등록인구 (동별) 통계",
        "Registered population by neighbourhood",
        "administration",
        "administration",
        ["인구", "세대", "주민등록"],
        "행정동별 세대수와 성별 인구, 65세 이상 인구입니다.",
        _population,
        "quarterly",
        "PopulationByDong",
        ["자치구"],
    ),
    DemoSet(
        "subway-ridership",
        "서울시 지하철 역별 일별 승하차 인원",
        "Subway ridership by station",
        "transport",
        "transportation",
        ["지하철", "승하차", "대중교통"],
        "주요 역의 일별 승차·하차 총 승객 수입니다.",
        _subway,
        "daily",
        "CardSubwayStatsNew",
        ["역명"],
    ),
    DemoSet(
        "district-budget",
        "자치구별 예산 현황",
        "Budget by district",
        "administration",
        "finance",
        ["예산", "재정"],
        "자치구별 일반회계·특별회계 예산(백만원)입니다.",
        _per_district(
            ["일반회계(백만원)", "특별회계(백만원)"],
            lambda r: [r.randint(400000, 1200000), r.randint(20000, 150000)],
        ),
        "annual",
    ),
    DemoSet(
        "civil-petitions",
        "자치구별 민원 접수 처리 현황",
        "Complaints received and handled by district",
        "administration",
        "citizen-communication",
        ["민원", "응답소", "처리기간"],
        "자치구별 민원 접수 건수, 처리 건수, 평균 처리일수입니다.",
        _per_district(
            ["접수건수", "처리건수", "평균처리일수"],
            lambda r: [
                (n := r.randint(3000, 20000)),
                n - r.randint(0, 300),
                round(r.uniform(1.5, 7.0), 1),
            ],
        ),
        "monthly",
    ),
    DemoSet(
        "festivals",
        "서울시 문화행사 정보",
        "Cultural events",
        "culture",
        "culture",
        ["축제", "공연", "문화행사"],
        "서울 곳곳에서 열리는 축제와 공연의 장소·기간입니다.",
        _points(
            "문화행사",
            ["분류", "유무료"],
            2,
            lambda r: [r.choice(["축제", "공연", "전시", "교육"]), r.choice(["무료", "유료"])],
        ),
        "weekly",
        "culturalEventInfo",
        ["자치구"],
    ),
    DemoSet(
        "tourist-attractions",
        "서울시 관광 명소 정보",
        "Tourist attractions",
        "culture",
        "culture",
        ["관광", "명소", "여행"],
        "외국인 관광객이 많이 찾는 명소의 위치와 연간 방문객 추정치입니다.",
        _points("명소", ["연간방문객"], 2, lambda r: [r.randint(10000, 5000000)]),
        "annual",
    ),
    DemoSet(
        "parks",
        "서울시 주요 공원 현황",
        "Parks",
        "environment",
        "climate-environment",
        ["공원", "녹지", "산책"],
        "도시공원의 위치와 면적(㎡)입니다.",
        _points(
            "공원",
            ["면적(㎡)", "공원구분"],
            3,
            lambda r: [r.randint(5000, 3000000), r.choice(["근린공원", "어린이공원", "체육공원"])],
        ),
        "annual",
    ),
    DemoSet(
        "noise",
        "자치구별 환경소음 측정 결과",
        "Environmental noise by district",
        "environment",
        "climate-environment",
        ["소음", "환경"],
        "주간·야간 환경소음 평균(dB)입니다.",
        _per_district(
            ["주간소음(dB)", "야간소음(dB)"], lambda r: [r.randint(52, 68), r.randint(42, 60)]
        ),
        "quarterly",
    ),
    DemoSet(
        "recycling",
        "자치구별 생활폐기물 재활용률",
        "Household waste recycling rate by district",
        "environment",
        "climate-environment",
        ["재활용", "폐기물", "쓰레기"],
        "생활폐기물 발생량(톤/일)과 재활용률(%)입니다.",
        _per_district(
            ["발생량(톤/일)", "재활용률(%)"],
            lambda r: [r.randint(150, 700), round(r.uniform(55, 75), 1)],
        ),
        "annual",
    ),
    DemoSet(
        "hospitals",
        "서울시 병의원 위치 정보",
        "Hospitals and clinics",
        "health",
        "welfare",
        ["병원", "의원", "의료"],
        "병원·의원의 위치와 진료과목 수입니다.",
        _points(
            "의원",
            ["종별", "진료과목수"],
            5,
            lambda r: [r.choice(["의원", "병원", "치과의원", "한의원"]), r.randint(1, 20)],
        ),
        "monthly",
        "TbHospitalInfo",
        ["자치구"],
    ),
    DemoSet(
        "pharmacies",
        "서울시 약국 운영 시간 정보",
        "Pharmacies and opening hours",
        "health",
        "welfare",
        ["약국", "심야약국", "의료"],
        "약국의 위치와 평일 운영 종료 시각입니다.",
        _points(
            "약국", ["평일종료시각"], 5, lambda r: [r.choice(["18:00", "20:00", "22:00", "24:00"])]
        ),
        "monthly",
    ),
    DemoSet(
        "health-checkups",
        "자치구별 건강검진 수검률",
        "Health check-up rate by district",
        "health",
        "welfare",
        ["건강검진", "보건"],
        "국가건강검진 대상자와 수검률(%)입니다.",
        _per_district(
            ["대상자수", "수검률(%)"],
            lambda r: [r.randint(100000, 400000), round(r.uniform(65, 82), 1)],
        ),
        "annual",
    ),
    DemoSet(
        "business-startups",
        "자치구별 사업체 창업·폐업 현황",
        "Business openings and closures by district",
        "economy",
        "economy",
        ["창업", "폐업", "소상공인"],
        "업종 전체 창업·폐업 사업체 수입니다.",
        _per_district(
            ["창업수", "폐업수"], lambda r: [r.randint(1500, 9000), r.randint(1000, 8000)]
        ),
        "quarterly",
    ),
    DemoSet(
        "traditional-markets",
        "서울시 전통시장 현황",
        "Traditional markets",
        "economy",
        "economy",
        ["전통시장", "시장", "상권"],
        "전통시장의 위치와 점포 수입니다.",
        _points("시장", ["점포수"], 2, lambda r: [r.randint(30, 900)]),
        "annual",
    ),
    DemoSet(
        "consumer-prices",
        "서울시 생필품 가격 정보",
        "Prices of daily necessities",
        "economy",
        "economy",
        ["물가", "가격", "생필품"],
        "주요 생필품의 월별 평균 가격(원)입니다.",
        _monthly(
            ["쌀(20kg)", "달걀(30구)", "우유(1L)"],
            lambda r: [r.randint(52000, 60000), r.randint(6000, 8000), r.randint(2600, 3100)],
        ),
        "monthly",
    ),
    DemoSet(
        "building-permits",
        "자치구별 건축 인허가 현황",
        "Building permits by district",
        "city",
        "urban-planning",
        ["건축", "인허가", "주택"],
        "건축허가 건수와 연면적(㎡)입니다.",
        _per_district(
            ["허가건수", "연면적(㎡)"], lambda r: [r.randint(100, 900), r.randint(50000, 900000)]
        ),
        "monthly",
    ),
    DemoSet(
        "streetlights",
        "서울시 보안등 위치 정보",
        "Street and security lights",
        "city",
        "safety",
        ["보안등", "가로등", "안전"],
        "골목길 보안등의 위치와 광원 종류입니다.",
        _points("보안등", ["광원"], 8, lambda r: [r.choice(["LED", "나트륨", "메탈"])]),
        "annual",
    ),
    DemoSet(
        "public-toilets",
        "서울시 공중화장실 위치 정보",
        "Public toilets",
        "city",
        "climate-environment",
        ["화장실", "공중화장실"],
        "개방 화장실의 위치와 개방 시간입니다.",
        _points(
            "공중화장실",
            ["개방시간"],
            4,
            lambda r: [r.choice(["24시간", "09:00~18:00", "06:00~22:00"])],
        ),
        "quarterly",
    ),
    DemoSet(
        "senior-centres",
        "서울시 경로당 현황",
        "Senior citizens' centres",
        "welfare",
        "welfare",
        ["경로당", "어르신", "노인복지"],
        "경로당의 위치와 회원 수입니다.",
        _points("경로당", ["회원수"], 4, lambda r: [r.randint(15, 120)]),
        "annual",
    ),
    DemoSet(
        "childcare",
        "자치구별 어린이집 현황",
        "Day-care centres by district",
        "welfare",
        "welfare",
        ["어린이집", "보육", "육아"],
        "국공립·민간 어린이집 수와 정원입니다.",
        _per_district(
            ["국공립", "민간", "정원"],
            lambda r: [r.randint(40, 160), r.randint(50, 300), r.randint(4000, 15000)],
        ),
        "quarterly",
    ),
    DemoSet(
        "basic-livelihood",
        "자치구별 기초생활수급자 현황",
        "Basic livelihood recipients by district",
        "welfare",
        "welfare",
        ["기초생활", "복지", "수급자"],
        "기초생활보장 수급 가구와 인원입니다.",
        _per_district(
            ["수급가구", "수급자수"], lambda r: [(h := r.randint(5000, 30000)), int(h * 1.4)]
        ),
        "quarterly",
    ),
    DemoSet(
        "fire-incidents",
        "자치구별 화재 발생 현황",
        "Fires by district",
        "safety",
        "safety",
        ["화재", "소방", "재난"],
        "화재 건수와 재산피해(천원)입니다.",
        _per_district(
            ["화재건수", "재산피해(천원)"],
            lambda r: [r.randint(80, 400), r.randint(200000, 3000000)],
        ),
        "monthly",
    ),
    DemoSet(
        "cctv",
        "서울시 방범용 CCTV 설치 현황",
        "Crime-prevention CCTV",
        "safety",
        "safety",
        ["CCTV", "방범", "안전"],
        "방범용 CCTV의 위치와 설치 연도입니다.",
        _points("CCTV", ["설치년도"], 8, lambda r: [r.randint(2010, 2025)]),
        "annual",
        "CctvInstall",
        ["자치구"],
    ),
    DemoSet(
        "shelters",
        "서울시 민방위 대피소 정보",
        "Civil defence shelters",
        "safety",
        "safety",
        ["대피소", "민방위", "재난"],
        "민방위 대피소의 위치와 수용 인원입니다.",
        _points("대피소", ["수용인원"], 4, lambda r: [r.randint(300, 8000)]),
        "annual",
    ),
    DemoSet(
        "schools",
        "서울시 초·중·고등학교 현황",
        "Schools",
        "education",
        "administration",
        ["학교", "초등학교", "교육"],
        "학교의 위치, 학교급, 학생 수입니다.",
        _points(
            "학교",
            ["학교급", "학생수"],
            5,
            lambda r: [r.choice(["초등학교", "중학교", "고등학교"]), r.randint(200, 1500)],
        ),
        "annual",
    ),
    DemoSet(
        "lifelong-learning",
        "서울시 평생학습 강좌 현황",
        "Lifelong learning courses",
        "education",
        "culture",
        ["평생학습", "강좌", "교육"],
        "월별 평생학습 강좌 수와 수강생 수입니다.",
        _monthly(["강좌수", "수강생수"], lambda r: [r.randint(200, 600), r.randint(4000, 15000)]),
        "monthly",
    ),
    DemoSet(
        "ev-chargers",
        "서울시 전기차 충전소 위치 정보",
        "Electric vehicle chargers",
        "transport",
        "climate-environment",
        ["전기차", "충전소", "친환경"],
        "전기차 충전기의 위치와 충전 방식입니다.",
        _points(
            "충전소",
            ["충전방식", "충전기수"],
            4,
            lambda r: [r.choice(["급속", "완속"]), r.randint(1, 12)],
        ),
        "monthly",
        "EvChargerInfo",
        ["자치구"],
    ),
]


def _csv_bytes(rows: Rows, encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def opendata_demo_load() -> None:
    from smartseoul.accounts.models import Department
    from smartseoul.opendata.actions import (
        dataset_create,
        resource_create,
        resource_version_add,
        resource_version_load,
    )
    from smartseoul.opendata.models import Dataset

    departments = {d.code: d for d in Department.objects.all()}
    if not departments:
        return
    for index, spec in enumerate(DEMO_SETS):
        if Dataset.objects.filter(name=spec.name).exists():
            continue
        department = departments.get(spec.department) or next(iter(departments.values()))
        dataset = dataset_create(
            actor=None,
            name=spec.name,
            department=department,
            title_ko=spec.title_ko,
            title_en=spec.title_en,
            description_ko=spec.description,
            description_en=spec.title_en + " in Seoul (demo data).",
            category=spec.category,
            tags=spec.tags,
            frequency=spec.frequency,
            contact_name=department.name_ko,
            contact_email=f"opendata@{spec.department}.demo.smartseoul.example",
            temporal_start=datetime.date(2025, 1, 1),
            temporal_end=datetime.date(2026, 10, 31),
        )
        resource = resource_create(
            actor=None,
            dataset=dataset,
            name=spec.title_ko,
            format="csv",
            service_name=spec.service,
            service_filters=spec.service_filters,
        )
        content = _csv_bytes(spec.make(random.Random(index)), spec.encoding)  # noqa: S311 - demo data
        version = resource_version_add(
            actor=None, resource=resource, upload=ContentFile(content), filename=f"{spec.name}.csv"
        )
        # Loaded here rather than by the worker, so the demo is complete when it starts.
        resource_version_load(version_id=version.pk)
    from smartseoul.opendata.platform import PLATFORM_SETS, platform_datasets_refresh

    if not Dataset.objects.filter(name__in=[spec.name for spec in PLATFORM_SETS]).exists():
        platform_datasets_refresh()
