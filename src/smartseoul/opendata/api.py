from __future__ import annotations

from ninja import Router

from smartseoul.api import identified_if_possible

router = Router(tags=["opendata"], auth=identified_if_possible)
