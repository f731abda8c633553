"""Lookups every part of the personas app shares; another user's object is not found."""

import uuid

from config.errors import NotFound
from personas.errors import CharacterNotFound, ContentNotApproved
from personas.models import Character, ContentItem, Generation, PlatformAccount, Post, ScheduledPost


def _uuid_lookup(queryset, object_id):
    """The row with this id, or ``None`` for an unknown or malformed id."""
    try:
        key = uuid.UUID(str(object_id))
    except ValueError:
        return None
    return queryset.filter(pk=key).first()


def character_for(user, character_id) -> Character:
    """The user's live character, or ``CharacterNotFound`` (404)."""
    character = _uuid_lookup(Character.objects.for_user(user), character_id)
    if character is None:
        raise CharacterNotFound()
    return character


def content_for(user, content_id) -> ContentItem:
    item = _uuid_lookup(ContentItem.objects.for_user(user).select_related("character"), content_id)
    if item is None:
        raise NotFound("Content not found.")
    return item


def approved_content(user, content_id) -> ContentItem:
    """The user's content if approved; ``ContentNotApproved`` (400) otherwise."""
    item = content_for(user, content_id)
    if not item.is_approved:
        raise ContentNotApproved()
    return item


def generation_for(user, generation_id) -> Generation:
    generation = _uuid_lookup(Generation.objects.for_user(user).select_related("character", "job"), generation_id)
    if generation is None:
        raise NotFound("Generation not found.")
    return generation


def account_for(user, account_id) -> PlatformAccount:
    account = _uuid_lookup(PlatformAccount.objects.for_user(user).select_related("character"), account_id)
    if account is None:
        raise NotFound("Platform account not found.")
    return account


def post_for(user, post_id) -> Post:
    post = _uuid_lookup(Post.objects.for_user(user).select_related("character", "account", "content"), post_id)
    if post is None:
        raise NotFound("Post not found.")
    return post


def scheduled_post_for(user, scheduled_post_id) -> ScheduledPost:
    scheduled = _uuid_lookup(ScheduledPost.objects.for_user(user).select_related("character", "account"),
                             scheduled_post_id)
    if scheduled is None:
        raise NotFound("Scheduled post not found.")
    return scheduled
