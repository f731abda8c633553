"""A client generated from /api/schema/ by openapi-python-client works against a live server.

The client is generated at test time (never committed): the schema is the
contract, and a generator that cannot read it, or a client whose models cannot
parse the answers, means the schema is wrong. The catalog's analysis runs the
local CPU models in this process, as a worker would, from the queued task.
"""

import importlib
import importlib.util
import io
import subprocess
import sys
from uuid import UUID

import pytest
from django.core.management import call_command

from tests.catalog.conftest import encoded
from tests.catalog.drawn import product_photo
from tests.conftest import require


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The client package generated from the served schema, imported from a temporary directory."""
    root = tmp_path_factory.mktemp("generated")
    call_command("spectacular", "--format", "openapi-json", "--file", str(root / "schema.json"))
    # --meta none: only the package, so the test imports it straight from the output directory.
    done = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(root / "schema.json"),
         "--output-path", str(root / "stagecraft_client"), "--meta", "none"],
        capture_output=True, text=True, cwd=root, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(root))
    try:
        yield lambda name="": importlib.import_module(".".join(["stagecraft_client", name]).rstrip("."))
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.split(".")[0] == "stagecraft_client"]:
            del sys.modules[name]


@pytest.fixture
def local_models():
    require(importlib.util.find_spec("efficientnet_lite_pytorch") is not None
            and importlib.util.find_spec("sentence_transformers") is not None,
            "the local models are not installed (requirements-ai.txt)")


def test_a_generated_client_signs_up_and_has_a_photo_analysed(generated, live_server, queued, run_queued,
                                                                local_models):
    client_module, models, types = generated(), generated("models"), generated("types")
    auth = "api.auth."
    anonymous = client_module.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    user = generated(auth + "platform_auth_register_create").sync(
        client=anonymous, body=models.RegisterInputRequest(email="maya@example.com", password="trail-run-42x",
                                                           full_name="Maya Rivers"))
    assert isinstance(user, models.User) and user.email == "maya@example.com"
    tokens = generated(auth + "platform_auth_login_create").sync(
        client=anonymous, body=models.LoginInputRequest(email="maya@example.com", password="trail-run-42x"))
    assert isinstance(tokens, models.TokenPair)
    maya = client_module.AuthenticatedClient(base_url=live_server.url, token=tokens.access_token,
                                             raise_on_unexpected_status=True)
    me = generated(auth + "platform_auth_me_retrieve").sync(client=maya)
    assert me.email == "maya@example.com"

    catalog = "api.catalog."
    product = generated(catalog + "catalog_products_create").sync(
        client=maya, body=models.ProductInputRequest(title="Wireless Headphones", category="electronics"))
    assert isinstance(product, models.Product)
    page = generated(catalog + "catalog_products_list").sync(client=maya)
    assert [item.id for item in page.items] == [product.id] and page.total == 1

    photo = types.File(payload=io.BytesIO(encoded(product_photo((640, 640), fill=0.7), quality=92)),
                       file_name="photo.jpg", mime_type="image/jpeg")
    upload = generated(catalog + "catalog_uploads_direct_create").sync(
        client=maya, body=models.DirectUploadInputRequest(product_id=product.id, file=photo))
    assert isinstance(upload, models.Queued) and isinstance(upload.image_id, UUID)
    assert [func for func, _, _ in queued] == ["catalog.tasks.run_analysis"]
    run_queued()

    analysis = generated(catalog + "catalog_analysis_retrieve").sync(upload.image_id, client=maya)
    assert isinstance(analysis, models.AnalysisResult)
    assert analysis.status == "completed" and analysis.classification_label
