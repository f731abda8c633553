"""Forms of the designs pages. They only parse input; ``designs.services.generate`` checks limits and the design."""

import json

from django import forms

PROMPT_HELP = "What to design, with any sizes, materials and colours, e.g. oak dining table for six, 1.8 m long."


class GenerateForm(forms.Form):
    prompt = forms.CharField(label="Prompt", help_text=PROMPT_HELP,
                         widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}))
    style = forms.CharField(label="Style", required=False, help_text="Optional, e.g. minimalist.")
    constraints = forms.CharField(label="Constraints", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="Optional, one per line, e.g. seats six.")
    context = forms.CharField(label="Context", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text='Optional JSON object, e.g. {"room": "dining room"}.')

    def clean_constraints(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["constraints"].splitlines() if line.strip()]

    def clean_context(self) -> dict:
        text = self.cleaned_data["context"].strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Context is not valid JSON: {exc.msg} (line {exc.lineno}).",
                                        code="invalid") from None
        if not isinstance(value, dict):
            raise forms.ValidationError('Context must be a JSON object, e.g. {"room": "dining room"}.',
                                        code="invalid")
        return value


class FollowUpForm(forms.Form):
    prompt = forms.CharField(label="Change", widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
                         help_text="What to change in the current version, e.g. legs black. "
                                   "The result is the next version; earlier ones stay.")
