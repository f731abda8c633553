"""Forms of the staging pages. They only parse input; the services validate photos and styles."""

from django import forms

from staging.choices import QualityMode, RoomType, StagingMode, StagingStatus
from staging.models import DisclosureProfile, StagingPreferences, Style

ACCEPT = "image/jpeg,image/png,image/webp,image/heic"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """One or several files; their content is checked by ``services.check_upload``."""

    widget = MultipleFileInput(attrs={"accept": ACCEPT, "class": "dropzone-input"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError("Choose at least one photo.", code="required")
        cleaned = []
        for file in files:
            cleaned.append(super().clean(file, initial))
        return cleaned


def style_choices() -> list[tuple[str, str]]:
    return [(style.pk, style.name) for style in Style.objects.active()]


class UploadForm(forms.Form):
    photos = PhotosField(label="Photos", help_text="JPEG, PNG, WebP or HEIC. Several photos make one batch.")
    style = forms.ChoiceField(label="Style", choices=style_choices)
    room_type = forms.ChoiceField(label="Room type", required=False,
                                  choices=[("", "Detect automatically"), *RoomType.choices])
    quality_mode = forms.ChoiceField(label="Quality", choices=QualityMode.choices, initial=QualityMode.PREMIUM,
                                     widget=forms.RadioSelect)
    # Not required: a form posted without it (an older page, a script) stages, as the API does.
    mode = forms.ChoiceField(label="What to do", choices=StagingMode.choices, initial=StagingMode.STAGE,
                             required=False, widget=forms.RadioSelect)
    property_name = forms.CharField(label="Property name", max_length=200, required=False,
                                    help_text="Optional, e.g. 12 Harbour View. Groups photos in your history.")
    disclosure = forms.ChoiceField(label="Disclosure rule", required=False)
    variants = forms.TypedChoiceField(label="Versions of each photo", coerce=int, initial=1, required=False,
                                      empty_value=1,
                                      choices=[(n, str(n)) for n in range(1, 5)],
                                      help_text="Several versions of one photo, side by side to pick from; "
                                                "one staging from your plan whatever the number.")

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        preferences = StagingPreferences.objects.filter(owner=owner).select_related("disclosure_profile").first()
        default = preferences.disclosure_profile if preferences else None
        # An empty value means "the user's default" to services.disclosure_profile.
        blank = f"My default ({default.name})" if default else "None (no disclosure mark)"
        profiles = DisclosureProfile.objects.filter(active=True)
        self.fields["disclosure"].choices = [("", blank), *((p.slug, p.name) for p in profiles)]
        self.fields["property_name"].widget.attrs.update(autocomplete="off")
        if owner.default_style and any(owner.default_style == value for value, _ in style_choices()):
            self.fields["style"].initial = owner.default_style


class RoomSetForm(forms.Form):
    photos = PhotosField(label="Photos of one room", help_text="2 to 8 photos of the same room, JPEG, PNG, WebP or "
                                                              "HEIC. The first is staged first; the others get the "
                                                              "same furniture.")
    style = forms.ChoiceField(label="Style", choices=style_choices)
    room_type = forms.ChoiceField(label="Room type", choices=RoomType.choices, initial=RoomType.LIVING_ROOM)
    quality_mode = forms.ChoiceField(label="Quality", choices=QualityMode.choices, initial=QualityMode.PREMIUM,
                                     widget=forms.RadioSelect)
    property_name = forms.CharField(label="Property name", max_length=200, required=False)


class RestageForm(forms.Form):
    style = forms.ChoiceField(label="New style", choices=style_choices)


class ReviseForm(forms.Form):
    instruction = forms.CharField(label="What to change", max_length=200,
                                  widget=forms.TextInput(attrs={"placeholder": "no rug, lighter sofa, add plants"}))


class HistoryFilterForm(forms.Form):
    property = forms.CharField(label="Property", required=False, max_length=200)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *StagingStatus.choices])
