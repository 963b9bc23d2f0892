"""Pictures for a vote's options (a project's site, a candidate's photo), set while the vote
is a draft: once scheduled, what voters see must not change under them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from smartseoul.audit.actions import audit_record
from smartseoul.lib.images import jpeg_bytes, upright_rgb
from smartseoul.voting.models import Option, Vote
from smartseoul.voting.permissions import may_manage

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1200  # pixels: sharp on a phone, small to send
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


def _reencoded(upload: UploadedFile) -> bytes:
    """The picture redrawn as a JPEG no larger than MAX_SIDE: drops EXIF (and its GPS), and
    anything that was not pixels."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"image": _("An option image may be at most 5 MB.")})
    try:
        with Image.open(upload) as original:
            if original.format not in ACCEPTED_FORMATS:
                raise ValidationError({"image": _("Upload a JPEG, PNG or WebP image.")})
        upload.seek(0)
        return jpeg_bytes(upright_rgb(upload, max_side=MAX_SIDE))
    except (UnidentifiedImageError, OSError):
        raise ValidationError({"image": _("This file is not an image.")}) from None


@transaction.atomic
def option_image_set(*, actor: Any, option: Option, upload: UploadedFile | None) -> Option:
    """Set (or, with no upload, remove) an option's picture."""
    vote = option.question.vote
    if not may_manage(actor, vote):
        raise PermissionDenied(_("You may not change this vote."))
    if vote.status != Vote.Status.DRAFT:
        raise ValidationError({"image": _("Images can be changed only while the vote is a draft.")})
    if option.image:
        option.image.delete(save=False)
    if upload is not None:
        option.image.save(f"{vote.public_id}-{option.pk}.jpg", ContentFile(_reencoded(upload)))
    else:
        option.save(update_fields=["image"])
    audit_record(
        actor=actor,
        action="vote.option_image_set" if upload is not None else "vote.option_image_removed",
        target=vote,
        details={"option": option.label},
    )
    return option
