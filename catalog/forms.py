"""Forms of the catalog pages. They only parse input; the services decide what is allowed."""

import uuid

from django import forms
from django.core.exceptions import ValidationError

from catalog.choices import CONTENT_TYPES, Availability, Condition, Marketplace, ProductStatus
from catalog.gtin import validate_gtin
from catalog.shopify_category import MAX_LENGTH as MAX_CATEGORY_LENGTH
from catalog.shopify_category import validate_shopify_category

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
    """The product page's form, with the fields the feeds need: only fields the user changed are saved.

    The page can be open while an analysis fills in the category; the hidden
    initial values let ``changed_data`` tell what the user edited from what was
    merely stale, so saving a title keeps the analysis' category.
    """

    price = forms.DecimalField(label="Price", required=False, min_value=0, max_digits=12, decimal_places=2)
    currency = forms.RegexField(label="Currency", regex=r"^[A-Z]{3}$", required=False, max_length=3,
                                help_text="ISO 4217, e.g. USD or EUR. Blank uses the site's default.")
    brand = forms.CharField(label="Brand", max_length=70, required=False)
    gtin = forms.CharField(label="GTIN (barcode)", max_length=14, required=False, validators=[validate_gtin],
                           help_text="8, 12 (UPC), 13 (EAN) or 14 digits.")
    mpn = forms.CharField(label="MPN", max_length=70, required=False,
                          help_text="The manufacturer's part number, when the product has no GTIN.")
    condition = forms.ChoiceField(label="Condition", choices=Condition.choices, initial=Condition.NEW)
    availability = forms.ChoiceField(label="Availability", choices=Availability.choices,
                                     initial=Availability.IN_STOCK)
    link = forms.URLField(label="Product page", max_length=2000, required=False, assume_scheme="https",
                          help_text="The product's page on your shop (Google's link).")
    google_product_category = forms.CharField(label="Google product category", max_length=250, required=False,
                                              help_text="An ID or a path from Google's product taxonomy.")
    shopify_product_category = forms.CharField(
        label="Shopify product category", max_length=MAX_CATEGORY_LENGTH, required=False,
        validators=[validate_shopify_category],
        help_text="A full path from Shopify's product taxonomy (\"Home & Garden > Kitchen & Dining\") or its id.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True


class FixForm(forms.Form):
    marketplace = forms.ChoiceField(label="Marketplace", choices=Marketplace.choices)
    shadow = forms.BooleanField(label="Keep a soft shadow under the product", required=False)


class UUIDListField(forms.Field):
    """Several ids under one name (ticked checkboxes), as UUIDs; none is an empty list."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[uuid.UUID]:
        try:
            return [uuid.UUID(str(item)) for item in value or []]
        except ValueError:
            raise ValidationError("Choose products from the list.") from None


class FixAllForm(FixForm):
    """Fix failing main images of every product, of the ticked ones (``scope`` ``selected``) or of a batch."""

    scope = forms.ChoiceField(choices=[("all", "All products"), ("selected", "Selected products")],
                              required=False)
    product_ids = UUIDListField(required=False)
    batch_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def selection(self) -> dict:
        """The service's keywords for the chosen products (none: all of them)."""
        if self.cleaned_data["batch_id"]:
            return {"batch_id": self.cleaned_data["batch_id"]}
        if self.cleaned_data["scope"] == "selected":
            return {"product_ids": self.cleaned_data["product_ids"]}
        return {}
