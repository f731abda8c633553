from django import forms

from config.webhooks.choices import EVENTS

EVENT_CHOICES = [(event, event) for event in EVENTS]


class WebhookForm(forms.Form):
    url = forms.CharField(max_length=2000, label="Endpoint URL", widget=forms.TextInput(
        attrs={"inputmode": "url", "autocomplete": "url", "placeholder": "https://example.com/hooks/stagecraft"}))
    events = forms.MultipleChoiceField(choices=EVENT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text="Leave all unchecked to receive every event.")


class WebhookEditForm(WebhookForm):
    active = forms.BooleanField(required=False, label="Active (deliver events to this endpoint)")
