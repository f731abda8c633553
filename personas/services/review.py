"""Reviewing generated content: approve (which runs content_approved automation rules) or reject."""

from django.db import transaction
from django.utils import timezone

from config.errors import ValidationFailed
from personas.choices import Review
from personas.models import ContentItem
from personas.selectors import content_for
from personas.services import automation


def approve_content(reviewer, *, content_id) -> ContentItem:
    """Approve an item for posting, recording who approved it and when.

    A first approval runs the character's content_approved automation rules
    (their runs are logged; a failing rule never undoes the approval).
    """
    with transaction.atomic():
        item = content_for(reviewer, content_id)
        newly_approved = item.review != Review.APPROVED
        item = _review(reviewer, item, Review.APPROVED, reason="")
    if newly_approved:
        automation.on_content_approved(item)
    return item


def reject_content(reviewer, *, content_id, reason: str) -> ContentItem:
    """Reject an item with the reviewer's reason (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("reason: a reason is required to reject content.", details={"field": "reason"})
    return _review(reviewer, content_for(reviewer, content_id), Review.REJECTED, reason=reason)


def _review(reviewer, item: ContentItem, review: str, *, reason: str) -> ContentItem:
    item.review = review
    item.review_reason = reason
    item.reviewed_by = reviewer
    item.reviewed_at = timezone.now()
    item.save(update_fields=["review", "review_reason", "reviewed_by", "reviewed_at"])
    return item
