"""Storage keys from client file names: folders dropped, unusable characters gone, never an error."""

import pytest

from catalog.models import safe_filename


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd.jpg", "passwd.jpg"),
    ("my photo.png", "my_photo.png"),
    ("x.\u0092\U000ad58a", "x"),  # a suffix of characters no file name keeps
    ("\u0092\U000ad58a.jpg", "image.jpg"),
    ("...", "image"),
])
def test_a_client_file_name_becomes_a_safe_key_part(given, kept):
    assert safe_filename(given) == kept
