"""Form pieces more than one app's pages use."""

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFilesField(forms.FileField):
    """One or several files (``<input type=file multiple>``); their content is checked by the app's service."""

    widget = MultipleFileInput

    def __init__(self, *args, empty_message: str = "Choose at least one file.", **kwargs):
        self.empty_message = empty_message
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.empty_message, code="required")
        return [super(MultipleFilesField, self).clean(file, initial) for file in files]
