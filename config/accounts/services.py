"""Every write on users and API keys.

Browser pages, the REST API and the admin all call these functions.
"""

import secrets

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from config.accounts.models import APIKey, User
from config.audit.choices import AuditAction
from config.audit.services import record as audit
from config.errors import Conflict, NotFound, Unauthenticated, UsageLimitExceeded, ValidationFailed
from config.timestamps import iso8601

API_KEY_MARK = "sc_"


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"
    default_message = "A user with this email already exists."


def register_user(*, email: str, password: str, full_name: str = "", company: str = "") -> User:
    """Create an active user on the trial plan.

    Raises ``ValidationFailed`` for a bad email or weak password and
    ``EmailTaken`` when the address is already registered.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed("Enter a valid email address.", details={"email": ["invalid"]}) from None
    try:
        validate_password(password, User(email=email, full_name=full_name))
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), details={"password": exc.messages}) from None
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken()
    try:
        with transaction.atomic():
            return User.objects.create_user(email, password, full_name=full_name.strip(), company=company.strip())
    except IntegrityError:  # lost a race with a concurrent registration
        raise EmailTaken() from None


def update_profile(user: User, *, full_name: str, company: str, default_style: str,
                   notification_preferences: dict) -> User:
    """Save the fields a user may edit about themselves."""
    user.full_name = full_name.strip()
    user.company = company.strip()
    user.default_style = default_style.strip()
    user.notification_preferences = notification_preferences
    user.save(update_fields=["full_name", "company", "default_style", "notification_preferences"])
    return user


def create_api_key(user: User, *, name: str) -> tuple[APIKey, str]:
    """Create a key and return it with the raw secret, which is never stored."""
    name = (name or "").strip() or "API key"
    for _ in range(5):  # the prefix is unique; a clash is astronomically rare
        prefix = secrets.token_hex(APIKey.PREFIX_LENGTH // 2)
        raw = f"{API_KEY_MARK}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                key = APIKey.objects.create(owner=user, name=name[:100], prefix=prefix, key_hash=APIKey.hash(raw))
                audit(AuditAction.API_KEY_CREATED, target=key,
                      detail={"owner": user.email, "prefix": prefix, "name": key.name})
            return key, raw
        except IntegrityError:
            continue
    raise RuntimeError("Could not allocate a unique API key prefix.")


def revoke_api_key(user: User, *, key_id: int) -> APIKey:
    """Revoke one of ``user``'s keys; it stops working at once."""
    key = APIKey.objects.for_user(user).filter(pk=key_id).first()
    if key is None:
        raise NotFound("API key not found.")
    if key.revoked_at is None:
        with transaction.atomic():
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit(AuditAction.API_KEY_REVOKED, target=key,
                  detail={"owner": user.email, "prefix": key.prefix, "name": key.name})
    return key


def regenerate_api_key(user: User, *, key_id: int) -> tuple[APIKey, str]:
    """Revoke a key and issue a new one under the same name."""
    with transaction.atomic():
        old = revoke_api_key(user, key_id=key_id)
        return create_api_key(user, name=old.name)


def _roll_cycle_if_due(user: User) -> None:
    now = timezone.now()
    if now >= user.cycle_resets_at:
        # Conditional on the old start so two processes cannot both reset.
        User.objects.filter(pk=user.pk, cycle_started_at=user.cycle_started_at).update(
            usage_this_cycle=0, cycle_started_at=now
        )
        user.refresh_from_db(fields=["usage_this_cycle", "cycle_started_at"])


def consume_usage(user: User, amount: int = 1) -> None:
    """Count ``amount`` AI jobs against the plan, or raise ``UsageLimitExceeded``.

    The check and the increment are one conditional UPDATE, so concurrent
    requests cannot overshoot the limit. It returns the new counter (``RETURNING``, which
    PostgreSQL and SQLite both have), so ``user.usage_this_cycle`` is fresh without a second read.
    """
    _roll_cycle_if_due(user)
    table, column, key = (connection.ops.quote_name(name) for name in
                          (User._meta.db_table, "usage_this_cycle", User._meta.pk.column))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {column} + %s WHERE {key} = %s AND {column} <= %s "
                       f"RETURNING {column}", [amount, User._meta.pk.get_db_prep_value(user.pk, connection),
                                               user.usage_limit - amount])
        row = cursor.fetchone()
    if row is None:
        raise UsageLimitExceeded(
            f"Monthly limit of {user.usage_limit} reached; it resets on {user.cycle_resets_at:%Y-%m-%d}.",
            details={"limit": user.usage_limit, "used": user.usage_this_cycle,
                     "resets_at": iso8601(user.cycle_resets_at)},
        )
    user.usage_this_cycle = row[0]


def refund_usage(user_id, amount: int = 1) -> None:
    """Give back usage for work that failed or was refused."""
    User.objects.filter(pk=user_id, usage_this_cycle__gte=amount).update(
        usage_this_cycle=F("usage_this_cycle") - amount
    )


def issue_tokens(user: User) -> dict:
    """A fresh access/refresh pair in the seed's shape."""
    refresh = RefreshToken.for_user(user)
    return {"access_token": str(refresh.access_token), "refresh_token": str(refresh), "token_type": "bearer"}


def login(*, email: str, password: str) -> dict:
    """Check credentials and issue tokens, or raise ``Unauthenticated``."""
    user = authenticate(email=(email or "").strip().lower(), password=password)
    if user is None:
        raise Unauthenticated("Invalid email or password, or account disabled.")
    return issue_tokens(user)


def rotate_refresh_token(raw: str) -> dict:
    """Swap a refresh token for a new pair; the old one is blacklisted.

    Presenting a rotated (blacklisted), expired or forged token raises
    ``Unauthenticated``.
    """
    try:
        old = RefreshToken(raw)
        old.check_blacklist()
        user = User.objects.filter(pk=old.payload.get("user_id"), is_active=True).first()
        if user is None:
            raise TokenError("The user is gone or disabled.")
        old.blacklist()
    except TokenError:
        raise Unauthenticated("Invalid or expired refresh token.") from None
    return issue_tokens(user)
