"""The platforms' text and media rules: counted as each platform counts, cut previews, refused when scheduling."""

import pytest

from config.errors import ValidationFailed
from personas import platform_rules as rules
from personas.connectors import connector_class
from personas.platform_rules import MediaFacts
from personas.services import scheduling
from tests.personas.factories import ContentItemFactory, PlatformAccountFactory

SQUARE = MediaFacts("image", 1080, 1080, 200_000)


@pytest.mark.parametrize(("text", "weighted"), [
    ("a" * 280, 280),
    ("https://example.com/a/very/long/path/that/is/much/longer/than/twenty-three", 23),
    ("see https://example.com", 4 + 23),
    ("😀", 2),
    ("👩‍👩‍👧‍👦", 2),  # one ZWJ sequence is one emoji
    ("日本語", 6),
    ("café", 4),
])
def test_x_counts_as_twitter_text_does(text, weighted):
    assert rules.text_length("twitter", text) == weighted


def test_x_allows_280_weighted_and_refuses_281():
    assert rules.problems("twitter", text="a" * 280, media=[]) == []
    assert rules.problems("twitter", text="日" * 141, media=[]) == [
        "X allows 280 weighted characters in a caption; this one has 282."]


def test_bluesky_counts_graphemes():
    accented = "e\u0301"  # e + combining acute: one grapheme, two code points
    assert rules.text_length("bluesky", accented * 300) == 300
    assert rules.problems("bluesky", text=accented * 300, media=[]) == []
    assert rules.problems("bluesky", text=accented * 301, media=[])


def test_mastodon_leaves_the_text_limit_to_the_instance():
    assert rules.problems("mastodon", text="a" * 5000, media=[]) == []
    assert rules.preview("mastodon", "a" * 5000).fits


def test_instagram_allows_30_hashtags():
    tags = " ".join(f"#tag{n}" for n in range(30))
    assert rules.problems("instagram", text=tags, media=[SQUARE]) == []
    assert rules.problems("instagram", text=tags + " #one_more", media=[SQUARE]) == [
        "Instagram allows 30 hashtag(s) per post; this one has 31."]


def test_threads_allows_one_topic_tag():
    assert rules.problems("threads", text="Morning run #running #coffee", media=[]) == [
        "Threads allows 1 hashtag(s) per post; this one has 2."]


@pytest.mark.parametrize(("width", "height", "fits"), [(1080, 1350, True), (1080, 566, True), (1080, 2160, False),
                                                       (2000, 1000, False)])
def test_instagram_images_must_be_between_4_5_and_1_91_to_1(width, height, fits):
    found = rules.problems("instagram", text="", media=[MediaFacts("image", width, height, 100_000)])
    assert (found == []) is fits
    if not fits:
        assert "from 0.80:1 to 1.91:1" in found[0]


def test_image_count_and_size_limits_name_the_figures():
    five = [SQUARE] * 5
    assert rules.problems("twitter", text="", media=five) == ["X posts carry at most 4 image(s); this one has 5."]
    big = MediaFacts("image", 100, 100, 1_200_000)
    assert rules.problems("bluesky", text="", media=[big]) == [
        "Bluesky takes images up to 1,000 kB; image 1 is 1,200 kB."]


def test_youtube_publishes_videos_with_a_description_of_5000_characters():
    clip = MediaFacts("video", 1080, 1920, 5_000_000, seconds=42, codec="h264")
    assert rules.problems("youtube", text="A title\nThe description.", media=[clip]) == []
    assert rules.problems("youtube", text="A title", media=[]) == ["YouTube publishes videos only; this post has none."]
    odd = MediaFacts("video", 1920, 1080, 5_000_000, seconds=13 * 3600, codec="prores")
    found = rules.problems("youtube", text="t" * 5001, media=[odd])
    assert found == ["YouTube allows 5000 characters in a description; this one has 5001.",
                     "YouTube takes videos of 1 to 43200 seconds; this one lasts 46800.0.",
                     "YouTube takes h264, hevc, vp9 video; this one is prores."]


def test_instagram_reels_must_be_vertical():
    wide = MediaFacts("video", 1920, 1080, 5_000_000, seconds=20, codec="h264")
    assert rules.problems("instagram", text="", media=[wide]) == [
        "Instagram wants vertical video here; this one is 1920x1080."]


def test_bluesky_takes_no_video():
    clip = MediaFacts("video", 720, 1280, 1_000_000, seconds=5, codec="h264")
    assert rules.problems("bluesky", text="", media=[clip]) == [
        "Bluesky posts from StageCraft carry images only, not video."]


def test_a_caption_that_fits_is_previewed_whole():
    preview = rules.preview("bluesky", "Fog on the ridge.")
    assert (preview.shown, preview.fits, preview.length, preview.limit) == ("Fog on the ridge.", True, 17, 300)


def test_a_long_caption_is_cut_at_a_word_with_an_ellipsis_within_the_limit():
    caption = "Fog on the ridge and coffee in hand " * 12
    preview = rules.preview("twitter", caption)
    assert not preview.fits and preview.shown.endswith("…") and preview.length == len(caption)
    assert rules.text_length("twitter", preview.shown) <= 280
    assert preview.shown[:-1].endswith(("ridge", "and", "coffee", "in", "hand", "Fog", "on", "the"))


@pytest.mark.django_db
def test_scheduling_refuses_content_the_platform_would_refuse_and_names_the_rule(character):
    account = PlatformAccountFactory(character=character, platform="instagram")
    content = ContentItemFactory(character=character, approved=True, caption="Run club",
                                 hashtags=[f"tag{n}" for n in range(31)])

    with pytest.raises(ValidationFailed) as refused:
        scheduling.create_scheduled_post(character.owner, character_id=character.pk, platform_account_id=account.pk,
                                         content_id=content.pk, scheduled_at=None)

    assert refused.value.details["problems"] == ["Instagram allows 30 hashtag(s) per post; this one has 31."]
    assert refused.value.details["platform"] == "instagram"


@pytest.mark.django_db
def test_scheduling_content_that_fits_is_accepted(character):
    account = PlatformAccountFactory(character=character, platform="instagram")
    content = ContentItemFactory(character=character, approved=True, caption="Run club",
                                 hashtags=[f"tag{n}" for n in range(30)])

    scheduled = scheduling.create_scheduled_post(character.owner, character_id=character.pk,
                                                 platform_account_id=account.pk, content_id=content.pk,
                                                 scheduled_at=None)

    assert scheduled.pk and len(scheduled.hashtags) == 30


def test_a_refused_post_type_names_what_the_platform_publishes_in_plain_english():
    with pytest.raises(ValidationFailed) as refused:
        connector_class("instagram").check_post_type("carousel")
    assert refused.value.message == "post_type: Instagram publishes only posts and stories and reels, not 'carousel'."
