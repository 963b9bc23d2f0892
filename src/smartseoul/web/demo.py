"""Demo data: departments, officials and citizens across districts.

``demo_load()`` is idempotent, so ``smartseoul demo`` can run it at every start.  Other apps
add their own demo content with ``register_demo_loader`` (called from their ``ready``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

DEMO_PASSWORD = "seoul-demo-2026"  # noqa: S105 - printed on purpose: demo accounts only
DEMO_DOMAIN = "demo.smartseoul.example"

# City-hall bureaus (실·국·본부): code, Korean name, English name.
CITY_HALL_BUREAUS = [
    ("planning", "기획조정실", "Planning and Coordination Office"),
    ("digital-city", "디지털도시국", "Digital City Bureau"),
    ("administration", "행정국", "Administration Bureau"),
    ("finance", "재무국", "Finance Bureau"),
    ("citizen-communication", "시민소통기획관", "Citizen Communication Bureau"),
    ("welfare", "복지실", "Welfare Office"),
    ("climate-environment", "기후환경본부", "Climate and Environment Headquarters"),
    ("transportation", "교통실", "Transportation Office"),
    ("urban-planning", "도시공간본부", "Urban Space Headquarters"),
    ("housing", "주택실", "Housing Office"),
    ("safety", "재난안전관리실", "Disaster and Safety Management Office"),
    ("culture", "문화본부", "Culture Headquarters"),
    ("economy", "경제실", "Economy Office"),
    ("audit", "감사위원회", "Audit Committee"),
]

# (e-mail local part, name, district code, neighbourhood code, birth year)
DEMO_CITIZENS = [
    ("citizen", "김민준", "11110", "11110101", 1988),  # 종로구 청운동
    ("citizen.gangnam", "이서연", "11680", "11680105", 1995),  # 강남구 삼성동
    ("citizen.mapo", "박지호", "11440", None, 1979),
    ("citizen.nowon", "최수아", "11350", None, 2001),
    ("citizen.songpa", "정우진", "11710", None, 1966),
]

_demo_loaders: list[Callable[[], None]] = []


def register_demo_loader(loader: Callable[[], None]) -> None:
    if loader not in _demo_loaders:
        _demo_loaders.append(loader)


def departments_load() -> None:
    from smartseoul.accounts.models import Department
    from smartseoul.places.models import District

    for code, name_ko, name_en in CITY_HALL_BUREAUS:
        Department.objects.update_or_create(
            code=code,
            defaults={"name_ko": name_ko, "name_en": name_en, "kind": Department.Kind.CITY_HALL},
        )
    for district in District.objects.all():
        Department.objects.update_or_create(
            code=f"gu-{district.code}",
            defaults={
                "name_ko": f"{district.name_ko}청",
                "name_en": f"{district.name_en} Office",
                "kind": Department.Kind.DISTRICT_OFFICE,
                "district": district,
            },
        )


@transaction.atomic
def demo_load() -> list[dict[str, str]]:
    """Create the demo content once; return the demo logins to print."""
    from smartseoul.accounts.actions import (
        citizen_profile_save,
        email_mark_verified,
        official_create,
        role_grant,
    )
    from smartseoul.accounts.models import Department, User
    from smartseoul.accounts.roles import Role
    from smartseoul.places.models import District, Neighbourhood

    departments_load()
    logins: list[dict[str, str]] = []

    for local, name, district_code, neighbourhood_code, birth_year in DEMO_CITIZENS:
        email = f"{local}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD)
            email_mark_verified(user)
            citizen_profile_save(
                user=user,
                name=name,
                district=District.objects.get(code=district_code),
                neighbourhood=(
                    Neighbourhood.objects.get(code=neighbourhood_code)
                    if neighbourhood_code
                    else None
                ),
                birth_year=birth_year,
            )
        if local == "citizen":
            logins.append({"role": "citizen", "email": email, "password": DEMO_PASSWORD})

    officials = [
        (
            "official.mapo",
            "정다은",
            "gu-11440",
            "주무관 (민원여권과)",
            [Role.DEPARTMENT_MANAGER],
            "district-office official",
        ),
        (
            "official.cityhall",
            "한지훈",
            "digital-city",
            "사무관 (스마트도시정책과)",
            [Role.ELECTION_ADMINISTRATOR, Role.DATA_PUBLISHER, Role.SENSOR_OPERATOR],
            "city-hall official",
        ),
    ]
    for local, name, department_code, position, roles, label in officials:
        email = f"{local}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = official_create(
                actor=None,
                email=email,
                password=DEMO_PASSWORD,
                name=name,
                department=Department.objects.get(code=department_code),
                position=position,
                roles=roles,
            )
        logins.append(
            {
                "role": label,
                "email": email,
                "password": DEMO_PASSWORD,
                "totp_secret": _demo_totp(user),
            }
        )

    admin_email = f"admin@{DEMO_DOMAIN}"
    admin = User.objects.filter(email=admin_email).first()
    if admin is None:
        admin = User.objects.create_superuser(admin_email, DEMO_PASSWORD)
        email_mark_verified(admin)
        role_grant(actor=None, user=admin, role=Role.SYSTEM_ADMINISTRATOR)
    logins.append(
        {
            "role": "administrator",
            "email": admin_email,
            "password": DEMO_PASSWORD,
            "totp_secret": _demo_totp(admin),
        }
    )

    for loader in _demo_loaders:
        loader()
    return logins


def _demo_totp(user: object) -> str:
    """The demo account's TOTP secret, activating one the first time."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import decrypt

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return str(decrypt(existing.data["secret"]))
    secret = generate_totp_secret()
    TOTP.activate(user, secret)  # type: ignore[arg-type]
    return secret


def demo_totp_code(email: str) -> str:
    """The current TOTP code of a demo account (the demo prints it on request)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    if not email.endswith(f"@{DEMO_DOMAIN}"):
        raise ValueError("Only demo accounts' codes can be shown.")
    authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), counter))
