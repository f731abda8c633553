"""Analytics read from stored rows only: published ``Post`` counters and ``MetricSample`` history.

Nothing is estimated. Without follower samples there is no follower figure
(``None``) and no growth; without samples the trends are empty lists. Rates
are ``None`` when their denominator is unknown or zero.
"""

from collections import defaultdict
from datetime import date, datetime

from config.timestamps import iso8601
from personas import selectors
from personas.choices import Metric, PostStatus
from personas.models import MetricSample, PlatformAccount, Post

TOP_POSTS = 5
ENGAGEMENT_METRICS = (Metric.LIKES, Metric.COMMENTS, Metric.SHARES)


def overview(owner, *, character_id=None, platform: str | None = None, start: datetime | None = None,
             end: datetime | None = None) -> dict:
    """The seed's overview: totals, rate, growth, top posts, per-platform breakdown and daily trends,
    of posts published between ``start`` and ``end`` (aware, both inclusive) when given."""
    posts = Post.objects.for_user(owner).filter(status=PostStatus.PUBLISHED).select_related("account")
    accounts = PlatformAccount.objects.for_user(owner)
    if character_id:
        character = selectors.character_for(owner, character_id)
        posts, accounts = posts.filter(character=character), accounts.filter(character=character)
    if platform:
        posts, accounts = posts.filter(account__platform=platform), accounts.filter(platform=platform)
    if start:
        posts = posts.filter(published_at__gte=start)
    if end:
        posts = posts.filter(published_at__lte=end)
    return summarize(list(posts), list(accounts), start=start, end=end)


def summarize(posts: list[Post], accounts: list[PlatformAccount], *, start=None, end=None) -> dict:
    """The overview figures for these posts and accounts."""
    followers = _follower_samples(accounts, start, end)
    latest = {account_id: series[-1][1] for account_id, series in followers.items()}
    total_followers = sum(latest.values()) if latest else None
    total_engagement = sum(_engagement(post) for post in posts)
    breakdown: dict[str, dict] = defaultdict(lambda: {"posts": 0, "engagement": 0})
    for post in posts:
        breakdown[post.account.platform]["posts"] += 1
        breakdown[post.account.platform]["engagement"] += _engagement(post)
    top = sorted(posts, key=lambda post: (_engagement(post), post.published_at), reverse=True)[:TOP_POSTS]
    growth = sum(series[-1][1] - series[0][1] for series in followers.values()) if followers else None
    days, follower_trend = _daily_followers(followers)
    engagement_days, engagement_trend = _daily_engagement(posts, start, end)
    return {
        "total_posts": len(posts),
        "total_engagement": total_engagement,
        "total_followers": total_followers,
        "engagement_rate": _rate(total_engagement, len(posts) * (total_followers or 0)),
        "follower_growth": growth,
        "top_performing_posts": [post_summary(post) for post in top],
        "platform_breakdown": dict(breakdown),
        "trends": {"follower_growth": follower_trend, "engagement": engagement_trend,
                   "follower_dates": days, "engagement_dates": engagement_days},
    }


def _engagement(post: Post) -> int:
    return post.likes_count + post.comments_count + post.shares_count


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _follower_samples(accounts, start, end) -> dict:
    """Per account, its follower samples in the range as ``[(sampled_at, value), ...]`` in time order."""
    samples = MetricSample.objects.filter(account__in=accounts, metric=Metric.FOLLOWERS, post__isnull=True)
    if start:
        samples = samples.filter(sampled_at__gte=start)
    if end:
        samples = samples.filter(sampled_at__lte=end)
    series: dict = defaultdict(list)
    for account_id, sampled_at, value in samples.order_by("sampled_at", "id").values_list(
            "account_id", "sampled_at", "value"):
        series[account_id].append((sampled_at, value))
    return series


def _daily_followers(series: dict) -> tuple[list[str], list[int]]:
    """Followers at the end of each day with samples: the sum of each account's last known value."""
    by_day: dict[date, dict] = defaultdict(dict)
    for account_id, points in series.items():
        for sampled_at, value in points:
            by_day[sampled_at.date()][account_id] = value
    known: dict = {}
    days, values = [], []
    for day in sorted(by_day):
        known.update(by_day[day])
        days.append(day.isoformat())
        values.append(sum(known.values()))
    return days, values


def _daily_engagement(posts: list[Post], start, end) -> tuple[list[str], list[int]]:
    """Engagement of these posts at the end of each day with samples (likes + comments + shares)."""
    samples = MetricSample.objects.filter(post__in=posts, metric__in=ENGAGEMENT_METRICS)
    if start:
        samples = samples.filter(sampled_at__gte=start)
    if end:
        samples = samples.filter(sampled_at__lte=end)
    by_day: dict[date, dict] = defaultdict(dict)
    for post_id, metric, sampled_at, value in samples.order_by("sampled_at", "id").values_list(
            "post_id", "metric", "sampled_at", "value"):
        by_day[sampled_at.date()][(post_id, metric)] = value
    known: dict = {}
    days, values = [], []
    for day in sorted(by_day):
        known.update(by_day[day])
        days.append(day.isoformat())
        values.append(sum(known.values()))
    return days, values


def post_summary(post: Post) -> dict:
    return {"id": str(post.pk), "platform": post.account.platform, "caption": post.caption,
            "platform_post_url": post.platform_post_url or None, "likes_count": post.likes_count,
            "comments_count": post.comments_count, "shares_count": post.shares_count,
            "engagement": _engagement(post), "published_at": iso8601(post.published_at)}


def character_analytics(owner, *, character_id) -> dict:
    """The overview for one character, plus each of its accounts' latest stored follower figure."""
    character = selectors.character_for(owner, character_id)
    data = overview(owner, character_id=character.pk)
    accounts = list(PlatformAccount.objects.filter(character=character))
    followers = _follower_samples(accounts, None, None)
    data["character_id"] = str(character.pk)
    data["accounts"] = [
        {"account_id": str(account.pk), "platform": account.platform, "account_username": account.account_username,
         "connection_status": account.connection_status,
         "follower_count": followers[account.pk][-1][1] if followers.get(account.pk) else None,
         "posts": Post.objects.filter(account=account, status=PostStatus.PUBLISHED).count()}
        for account in accounts
    ]
    return data


def post_analytics(owner, *, post_id) -> dict:
    """One post's stored counts, its rate against the account's followers, and its sample history."""
    post = selectors.post_for(owner, post_id)
    followers = MetricSample.objects.filter(account=post.account, metric=Metric.FOLLOWERS, post__isnull=True) \
        .order_by("-sampled_at", "-id").values_list("value", flat=True).first()
    history: dict[str, list] = {metric: [] for metric in ENGAGEMENT_METRICS}
    for metric, value, sampled_at in MetricSample.objects.filter(post=post).order_by("sampled_at", "id") \
            .values_list("metric", "value", "sampled_at"):
        history.setdefault(metric, []).append({"value": value, "sampled_at": iso8601(sampled_at)})
    return {
        "post_id": str(post.pk), "character_id": str(post.character_id), "platform": post.account.platform,
        "status": post.status, "platform_post_id": post.platform_post_id or None,
        "platform_post_url": post.platform_post_url or None, "likes_count": post.likes_count,
        "comments_count": post.comments_count, "shares_count": post.shares_count,
        "engagement": _engagement(post), "engagement_rate": _rate(_engagement(post), followers or 0),
        "follower_count": followers, "published_at": iso8601(post.published_at),
        "last_synced_at": iso8601(post.last_synced_at), "history": history,
    }

