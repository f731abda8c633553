"""Forms of the personas pages. They only parse input; the services decide what is allowed."""

import base64
import re

from django import forms

from config.files.validation import read_limited
from config.forms import MultipleFileInput, MultipleFilesField
from personas.choices import ContentType, Platform, RuleAction, TriggerType
from personas.recurrence import timezone_choices
from personas.services.characters import MAX_IMAGE_BYTES
from personas.services.rules import ENGAGEMENT_METRICS

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"
LIST_HELP = "Separate entries with commas."
TRAIT_SLIDER = forms.NumberInput(attrs={"type": "range", "min": "0", "max": "1", "step": "0.1"})


def _zone_names(choices: list) -> set[str]:
    return {value for group, options in choices[1:] for value, _ in options} | {"UTC"}


def split_list(value: str) -> list[str]:
    """"fitness, travel ,," -> ["fitness", "travel"]."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def join_list(values) -> str:
    return ", ".join(str(v) for v in values or [])


def as_base64(upload) -> str | None:
    """An uploaded file as the base64 the character service checks (by content, size and pixels)."""
    if not upload:
        return None
    # Read no more than the service accepts: a huge file is refused by its size (UploadTooLarge), unread.
    return base64.b64encode(read_limited(upload, MAX_IMAGE_BYTES)).decode()


class CharacterForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    bio = forms.CharField(label="Bio", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    age = forms.IntegerField(label="Age", required=False, min_value=1, max_value=150)
    location = forms.CharField(label="Location", max_length=200, required=False)
    timezone = forms.ChoiceField(label="Time zone", initial="UTC",
                                 help_text="Posts are scheduled and shown in this zone.")
    interests = forms.CharField(label="Interests", required=False, help_text=LIST_HELP)
    profile_image = forms.FileField(label="Profile image", required=False,
                                    help_text="JPEG, PNG or WebP. Leave empty to keep the current one.",
                                    widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}))
    communication_style = forms.CharField(label="Communication style", max_length=200, required=False,
                                          help_text="How the character writes, e.g. casual, witty, warm.")
    extroversion = forms.FloatField(label="Extroversion", required=False, min_value=0, max_value=1, initial=0.5,
                                    widget=TRAIT_SLIDER, help_text="0 is reserved, 1 is outgoing.")
    creativity = forms.FloatField(label="Creativity", required=False, min_value=0, max_value=1, initial=0.5,
                                  widget=TRAIT_SLIDER, help_text="0 is conventional, 1 is inventive.")
    preferred_topics = forms.CharField(label="Preferred topics", required=False, help_text=LIST_HELP)
    hair_color = forms.CharField(label="Hair colour", max_length=100, required=False)
    eye_color = forms.CharField(label="Eye colour", max_length=100, required=False)
    style_preferences = forms.CharField(label="Style", required=False, help_text=LIST_HELP)
    face_reference = forms.FileField(label="Face reference", required=False,
                                     help_text="A clear photo of the face; keeps the look consistent across images.",
                                     widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}))
    banned_topics = forms.CharField(label="Banned topics", required=False,
                                    help_text="Captions never touch these. " + LIST_HELP)
    disclosure_line = forms.CharField(label="Disclosure line", max_length=300,
                                      help_text="Added to every post so readers know the account is AI-generated.")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = timezone_choices()
        current = self.initial.get("timezone")
        # A zone set through the API may be one the list leaves out ("EST5EDT"); keep it selectable.
        if current and current not in _zone_names(choices):
            choices = [(current, current), *choices]
        self.fields["timezone"].choices = choices
        if not editing:  # a new character has no current image to keep
            self.fields["profile_image"].help_text = "JPEG, PNG or WebP."

    @classmethod
    def initial_for(cls, character) -> dict:
        personality, appearance = character.personality or {}, character.appearance or {}
        return {
            "name": character.name, "bio": character.bio, "age": character.age, "location": character.location,
            "timezone": character.timezone, "interests": join_list(character.interests),
            "communication_style": personality.get("communication_style", ""),
            "extroversion": personality.get("extroversion"), "creativity": personality.get("creativity"),
            "preferred_topics": join_list(personality.get("preferred_topics")),
            "hair_color": appearance.get("hair_color", ""), "eye_color": appearance.get("eye_color", ""),
            "style_preferences": join_list(appearance.get("style_preferences")),
            "banned_topics": join_list(character.banned_topics), "disclosure_line": character.disclosure_line,
        }

    def service_arguments(self) -> dict:
        """The cleaned form in the shape ``create_character`` / ``update_character`` take."""
        data = self.cleaned_data
        personality = {"communication_style": data["communication_style"],
                       "preferred_topics": split_list(data["preferred_topics"])}
        personality.update({k: data[k] for k in ("extroversion", "creativity") if data[k] is not None})
        appearance = {"hair_color": data["hair_color"], "eye_color": data["eye_color"],
                      "style_preferences": split_list(data["style_preferences"])}
        face = as_base64(data["face_reference"])
        if face:
            appearance["face_reference_image"] = face
        return {
            "name": data["name"], "bio": data["bio"], "age": data["age"], "location": data["location"],
            "timezone": data["timezone"], "interests": split_list(data["interests"]),
            "banned_topics": split_list(data["banned_topics"]), "disclosure_line": data["disclosure_line"],
            "personality": personality, "appearance": appearance,
            "profile_image": as_base64(data["profile_image"]),
        }


class ContentTypeRadios(forms.RadioSelect):
    """Radios whose unavailable choices are disabled, each with its reason (``choice.data.reason``)."""

    unavailable: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        reason = self.unavailable.get(str(value), "")
        option["reason"] = reason
        if reason:
            option["attrs"]["disabled"] = True
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_reason"
        return option


class GenerateForm(forms.Form):
    content_type = forms.ChoiceField(label="Content type", choices=ContentType.choices, initial=ContentType.IMAGE,
                                     widget=ContentTypeRadios)
    prompt = forms.CharField(label="Prompt", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="What to show or write about; the character's look and voice are added.")
    negative_prompt = forms.CharField(label="Avoid (images)", max_length=1000, required=False)

    def __init__(self, *args, unavailable: dict[str, str] | None = None, **kwargs):
        """``unavailable``: the content types no engine can make now, each with the reason in words."""
        super().__init__(*args, **kwargs)
        self.unavailable = dict(unavailable or {})
        self.fields["content_type"].widget.unavailable = self.unavailable
        offered = [value for value in ContentType.values if value not in self.unavailable]
        if ContentType.IMAGE in self.unavailable:
            self.fields["content_type"].initial = offered[0] if offered else None

    @property
    def can_generate(self) -> bool:
        return len(self.unavailable) < len(ContentType.values)

    @property
    def engine_missing(self) -> bool:
        """Is an engine that could be connected (images, text) missing? Video has none to connect."""
        return bool({ContentType.IMAGE, ContentType.TEXT} & self.unavailable.keys())

    def clean_content_type(self) -> str:
        value = self.cleaned_data["content_type"]
        if value in self.unavailable:
            raise forms.ValidationError(self.unavailable[value])
        return value


class ComposeForm(forms.Form):
    """A post written by hand; ``services.composing`` checks the images by content, bytes and pixels."""

    caption = forms.CharField(label="Caption", max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    hashtags = forms.CharField(label="Hashtags", max_length=1000, required=False,
                               help_text="Separated by spaces or commas, with or without #.")
    images = MultipleFilesField(label="Images or a video", required=False,
                                widget=MultipleFileInput(attrs={"accept": f"{IMAGE_ACCEPT},video/mp4,video/quicktime,"
                                                                          "video/webm"}),
                                help_text="Up to 10 images (JPEG, PNG or WebP) or one video (MP4, MOV or WebM). "
                                          "Leave empty for a text post.")
    alt_text = forms.CharField(label="Image description (alt text)", max_length=1000, required=False)

    def clean_hashtags(self) -> list[str]:
        return [tag.lstrip("#") for tag in re.split(r"[\s,]+", self.cleaned_data["hashtags"]) if tag.lstrip("#")]


class RejectForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500)


class MastodonConnectForm(forms.Form):
    character = forms.ChoiceField(label="Character")
    server_url = forms.URLField(label="Instance URL", assume_scheme="https", help_text="For example https://mastodon.social")
    access_token = forms.CharField(label="Access token", widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                                   help_text="Create it in your instance under Preferences > Development > "
                                             "New application, with the read and write scopes.")

    def __init__(self, *args, characters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["character"].choices = characters


class OAuthConnectForm(forms.Form):
    """Which character an account connected through the platform's consent page belongs to."""

    character = forms.ChoiceField(label="Character")
    server_url = forms.URLField(label="Instance URL", assume_scheme="https", required=False,
                                help_text="Mastodon only: your instance, for example https://mastodon.social")

    def __init__(self, *args, characters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["character"].choices = characters


class BlueskyConnectForm(forms.Form):
    character = forms.ChoiceField(label="Character")
    identifier = forms.CharField(label="Handle", max_length=253, help_text="For example name.bsky.social")
    app_password = forms.CharField(label="App password", widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                                   help_text="An app password from Bluesky's Settings > Privacy and security > "
                                             "App passwords (xxxx-xxxx-xxxx-xxxx). Never your account password: "
                                             "an app password can be revoked on its own.")
    server_url = forms.URLField(label="PDS URL", required=False, assume_scheme="https",
                                help_text="Leave empty for accounts hosted by Bluesky (https://bsky.social).")

    def __init__(self, *args, characters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["character"].choices = characters


class ScheduleForm(forms.Form):
    account = forms.ChoiceField(label="Account")
    content = forms.ChoiceField(label="Approved content")
    scheduled_at = forms.DateTimeField(label="When", input_formats=["%Y-%m-%dT%H:%M"],
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                  format="%Y-%m-%dT%H:%M"),
                                       help_text="In the character's time zone.")
    caption = forms.CharField(label="Caption", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Leave empty to use the content's caption.")
    recurrence = forms.CharField(label="Repeat", required=False, max_length=300,
                                 help_text='Optional: an RRULE such as "FREQ=DAILY" or a cron line "0 9 * * *".')

    def __init__(self, *args, accounts, contents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = accounts
        self.fields["content"].choices = contents


class RuleForm(forms.Form):
    character = forms.ChoiceField(label="Character")
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    trigger_type = forms.ChoiceField(label="Trigger", choices=TriggerType.choices)
    cron = forms.CharField(label="Schedule", required=False, max_length=300,
                           help_text='For a schedule trigger: a cron line ("0 14 * * *") or an RRULE, in the '
                                     "character's time zone.")
    metric = forms.ChoiceField(label="Metric", required=False,
                               choices=[("", "—"), *((m, m.capitalize()) for m in ENGAGEMENT_METRICS)],
                               help_text="For an engagement threshold trigger: reached within 24 hours.")
    threshold = forms.IntegerField(label="Threshold", required=False, min_value=1)
    action = forms.ChoiceField(label="Action", choices=RuleAction.choices)
    platforms = forms.MultipleChoiceField(label="Platforms", required=False, choices=Platform.choices,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text="Where a schedule action posts; none ticked: every connected "
                                                    "account of the character.")
    content_type = forms.ChoiceField(label="Content type", choices=ContentType.choices)
    prompt_template = forms.CharField(label="Prompt template", required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    caption_template = forms.CharField(label="Caption template", required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    max_posts_per_day = forms.IntegerField(label="Posts per day at most", min_value=1, max_value=50, initial=1)
    cooldown_minutes = forms.IntegerField(label="Cooldown (minutes)", min_value=0, max_value=10080, initial=60)

    def __init__(self, *args, characters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["character"].choices = characters

    @classmethod
    def initial_for(cls, rule) -> dict:
        config = rule.trigger_config or {}
        return {"character": str(rule.character_id), "name": rule.name, "description": rule.description,
                "trigger_type": rule.trigger_type, "platforms": rule.platforms,
                "cron": config.get("cron") or config.get("rrule") or "",
                "metric": config.get("metric", ""), "threshold": config.get("threshold"), "action": rule.action,
                "content_type": rule.content_type, "prompt_template": rule.prompt_template,
                "caption_template": rule.caption_template, "max_posts_per_day": rule.max_posts_per_day,
                "cooldown_minutes": rule.cooldown_minutes}

    def trigger_config(self) -> dict:
        data = self.cleaned_data
        if data["trigger_type"] == TriggerType.SCHEDULE:
            key = "rrule" if "FREQ=" in data["cron"].upper() else "cron"
            return {key: data["cron"]} if data["cron"] else {}
        if data["trigger_type"] == TriggerType.ENGAGEMENT_THRESHOLD:
            return {k: data[k] for k in ("metric", "threshold") if data[k]}
        return {}
