"""A staging request checked before any engine, rate limit or usage is asked."""

from dataclasses import dataclass

from django.conf import settings

from staging.choices import QualityMode, StagingMode
from staging.errors import InvalidStyle, MaintenanceMode
from staging.models import DisclosureProfile, Style
from staging.services.disclosure import disclosure_profile
from staging.services.uploads import Photo, check_upload


@dataclass(frozen=True)
class StagingRequest:
    """A staging request that passed every check that needs no engine: the style,
    the disclosure profile and each photo's magic bytes, byte size and header pixels."""

    style: Style
    profile: DisclosureProfile | None
    photos: list[Photo]
    room_type: str = ""
    quality_mode: str = QualityMode.PREMIUM
    property_name: str = ""
    mode: str = StagingMode.STAGE


def check_request(owner, *, images: list, style_id: str, room_type: str = "", quality_mode: str = "",
                  property_name: str = "", disclosure: str = "", mode: str = "") -> StagingRequest:
    """Validate a staging or batch request before the engine, rate limits or usage are asked.

    A bad request gets its own 4xx (``MaintenanceMode`` first, then
    ``InvalidStyle``, ``ValidationFailed`` for the profile,
    ``InvalidUpload``/``UploadTooLarge``) even when no engine is configured.
    Photos are checked by header only (see ``check_upload``).
    """
    if settings.STAGING_MAINTENANCE_MODE:
        raise MaintenanceMode()
    style = active_style(style_id)
    profile = disclosure_profile(owner, disclosure)
    photos = [check_upload(image) for image in images] or [check_upload(None)]
    return StagingRequest(style=style, profile=profile, photos=photos, room_type=room_type or "",
                          quality_mode=quality_mode or QualityMode.PREMIUM, property_name=property_name.strip(),
                          mode=mode or StagingMode.STAGE)


def active_style(style_id: str) -> Style:
    style = Style.objects.active().filter(pk=style_id or "").first()
    if style is None:
        valid = ", ".join(Style.objects.active().values_list("id", flat=True))
        raise InvalidStyle(f"Unknown style {style_id!r}.", details=f"Valid styles: {valid}")
    return style
