"""Photos and videos: checks at upload, GPS from a photo's EXIF, and the background work that
strips metadata, makes thumbnails and a web-friendly video.

The upload itself is only checked (type by content, size, video duration) and parked under
``complaints/incoming/``, which is never served; the published files are written by
``media_process`` in the worker, so a report with three photos is accepted in milliseconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, UnidentifiedImageError

from smartseoul.lib.images import jpeg_bytes, upright_rgb

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 100 * 1024 * 1024
MAX_VIDEO_SECONDS = 60.0
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm", "video/3gpp"}
PUBLISHED_LONG_SIDE = 2048
THUMBNAIL_LONG_SIDE = 400
_GPS_IFD = 0x8825


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile[Any]
    kind: str  # "photo" or "video"
    content_type: str
    size: int
    duration_seconds: float | None = None


def check_uploads(uploads: list[UploadedFile[Any]]) -> list[CheckedUpload]:
    """Up to three photos or one video, each of an accepted type, size and length."""
    photos = [u for u in uploads if not (u.content_type or "").startswith("video/")]
    videos = [u for u in uploads if (u.content_type or "").startswith("video/")]
    if videos and (photos or len(videos) > 1):
        raise ValidationError({"media": _("Send up to three photos or one video, not both.")})
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"media": _("Send at most three photos.")})
    return [_check_photo(u) for u in photos] + [_check_video(u) for u in videos]


def _check_photo(upload: UploadedFile[Any]) -> CheckedUpload:
    size = upload.size or 0
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {"media": _("%(name)s is larger than 10 MB.") % {"name": upload.name}}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:  # reads the header only: fast
            image_format = image.format or ""
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationError(
            {"media": _("%(name)s is not a photo we can read.") % {"name": upload.name}}
        ) from exc
    if image_format not in PHOTO_FORMATS:
        raise ValidationError(
            {"media": _("Photos must be JPEG, PNG or WebP (%(name)s).") % {"name": upload.name}}
        )
    upload.seek(0)
    return CheckedUpload(upload, "photo", PHOTO_FORMATS[image_format], size)


def _check_video(upload: UploadedFile[Any]) -> CheckedUpload:
    size = upload.size or 0
    if upload.content_type not in VIDEO_TYPES:
        raise ValidationError({"media": _("Videos must be MP4, MOV, WebM or 3GP.")})
    if size > MAX_VIDEO_BYTES:
        raise ValidationError({"media": _("The video is larger than 100 MB.")})
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name or "v").suffix) as temp:
        upload.seek(0)
        shutil.copyfileobj(upload, temp)
        temp.flush()
        duration = _video_duration(temp.name)
    upload.seek(0)
    if duration is None:
        raise ValidationError({"media": _("The video could not be read.")})
    if duration > MAX_VIDEO_SECONDS:
        raise ValidationError({"media": _("The video is longer than 60 seconds.")})
    return CheckedUpload(upload, "video", upload.content_type or "video/mp4", size, duration)


def _tool(name: str) -> str:
    """The full path of ffmpeg/ffprobe (installed with the platform, see docs/complaints.md)."""
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed; videos cannot be processed.")
    return found


def _video_duration(path: str) -> float | None:
    result = subprocess.run(  # noqa: S603 - fixed program, our own temp file
        [
            _tool("ffprobe"), "-v", "error", "-select_streams", "v:0",
            "-show_entries", "format=duration:stream=codec_type", "-of", "json", path,
        ],
        capture_output=True,
        timeout=30,
        check=False,
    )  # fmt: skip
    if result.returncode != 0:
        return None
    info = json.loads(result.stdout or b"{}")
    if not info.get("streams"):
        return None
    try:
        return float(info["format"]["duration"])
    except (KeyError, ValueError):
        return None


def photo_gps(file: IO[bytes]) -> tuple[float, float] | None:
    """The latitude/longitude in a photo's EXIF, or None; reads only the header."""
    try:
        file.seek(0)
        with Image.open(file) as image:
            gps: dict[int, Any] = dict(image.getexif().get_ifd(_GPS_IFD))
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    finally:
        file.seek(0)
    try:
        lat = _degrees(gps[2]) * (-1 if str(gps.get(1, "N")).upper().startswith("S") else 1)
        lon = _degrees(gps[4]) * (-1 if str(gps.get(3, "E")).upper().startswith("W") else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 7), round(lon, 7)


def _degrees(value: Any) -> float:
    d, m, s = (float(part) for part in value)
    return d + m / 60 + s / 3600


# --- background processing (called from tasks.media_process) ------------------------------


def render_photo(source: IO[bytes], redactions: list[list[float]]) -> tuple[bytes, bytes]:
    """The published JPEG and its thumbnail: turned upright, no metadata, boxes blacked out."""
    image = upright_rgb(source, max_side=PUBLISHED_LONG_SIDE)
    _black_boxes(image, redactions)
    published = jpeg_bytes(image)
    image.thumbnail((THUMBNAIL_LONG_SIDE, THUMBNAIL_LONG_SIDE))
    return published, jpeg_bytes(image)


def _black_boxes(image: Image.Image, boxes: list[list[float]]) -> None:
    draw = ImageDraw.Draw(image)
    width, height = image.size
    for x, y, w, h in boxes:
        draw.rectangle([x * width, y * height, (x + w) * width, (y + h) * height], fill=(0, 0, 0))


def render_video(source: File) -> tuple[bytes, bytes]:  # type: ignore[type-arg]
    """A web-friendly H.264/AAC MP4 (≤ 720p, metadata removed) and a JPEG poster."""
    with tempfile.TemporaryDirectory() as folder:
        original = Path(folder) / "original"
        with original.open("wb") as out:
            for chunk in source.chunks():
                out.write(chunk)
        video, poster = Path(folder) / "web.mp4", Path(folder) / "poster.jpg"
        subprocess.run(  # noqa: S603 - fixed program and arguments
            [
                _tool("ffmpeg"), "-v", "error", "-y", "-i", str(original),
                "-t", str(MAX_VIDEO_SECONDS),
                "-map_metadata", "-1", "-vf", "scale=-2:'min(720,ih)'",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(video),
            ],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
        subprocess.run(  # noqa: S603
            [
                _tool("ffmpeg"), "-v", "error", "-y", "-i", str(video), "-frames:v", "1",
                "-vf", f"scale={THUMBNAIL_LONG_SIDE}:-2", str(poster),
            ],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        return video.read_bytes(), poster.read_bytes()


def content_file(data: bytes, name: str) -> ContentFile:  # type: ignore[type-arg]
    return ContentFile(data, name=name)
