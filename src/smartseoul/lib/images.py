"""Uploaded pictures made safe to publish: turned upright, stripped of metadata.

Phones store a photo sideways and say how to turn it in EXIF; dropping EXIF (which also
holds the place it was taken) without turning the pixels first would publish it sideways.
"""

from __future__ import annotations

import io
from typing import IO

from PIL import Image, ImageOps


def upright_rgb(source: IO[bytes], *, max_side: int) -> Image.Image:
    """The picture turned as its EXIF says, as plain RGB pixels no larger than ``max_side``.
    A new image made from pixels carries no EXIF, GPS or other metadata."""
    with Image.open(source) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    image.thumbnail((max_side, max_side))
    return image


def jpeg_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, optimize=True)  # no exif= argument: none written
    return buffer.getvalue()
