"""The Engines page's forms: one per engine kind, each field an override of one setting.

A blank field hands the setting back to the environment (its value is shown as
the help text). A secret is never rendered back: the form says whether one is
set and offers a field to replace it and a box to clear it.
"""

from django import forms
from django.conf import settings

from config.ai import overrides


class EngineForm(forms.Form):
    """Maps each field to its setting (``names``); ``secrets`` are the fields never shown again."""

    kind = ""
    title = ""
    note = ""  # shown under the title
    names: dict[str, str] = {}
    secrets: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        saved = overrides.current()
        kwargs.setdefault("prefix", self.kind)
        kwargs.setdefault("initial", {field: saved[name] for field, name in self.names.items()
                                      if name in saved and field not in self.secrets})
        super().__init__(*args, **kwargs)
        for field, name in self.names.items():
            if field in self.secrets:
                state = ("set (saved here)" if name in saved else
                         "set (environment)" if getattr(settings, name) else "not set")
                note = f"Currently {state}. Leave blank to keep it."
                self.fields[f"clear_{field}"] = forms.BooleanField(
                    required=False, label=f"Clear the saved {self.fields[field].label}")
            else:
                note = f"Blank: the environment's {name} ({getattr(settings, name) or 'blank'})."
            self.fields[field].help_text = " ".join(filter(None, [self.fields[field].help_text, note]))

    def overrides(self) -> dict[str, str | None]:
        """The settings to save: every field (blank removes the override), a secret only when replaced or cleared."""
        values: dict[str, str | None] = {}
        for field, name in self.names.items():
            value = (self.cleaned_data.get(field) or "").strip()
            if field in self.secrets:
                if self.cleaned_data.get(f"clear_{field}"):
                    values[name] = None
                elif value:
                    values[name] = value
            else:
                values[name] = value or None
        return values

    def submitted(self) -> dict[str, str]:
        """The values a connection test uses: what was typed, else what is in force (a kept secret included)."""
        values = {}
        for field, name in self.names.items():
            value = (self.cleaned_data.get(field) or "").strip()
            if field in self.secrets and not value and not self.cleaned_data.get(f"clear_{field}"):
                value = overrides.setting(name)
            elif field not in self.secrets and not value:
                value = getattr(settings, name)
            values[field] = value
        return values


class LanguageModelForm(EngineForm):
    kind = "language_model"
    title = "Language model"
    names = {"provider": "AI_LLM_PROVIDER", "model": "AI_LLM_MODEL", "base_url": "AI_LLM_BASE_URL",
             "api_key": "AI_LLM_API_KEY"}
    secrets = ("api_key",)

    provider = forms.ChoiceField(required=False, choices=[("", "— environment —"), ("anthropic", "Anthropic"),
                                                          ("openai", "OpenAI-compatible"), ("ollama", "Ollama"),
                                                          ("none", "None")])
    model = forms.CharField(required=False, max_length=300, label="Model")
    base_url = forms.URLField(required=False, max_length=500, label="Base URL", assume_scheme="https")
    api_key = forms.CharField(required=False, max_length=500, label="API key",
                              widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))


class ImageGenerationForm(EngineForm):
    kind = "image_generation"
    title = "Image generation"
    names = {"provider": "AI_IMAGE_PROVIDER", "model": "AI_IMAGE_MODEL", "base_url": "AI_IMAGE_BASE_URL"}

    provider = forms.ChoiceField(required=False, choices=[("", "— environment —"), ("automatic1111", "AUTOMATIC1111"),
                                                          ("diffusers", "Diffusers (local weights)"),
                                                          ("none", "None")])
    model = forms.CharField(required=False, max_length=500, label="Model",
                            help_text="AUTOMATIC1111: a checkpoint title. Diffusers: a weights folder or a "
                                      "Hugging Face repository id.")
    base_url = forms.URLField(required=False, max_length=500, label="AUTOMATIC1111 URL", assume_scheme="https")


class MapsForm(EngineForm):
    kind = "maps"
    title = "Geocoding and satellite maps (floor plans)"
    note = ("The floor plans' satellite footprint lookup geocodes the address, then fetches one static map tile "
            "around it.")
    names = {"geocoder_url": "FLOORPLANS_GEOCODER_URL", "satellite_url": "FLOORPLANS_SATELLITE_URL",
             "satellite_key": "FLOORPLANS_SATELLITE_KEY"}
    secrets = ("satellite_key",)

    geocoder_url = forms.URLField(required=False, max_length=500, label="Geocoder URL", assume_scheme="https")
    satellite_url = forms.URLField(required=False, max_length=500, label="Static-map URL", assume_scheme="https")
    satellite_key = forms.CharField(required=False, max_length=500, label="Static-map key",
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))


FORMS: dict[str, type[EngineForm]] = {form.kind: form for form in (LanguageModelForm, ImageGenerationForm, MapsForm)}
