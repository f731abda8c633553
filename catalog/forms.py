"""Forms of the catalog pages. They only parse input; the services decide what is allowed."""

from django import forms

from catalog.choices import CONTENT_TYPES, ProductStatus

ACCEPT = ",".join(CONTENT_TYPES)


class ProductForm(forms.Form):
    title = forms.CharField(label="Title", max_length=500)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.CharField(label="Category", max_length=100, required=False,
                               help_text="Left blank, the analysis of the first photo fills it in.",
                               widget=forms.TextInput(attrs={"list": "category-options", "autocomplete": "off"}))
    status = forms.ChoiceField(label="Status", choices=ProductStatus.choices, initial=ProductStatus.DRAFT)


class ProductFilterForm(forms.Form):
    search = forms.CharField(label="Search", required=False, max_length=200,
                             widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title or description"}))
    category = forms.ChoiceField(label="Category", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *ProductStatus.choices])

    def __init__(self, *args, categories: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any category"), *((c, c.replace("_", " ").capitalize())
                                                                     for c in categories)]


class PhotoForm(forms.Form):
    """One photo; the page's script sends each dropped photo as its own request."""

    file = forms.FileField(label="Photo", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))


class ProductEditForm(ProductForm):
    """The product page's form: only fields the user changed are saved.

    The page can be open while an analysis fills in the category; the hidden
    initial values let ``changed_data`` tell what the user edited from what was
    merely stale, so saving a title keeps the analysis' category.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True
