from __future__ import annotations

import pytest

from smartseoul.places.actions import boundaries_sync
from smartseoul.places.models import District, Neighbourhood

pytestmark = pytest.mark.django_db


def test_the_packaged_boundaries_are_loaded_once_and_repaired() -> None:
    assert District.objects.count() == 25
    assert Neighbourhood.objects.count() == 467
    assert boundaries_sync() == 0  # already current: nothing written

    District.objects.filter(code="11140").update(name_ko="잘못된 이름")
    Neighbourhood.objects.filter(code="11140103").delete()
    assert boundaries_sync() == 2
    assert District.objects.get(code="11140").name_ko == "중구"
    assert Neighbourhood.objects.get(code="11140103").name_ko == "태평로1가"
