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
    notify_job_completed = forms.BooleanField(required=False, label="Email me when a job completes")
    notify_job_failed = forms.BooleanField(required=False, label="Email me when a job fails")

    class Meta:
        model = User
        fields = ["full_name", "company", "default_style"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prefs = self.instance.notification_preferences or {}
        self.fields["notify_job_completed"].initial = prefs.get("job_completed", True)
        self.fields["notify_job_failed"].initial = prefs.get("job_failed", True)

    def notification_preferences(self) -> dict:
        prefs = dict(self.instance.notification_preferences or {})
        prefs["job_completed"] = self.cleaned_data["notify_job_completed"]
        prefs["job_failed"] = self.cleaned_data["notify_job_failed"]
        return prefs


class APIKeyForm(forms.Form):
    name = forms.CharField(max_length=100, required=False, label="Key name",
                           widget=forms.TextInput(attrs={"placeholder": "e.g. CRM integration"}))
