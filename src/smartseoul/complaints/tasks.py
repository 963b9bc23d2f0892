"""Background work: thin wrappers over the actions, run by ``smartseoul worker``."""

from __future__ import annotations

from django_tasks import task

from smartseoul.complaints import escalation, media_actions


@task()
def media_process(media_id: int) -> None:
    """Strip a photo's metadata and make its thumbnail, or transcode a video."""
    media_actions.media_publish(media_id=media_id)


@task()
def media_process_many(media_ids: list[int]) -> None:
    """All of one report's uploads: one queued task per report, not per file."""
    for media_id in media_ids:
        media_actions.media_publish(media_id=media_id)


@task()
def reports_escalate() -> int:
    """Tell department managers about reports past their deadline (once per deadline).

    Enqueue it from cron or a systemd timer (``smartseoul manage complaints_escalate``)."""
    return escalation.reports_escalate_overdue()
