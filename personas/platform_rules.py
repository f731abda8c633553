"""What each platform accepts, in one table: text, hashtags, images and video.

The figures are the platforms' published limits for what their APIs publish
(Mastodon's are a default instance's). Scheduling checks content against them
and refuses what cannot fit, naming the rule (``problems``), so nothing fails
at publish time for a reason known in advance; pages and the compose API show
how a caption will be cut on each platform (``preview``).

Text length is counted as the platform counts it: graphemes on Bluesky,
characters elsewhere, and X's weighted count (twitter-text v3: most Latin,
Cyrillic and Greek characters weigh 1, other characters and every emoji weigh
2, a URL always counts 23; the limit is 280).
"""

import re
import unicodedata
from dataclasses import dataclass, field

import grapheme

MB = 1024 * 1024
YOUTUBE_TITLE_LIMIT = 100  # a video's title: the text's first line, cut to fit

# twitter-text v3 (config/v3.json): code point ranges that weigh 1; everything else weighs 2.
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
X_URL_LENGTH = 23
# Bare domains X links without a scheme: these gTLDs, and every two-letter ccTLD.
GTLDS = frozenset(("com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "app", "dev", "io", "ai", "me",
                   "tv", "co", "ly", "gg", "xyz", "online", "site", "shop", "store", "blog", "news", "tech", "link",
                   "live", "art", "page", "cloud", "design", "club", "media", "social"))
URL = re.compile(
    r"(?<![A-Za-z0-9@\uff20$#\uff03_./-])(?P<scheme>https?://)?"
    r"(?P<host>(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?P<tld>[^\W\d_]{2,}))(?![\w-])"
    r"(?P<rest>(?::\d+)?(?:[/?#][!#-;=?-~]*)?)", re.IGNORECASE)
TRAILING = ".,:;!?'\""
HASHTAG = re.compile(r"(?<![\w#])#\w+")
ELLIPSIS = "…"


@dataclass(frozen=True)
class VideoRules:
    min_seconds: float
    max_seconds: float
    max_bytes: int
    codecs: tuple[str, ...] = ("h264",)
    # Shorts and reels want vertical video: width / height at most this (None: any shape).
    max_aspect: float | None = None


@dataclass(frozen=True)
class PlatformRules:
    label: str
    text_limit: int | None  # None: the server decides (Mastodon instances set their own)
    counting: str = "characters"  # "graphemes" (Bluesky), "weighted" (X) or "characters"
    max_hashtags: int | None = None
    max_images: int = 4
    image_max_bytes: int = 8 * MB
    # Allowed width / height of an image, (lowest, highest); None: any shape.
    aspect_range: tuple[float, float] | None = None
    needs_media: bool = False  # YouTube publishes videos only
    video: VideoRules | None = None
    text_name: str = "caption"
    notes: tuple[str, ...] = field(default_factory=tuple)


RULES: dict[str, PlatformRules] = {
    # Each instance sets its own text limit (500 by default, often more): the instance decides.
    "mastodon": PlatformRules("Mastodon", None, max_images=4, image_max_bytes=16 * MB,
                              video=VideoRules(0, 3600, 99 * MB, ("h264", "hevc", "vp9"))),
    "bluesky": PlatformRules("Bluesky", 300, counting="graphemes", max_images=4, image_max_bytes=1_000_000),
    "twitter": PlatformRules("X", 280, counting="weighted", max_images=4, image_max_bytes=5 * MB,
                             video=VideoRules(0.5, 140, 512 * MB)),
    "instagram": PlatformRules("Instagram", 2200, max_hashtags=30, max_images=10, image_max_bytes=8 * MB,
                               aspect_range=(4 / 5, 1.91),
                               video=VideoRules(3, 900, 300 * MB, ("h264", "hevc"), max_aspect=1.0)),
    "threads": PlatformRules("Threads", 500, max_hashtags=1, max_images=20, image_max_bytes=8 * MB,
                             aspect_range=(0.1, 10.0), video=VideoRules(0, 300, 1024 * MB, ("h264", "hevc"))),
    # The text is the video's description (5,000); its first line, cut at 100, is the title. A vertical
    # video of 60 s or less becomes a Short on YouTube's side.
    "youtube": PlatformRules("YouTube", 5000, max_images=0, needs_media=True, text_name="description",
                             video=VideoRules(1, 12 * 3600, 256 * 1024 * MB, ("h264", "hevc", "vp9"))),
    # Images only: StageCraft's LinkedIn connector does not upload video.
    "linkedin": PlatformRules("LinkedIn", 3000, max_images=20, image_max_bytes=36 * MB),
}


