"""Instagram: not configured in this deployment, and saying so.

No publishing happens through anything but a platform's official API, and these
three need an app review and credentials this deployment does not hold. Their
connectors refuse at once with PLATFORM_CONNECTION_FAILED (400), so nothing is
stored and nothing pretends to have posted. Notes for whoever implements them:

- Instagram: Graph API content publishing (a media container, then
  ``/media_publish``) from a professional account; at most 50 API-published
  posts per account in a rolling 24 hours (read ``/content_publishing_limit``).
  Instagram has no API field for an AI label; the disclosure line goes in the caption.
- X: API v2 ``POST /2/tweets`` with OAuth 2.0 user context; media through the v2 media upload.
- YouTube: Data API v3 ``videos.insert``; set ``status.containsSyntheticMedia``
  to true (``PublishRequest.ai_flag``) for altered or synthetic content.
"""

from personas.connectors.base import Connector, ConnectorError


class NotConfiguredConnector(Connector):
    """Every call answers that the platform is not configured here."""

    label = ""

    def _refuse(self, *args, **kwargs):
        raise ConnectorError(f"{self.label} publishing is not configured in this deployment.")

    connect = refresh = publish = delete = like = comment = follow = _refuse
    fetch_metrics = fetch_post_metrics = fetch_notifications = _refuse


class InstagramConnector(NotConfiguredConnector):
    platform = "instagram"
    label = "Instagram"
    # Instagram Graph API content publishing: 50 posts per account per rolling 24 hours.
    posts_per_day = 50

