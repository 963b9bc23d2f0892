"""Writes on a report's photos and videos: an official's redaction, and the worker's
publishing of an upload (EXIF-free photo or web video, thumbnail).  Atomic and audited,
like every write in ``actions.py``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from smartseoul.accounts.models import User
from smartseoul.audit.actions import audit_record
from smartseoul.complaints.actions import require_handler
from smartseoul.complaints.media import content_file, render_photo, render_video
from smartseoul.complaints.models import Event, Media


@transaction.atomic
def media_redact(*, actor: User, media: Media, boxes: list[list[float]]) -> Media:
    """Black out regions of a published photo (fractions of its width and height)."""

    require_handler(actor, media.report)
    if media.kind != Media.Kind.PHOTO or media.state != Media.State.READY:
        raise ValidationError({"media": _("Only processed photos can be redacted.")})
    for box in boxes:
        if len(box) != 4 or not all(0 <= v <= 1 for v in box) or box[2] <= 0 or box[3] <= 0:
            raise ValidationError({"boxes": _("Each box is x, y, width, height between 0 and 1.")})
    with media.file.open("rb") as source:
        published, thumbnail = render_photo(source, boxes)
    old_file, old_thumb = media.file.name, media.thumbnail.name
    media.file.save("photo.jpg", content_file(published, "photo.jpg"), save=False)
    media.thumbnail.save("thumb.jpg", content_file(thumbnail, "thumb.jpg"), save=False)
    media.redactions = [*media.redactions, *boxes]
    media.save(update_fields=["file", "thumbnail", "redactions"])
    storage = media.file.storage

    def forget_old_files() -> None:
        for name in (old_file, old_thumb):
            if name:
                storage.delete(name)

    transaction.on_commit(forget_old_files)
    Event.objects.create(report=media.report, kind=Event.Kind.REDACTED, actor=actor)
    audit_record(
        actor=actor, action="complaints.media_redact", target=media, details={"boxes": boxes}
    )
    return media


def media_publish(*, media_id: int) -> None:
    """Background: write the EXIF-free photo (or web video) and thumbnail; drop the upload."""

    media = Media.objects.filter(pk=media_id, state=Media.State.PENDING).first()
    if media is None or not media.incoming:
        return
    try:
        with media.incoming.open("rb") as source:
            if media.kind == Media.Kind.PHOTO:
                published, thumbnail = render_photo(source, media.redactions)
                name = "photo.jpg"
            else:
                published, thumbnail = render_video(source)
                name = "video.mp4"
    except Exception as exc:
        with transaction.atomic():
            Media.objects.filter(pk=media.pk).update(state=Media.State.FAILED)
            audit_record(
                actor=None,
                action="complaints.media_fail",
                target=media,
                details={"error": str(exc)[:200]},
            )
        return
    with transaction.atomic():
        media.file.save(name, content_file(published, name), save=False)
        media.thumbnail.save("thumb.jpg", content_file(thumbnail, "thumb.jpg"), save=False)
        incoming = media.incoming.name
        media.incoming = ""
        if media.kind == Media.Kind.VIDEO:
            media.content_type = "video/mp4"
        media.state = Media.State.READY
        media.save(update_fields=["file", "thumbnail", "incoming", "state", "content_type"])
        audit_record(actor=None, action="complaints.media_publish", target=media)
        storage = media.incoming.storage
        transaction.on_commit(lambda: storage.delete(incoming))