@dataclass(frozen=True)
class CaptionPreview:
    """How a text will appear on one platform: whole when it fits, else cut with an ellipsis."""

    platform: str
    shown: str
    length: int
    limit: int | None
    fits: bool


@dataclass(frozen=True)
class MediaFacts:
    """What scheduling knows of one media file (read from the stored file when it was checked)."""

    kind: str  # "image" or "video"
    width: int
    height: int
    size: int
    seconds: float | None = None
    codec: str = ""


def rules_for(platform: str) -> PlatformRules:
    return RULES[platform]


def video_codecs(platform: str) -> tuple[str, ...]:
    """The video codecs ``platform`` takes (none where it takes no video)."""
    rules = RULES[platform]
    return rules.video.codecs if rules.video else ()


def text_length(platform: str, text: str) -> int:
    """The text's length as ``platform`` counts it."""
    counting = RULES[platform].counting
    if counting == "graphemes":
        return grapheme.length(text)
    if counting == "weighted":
        return x_weighted_length(text)
    return len(text)


def x_weighted_length(text: str) -> int:
    """X's weighted length (twitter-text v3): each URL 23, emoji and most non-Latin characters 2, the rest 1."""
    text = unicodedata.normalize("NFC", text)
    length = position = 0
    for start, end in url_spans(text):
        length += _x_plain_length(text[position:start]) + X_URL_LENGTH
        position = end
    return length + _x_plain_length(text[position:])


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where X sees URLs in ``text``, as ``(start, end)`` offsets: links with a scheme, and bare domains
    of the common gTLDs and any two-letter ccTLD ("file.py" only with a path); trailing punctuation is not
    part of a link."""
    spans = []
    for match in URL.finditer(text):
        tld, rest = match["tld"].lower(), match["rest"]
        if not match["scheme"]:
            if not match["host"].isascii() or (tld not in GTLDS and len(tld) != 2):
                continue
            if tld not in GTLDS and match["host"].count(".") == 1 and not rest:
                continue
        while rest and (rest[-1] in TRAILING or (rest[-1] == ")" and rest.count("(") < rest.count(")"))):
            rest = rest[:-1]
        spans.append((match.start(), match.end("host") + len(rest)))
    return spans


def _x_plain_length(text: str) -> int:
    length = 0
    for cluster in grapheme.graphemes(text):
        if _is_emoji(cluster):
            length += 2
            continue
        length += sum(1 if any(low <= ord(char) <= high for low, high in X_LIGHT_RANGES) else 2 for char in cluster)
    return length


def _is_emoji(cluster: str) -> bool:
    # Pictographs live above U+1F000 or carry the emoji presentation selector; a ZWJ sequence is one emoji.
    return any(ord(char) >= 0x1F000 or char in "\ufe0f\u200d" or 0x2600 <= ord(char) <= 0x27BF for char in cluster)


def preview(platform: str, text: str) -> CaptionPreview:
    """``text`` as ``platform`` will show it; over the limit, cut at a word with an ellipsis."""
    limit = RULES[platform].text_limit
    length = text_length(platform, text)
    if limit is None or length <= limit:
        return CaptionPreview(platform, text, length, limit, True)
    return CaptionPreview(platform, cut(platform, text, limit), length, limit, False)


def cut(platform: str, text: str, limit: int) -> str:
    """``text`` within ``limit`` as ``platform`` counts: whole if it fits, else cut at a word, with an ellipsis."""
    if text_length(platform, text) <= limit:
        return text
    clusters = list(grapheme.graphemes(text))
    low, high = 0, len(clusters)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if text_length(platform, "".join(clusters[:middle]) + ELLIPSIS) <= limit:
            low = middle
        else:
            high = middle - 1
    kept = "".join(clusters[:low])
    word_end = kept.rstrip().rfind(" ")
    if word_end > len(kept) * 0.6:
        kept = kept[:word_end]
    return kept.rstrip() + ELLIPSIS


def problems(platform: str, *, text: str, media: list[MediaFacts]) -> list[str]:
    """Every rule of ``platform`` the post breaks, each in words naming the rule and the figures."""
    rules = RULES[platform]
    found = [problem] if (problem := text_problem(platform, text)) else []
    hashtags = len(HASHTAG.findall(text))
    if rules.max_hashtags is not None and hashtags > rules.max_hashtags:
        found.append(f"{rules.label} allows {rules.max_hashtags} hashtag(s) per post; this one has {hashtags}.")
    images = [item for item in media if item.kind == "image"]
    videos = [item for item in media if item.kind == "video"]
    if rules.needs_media and not videos:
        found.append(f"{rules.label} publishes videos only; this post has none.")
    if len(images) > rules.max_images:
        found.append(f"{rules.label} posts carry at most {rules.max_images} image(s); this one has {len(images)}.")
    for number, image in enumerate(images, 1):
        found += _image_problems(rules, number, image)
    if videos and rules.video is None:
        found.append(f"{rules.label} posts from StageCraft carry images only, not video.")
    elif videos:
        if len(videos) > 1 or images:
            found.append(f"{rules.label} posts carry one video and nothing else.")
        found += _video_problems(rules, videos[0])
    return found


def text_problem(platform: str, text: str) -> str:
    """The text-length rule ``text`` breaks on ``platform``, in words; "" when it fits."""
    rules = RULES[platform]
    length = text_length(platform, text)
    if rules.text_limit is None or length <= rules.text_limit:
        return ""
    unit = "weighted characters" if rules.counting == "weighted" else rules.counting
    return f"{rules.label} allows {rules.text_limit} {unit} in a {rules.text_name}; this one has {length}."


def _image_problems(rules: PlatformRules, number: int, image: MediaFacts) -> list[str]:
    found = []
    if image.size > rules.image_max_bytes:
        found.append(f"{rules.label} takes images up to {rules.image_max_bytes // 1000:,} kB; image {number} is "
                     f"{image.size // 1000:,} kB.")
    if rules.aspect_range and image.height:
        low, high = rules.aspect_range
        ratio = image.width / image.height
        if not low - 0.005 <= ratio <= high + 0.005:
            found.append(f"{rules.label} takes images from {low:.2f}:1 to {high:.2f}:1 (width to height); image "
                         f"{number} is {ratio:.2f}:1.")
    return found


def _video_problems(rules: PlatformRules, video: MediaFacts) -> list[str]:
    limits, found = rules.video, []
    if video.seconds is not None and not limits.min_seconds <= video.seconds <= limits.max_seconds:
        found.append(f"{rules.label} takes videos of {limits.min_seconds:g} to {limits.max_seconds:g} seconds; "
                     f"this one lasts {video.seconds:.1f}.")
    if video.size > limits.max_bytes:
        found.append(f"{rules.label} takes videos up to {limits.max_bytes // MB} MB; this one is "
                     f"{video.size // MB} MB.")
    if video.codec and video.codec not in limits.codecs:
        found.append(f"{rules.label} takes {', '.join(limits.codecs)} video; this one is {video.codec}.")
    if limits.max_aspect is not None and video.height and video.width / video.height > limits.max_aspect:
        found.append(f"{rules.label} wants vertical video here; this one is {video.width}x{video.height}.")
    return found
