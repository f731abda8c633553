"""Forms of the designs pages. They only parse input; ``designs.services.generate`` checks limits and the design."""

from django import forms

PROMPT_HELP = "What to design, with any sizes, materials and colours, e.g. oak dining table for six, 1.8 m long."


class GenerateForm(forms.Form):
    prompt = forms.CharField(label="Prompt", help_text=PROMPT_HELP,
                         widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}))
    style = forms.CharField(label="Style", required=False, help_text="Optional, e.g. minimalist.")
    constraints = forms.CharField(label="Constraints", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="Optional, one per line, e.g. seats six.")
    # The document's context ("target_audience", "budget_range", ...) as plain inputs; the API takes any keys.
    environment = forms.CharField(label="Where it will be used", max_length=100, required=False,
                                  help_text="Optional, e.g. dining room, outdoor, factory floor.")
    target_audience = forms.CharField(label="Who it is for", max_length=100, required=False,
                                      help_text="Optional, e.g. young family, luxury market.")
    budget_range = forms.CharField(label="Budget", max_length=100, required=False,
                                   help_text="Optional, e.g. affordable, high-end.")

    CONTEXT_FIELDS = ("environment", "target_audience", "budget_range")

    def clean_constraints(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["constraints"].splitlines() if line.strip()]

    def clean(self):
        cleaned = super().clean()
        # What ``services.generate`` takes: the context inputs become its ``context`` object.
        cleaned["context"] = {name: value.strip() for name in self.CONTEXT_FIELDS
                              if (value := cleaned.pop(name, "")).strip()}
        return cleaned


class FollowUpForm(forms.Form):
    prompt = forms.CharField(label="Change", widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
                         help_text="What to change in the current version, e.g. legs black. "
                                   "The result is the next version; earlier ones stay.")
