from django import forms
from django.contrib.auth.forms import AuthenticationForm

from config.accounts.models import User


class SignUpForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    full_name = forms.CharField(max_length=200, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    company = forms.CharField(max_length=200, required=False)
    password = forms.CharField(min_length=8, max_length=128,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="At least 8 characters, not entirely numeric, not a common password.")


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class ProfileForm(forms.ModelForm):
    email_on_completion = forms.BooleanField(required=False, label="Email me when a job completes")
    processing_updates = forms.BooleanField(required=False, label="Send me processing updates")

    class Meta:
        model = User
        fields = ["full_name", "company", "default_style"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prefs = self.instance.notification_preferences or {}
        for key in ("email_on_completion", "processing_updates"):
            self.fields[key].initial = prefs.get(key, key == "email_on_completion")

    def notification_preferences(self) -> dict:
        prefs = dict(self.instance.notification_preferences or {})
        for key in ("email_on_completion", "processing_updates"):
            prefs[key] = self.cleaned_data[key]
        return prefs


class APIKeyForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, label="Key name",
                           widget=forms.TextInput(attrs={"placeholder": "e.g. CRM integration"}))
