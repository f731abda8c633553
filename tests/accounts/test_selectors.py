"""The precompiled reads of keys and users return what the ORM would, and nothing for no row."""

import uuid

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from config.accounts import selectors
from config.accounts.models import APIKey, User
from config.accounts.services import create_api_key
from config.precompiled import PrecompiledRead

pytestmark = pytest.mark.django_db


def fields_of(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_user_by_id_is_the_row_the_orm_reads(owner):
    User.objects.filter(pk=owner.pk).update(notification_preferences={"email": {"job_finished": False}},
                                            monthly_usage_limit=7)
    read = selectors.user_by_id(owner.pk)

    assert fields_of(read) == fields_of(User.objects.get(pk=owner.pk))
    assert read.notification_preferences == {"email": {"job_finished": False}}  # the JSON column is parsed
    assert read.cycle_started_at.tzinfo is not None
    assert read._state.adding is False and read._state.db == "default"


def test_user_by_id_takes_the_id_as_text_as_a_token_carries_it(owner):
    assert selectors.user_by_id(str(owner.pk)).pk == owner.pk


@pytest.mark.parametrize("user_id", [uuid.uuid4(), "not-a-uuid", None, ""])
def test_user_by_id_is_none_without_a_row(owner, user_id):
    assert selectors.user_by_id(user_id) is None


def test_key_with_owner_loads_the_owner_in_the_same_query(owner):
    key, _ = create_api_key(owner, name="ci")

    with CaptureQueriesContext(connection) as queries:
        read = selectors.key_with_owner(key.prefix)
        assert read.owner.email == owner.email
    assert len(queries) == 1
    assert model_to_dict(read) == model_to_dict(APIKey.objects.get(pk=key.pk))
    assert fields_of(read.owner) == fields_of(owner.__class__.objects.get(pk=owner.pk))
    assert selectors.key_with_owner("nosuch") is None


def test_a_revoked_key_and_an_inactive_user_are_read_as_they_are_now(owner):
    key, _ = create_api_key(owner, name="ci")
    APIKey.objects.filter(pk=key.pk).update(revoked_at=key.created_at)
    User.objects.filter(pk=owner.pk).update(is_active=False)

    read = selectors.key_with_owner(key.prefix)

    assert read.revoked_at is not None and read.owner.is_active is False


def test_only_unique_fields_can_be_precompiled():
    with pytest.raises(ValueError, match="not unique"):
        PrecompiledRead(User, by="full_name")
