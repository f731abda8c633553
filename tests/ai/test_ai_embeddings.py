"""The all-MiniLM-L6-v2 embedder, offline, and the similarity helpers."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from config.ai import registry
from config.ai.embeddings import cosine_similarity, top_k

pytestmark = pytest.mark.usefixtures("ai_packages")

REPO = Path(__file__).resolve().parents[2]


def test_a_furniture_prompt_is_closer_to_furniture_than_to_vehicle():
    vectors = registry.embedder().embed(["a velvet sofa beside an oak coffee table", "furniture", "vehicle"]).vectors

    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    furniture, vehicle = cosine_similarity(vectors[0], vectors[1:])[0]
    assert furniture > vehicle


def test_rank_orders_candidates_by_meaning():
    matches = registry.embedder().rank("a king size bed with a linen headboard", ["car", "bedroom", "kitchen"], k=2)

    assert matches[0].text == "bedroom"
    assert matches[0].score > matches[1].score
    assert registry.embedder().last_call.model == "all-MiniLM-L6-v2"


def test_top_k_returns_the_closest_rows_first():
    candidates = np.array([[0.0, 1.0], [1.0, 0.1], [-1.0, 0.0]])

    assert [index for index, _ in top_k(np.array([1.0, 0.0]), candidates, k=2)] == [1, 0]


def test_the_embedder_works_with_networking_disabled():
    script = textwrap.dedent("""
        import socket

        def refuse(*args, **kwargs):
            raise OSError("networking is disabled in this process")

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        import django
        django.setup()
        from config.ai import registry

        vectors = registry.embedder().embed(["a sofa", "furniture"]).vectors
        print(vectors.shape, float(vectors[0] @ vectors[1]) > 0.3)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(REPO)},
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("(2, 384) True")
