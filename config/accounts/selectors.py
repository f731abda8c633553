"""The reads every authenticated request makes: an API key with its owner, an access token's user.

Both are one-row lookups on a unique column, precompiled (``config.precompiled``) because the
ORM's per-request query compilation was their largest cost. They read the database each time:
a revoked key or a deactivated user is refused on the very next request.
"""

from config.accounts.models import APIKey, User
from config.precompiled import PrecompiledRead

_KEY_WITH_OWNER = PrecompiledRead(APIKey, by="prefix", with_related="owner")
_USER = PrecompiledRead(User, by="id")


def key_with_owner(prefix: str) -> APIKey | None:
    """The API key with this prefix (revoked or not), its owner loaded, or ``None``."""
    return _KEY_WITH_OWNER.get(prefix)


def user_by_id(user_id) -> User | None:
    """The user with this primary key (active or not), or ``None`` (also for a malformed id)."""
    return _USER.get(user_id)
