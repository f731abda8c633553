"""The catalog across real processes: uvicorn + qcluster + a WebSocket client on /ws/processing/{job_id}.

An upload goes in over HTTP, the worker process analyses it with the local
models, and the client sees every step of every image, in order, then the end.
"""

import asyncio
import importlib.util
import io
import json

import httpx
import pytest
import websockets
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from catalog import services
from catalog.choices import STEPS
from catalog.models import Product, ProductImage
from tests.catalog.drawn import product_photo
from tests.conftest import require
from tests.e2e.processes import asgi_server, process_env, qcluster
from tests.e2e.test_jobs_across_processes import wait_until

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

# Worker start-up loads EfficientNet and MiniLM once; the first image waits for both.
FOLLOW_LIMIT = 180


@pytest.fixture(autouse=True)
def _local_models():
    require(all(importlib.util.find_spec(name) for name in ("efficientnet_lite_pytorch", "sentence_transformers")),
            "the local models are not installed (requirements-ai.txt)")


def jpeg(size=(480, 480)) -> bytes:
    out = io.BytesIO()
    product_photo(size, fill=0.7).save(out, "JPEG", quality=90)
    return out.getvalue()


def follow(ws_url: str) -> list[dict]:
    """Every message until the server closes the stream."""

    async def run():
        received = []
        async with websockets.connect(ws_url, open_timeout=10) as socket:
            async with asyncio.timeout(FOLLOW_LIMIT):
                async for raw in socket:
                    received.append(json.loads(raw))
        return received

    return asyncio.run(run())


def direct_upload(url: str, headers: dict, product_id: str, data: bytes, name: str = "box.jpg") -> dict:
    response = httpx.post(f"{url}/api/v1/uploads/direct", data={"product_id": product_id},
                          files={"file": (name, data, "image/jpeg")}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def steps_of(events: list[dict], image_id: str) -> list[tuple[str, str]]:
    return [(e["step"], e["status"]) for e in events if e["type"] == "step_update" and e["image_id"] == image_id]


ALL_STEPS = [(step, status) for step in STEPS for status in ("running", "completed")]


def test_an_upload_is_followed_live_from_the_worker_to_its_result(owner, jwt_for):
    env = process_env()
    token = jwt_for(owner)
    headers = {"Authorization": f"Bearer {token}"}
    with asgi_server(env) as url, qcluster(env):
        product = httpx.post(f"{url}/api/v1/products", json={"title": "Red storage box"}, headers=headers).json()
        queued = direct_upload(url, headers, product["id"], jpeg())
        events = follow(url.replace("http", "ws") + f"/ws/processing/{queued['job_id']}?token={token}")
        analysis = httpx.get(f"{url}/api/v1/analysis/{queued['image_id']}", headers=headers).json()
        job = httpx.get(f"{url}/api/v1/jobs/{queued['job_id']}", headers=headers).json()
    assert [e["type"] for e in events[:2]] == ["job_queued", "job_started"]
    assert events[-1]["type"] == "job_complete" and events[-1]["data"]["processed_images"] == 1
    assert {e["type"] for e in events[2:-1]} == {"step_update"}
    assert steps_of(events, queued["image_id"]) == ALL_STEPS
    assert all(e["job_id"] == queued["job_id"] for e in events)
    assert analysis["status"] == "completed" and analysis["classification_label"]
    assert analysis["describe_status"] == "not_configured" and analysis["compliance_checks"]
    assert (job["status"], job["processed_images"], job["failed_images"]) == ("completed", 1, 0)


def test_a_batch_with_a_bad_image_streams_each_image_then_completes(owner, jwt_for):
    env = process_env()
    token = jwt_for(owner)
    headers = {"Authorization": f"Bearer {token}"}
    with asgi_server(env) as url, qcluster(env):
        product_id = httpx.post(f"{url}/api/v1/products", json={"title": "Boxes"}, headers=headers).json()["id"]
        good = [direct_upload(url, headers, product_id, jpeg(size), f"box{n}.jpg")
                for n, size in enumerate([(480, 480), (600, 400)])]
        for upload in good:  # each upload's own analysis finishes first
            wait_until(lambda upload=upload: httpx.get(f"{url}/api/v1/jobs/{upload['job_id']}", headers=headers)
                       .json()["status"] == "completed", timeout=FOLLOW_LIMIT)
        bad = _corrupt_image(Product.objects.get(pk=product_id))
        image_ids = [good[0]["image_id"], str(bad.pk), good[1]["image_id"]]
        created = httpx.post(f"{url}/api/v1/batch", json={"product_id": product_id, "image_ids": image_ids},
                             headers=headers)
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]
        events = follow(url.replace("http", "ws") + f"/ws/processing/{job_id}?token={token}")
        job = httpx.get(f"{url}/api/v1/batch/{job_id}", headers=headers).json()
    assert events[-1]["type"] == "job_complete"
    assert events[-1]["data"] == {"total_images": 3, "processed_images": 2, "failed_images": 1}
    updates = [e for e in events if e["type"] == "step_update"]
    # The cluster's workers share the batch, so images may interleave; each goes through its steps
    # in order, and the bad one stops at preprocess.
    assert {e["image_id"] for e in updates} == set(image_ids)
    assert steps_of(events, image_ids[0]) == ALL_STEPS and steps_of(events, image_ids[2]) == ALL_STEPS
    assert steps_of(events, image_ids[1]) == [("preprocess", "running"), ("preprocess", "failed")]
    # Progress counts images, as seed 001 defines it: 3 in all, ending at 3.
    completed = [e["progress"]["completed"] for e in updates]
    assert {e["progress"]["total"] for e in updates} == {3} and all(0 <= n <= 3 for n in completed)
    assert completed[-1] == 3
    assert (job["status"], job["processed_images"], job["failed_images"]) == ("completed", 2, 1)


def test_another_users_processing_stream_closes_4003(owner, other_user, jwt_for):
    product = services.create_product(owner, title="Private")
    image = _corrupt_image(product)
    job = services.queue_analysis(owner, product=product, images=[image])
    env = process_env()
    with asgi_server(env) as url:
        ws = url.replace("http", "ws") + f"/ws/processing/{job.pk}?token={jwt_for(other_user)}"

        async def close_code():
            async with websockets.connect(ws) as socket:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await socket.recv()
                return closed.value.rcvd.code

        assert asyncio.run(close_code()) == 4003


def _corrupt_image(product: Product) -> ProductImage:
    """An image whose stored bytes stopped being an image after the upload was checked."""
    key = default_storage.save(product.new_image_key("corrupt.jpg"), ContentFile(b"\xff\xd8\xff broken"))
    return ProductImage.objects.create(product=product, s3_key=key, original_filename="corrupt.jpg",
                                       content_type="image/jpeg", file_size_bytes=16, upload_status="uploaded")
