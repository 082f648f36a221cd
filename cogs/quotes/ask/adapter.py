"""/ask's domain adapter: low-rank (LoRA) corrections to MiniLM, learned from curated phrasings.

MiniLM was trained on the web's sentence pairs; it does not know that "Theo" is Theodore, that
"the OS" is Samantha, or that a member asking "what does he do for a living" wants the
love-letter job. ``tools/train_adapter.py`` teaches it from the curated ``asks`` (each
phrasing against its passage) by training two small matrices per dense layer, A (rank × in)
and B (out × rank); MiniLM's own weights are untouched. At load the product is added to each
weight (W + scale · B A), so the numpy and onnxruntime encoders run exactly as before, with
no cost per question.

The file ships with the package (``adapter.npz``, ~1 MB) and is checked by its SHA-256, which
becomes part of the model id: vectors made without it, or with another one, are never mixed
with its own (cached and shipped vectors are keyed by model id). ``HERBOT_ASK_ADAPTER=0``
runs the plain MiniLM (the quality test and the bench compare both).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

PATH = Path(__file__).with_name("adapter.npz")
ALPHA = 16.0  # LoRA's alpha: the update is scaled by alpha / rank
LAYERS = 6
_DENSE = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def targets() -> list[str]:
    """The weights the adapter corrects: every dense layer of every transformer block."""
    return [f"encoder.layer.{i}.{name}.weight" for i in range(LAYERS) for name in _DENSE]


def enabled() -> bool:
    return os.environ.get("HERBOT_ASK_ADAPTER", "").strip().lower() not in {"0", "off", "no"}


@dataclass(frozen=True)
class Adapter:
    sha256: str
    scale: float
    factors: dict[str, tuple[np.ndarray, np.ndarray]]  # weight name -> (A, B)

    @property
    def tag(self) -> str:
        """What the model id gains: vectors made with this adapter carry it."""
        return f"herbot-{self.sha256[:12]}"

    def apply(self, weights: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """A copy of ``weights`` (torch layout, out × in) with W + scale · B A in place of W."""
        return dict(self.view(weights))

    def view(self, weights: Mapping[str, np.ndarray]) -> Mapping[str, np.ndarray]:
        """``weights`` with W + scale · B A in place of W, each merged when read and not kept.

        The encoders read each weight once (to transpose it, or to quantise it into the
        onnxruntime graph), so no merged float32 copy outlives its use.
        """
        for name, (a, b) in self.factors.items():
            if name not in weights or weights[name].shape != (b.shape[0], a.shape[1]):
                raise ValueError(f"adapter does not fit MiniLM's {name}")
        return _Merged(weights, self)


class _Merged(Mapping[str, np.ndarray]):
    def __init__(self, weights: Mapping[str, np.ndarray], adapter: Adapter) -> None:
        self._weights = weights
        self._adapter = adapter

    def __getitem__(self, name: str) -> np.ndarray:
        weight = self._weights[name]
        factors = self._adapter.factors.get(name)
        if factors is None:
            return weight
        a, b = factors
        return (weight + np.float32(self._adapter.scale) * (b @ a)).astype(np.float32)

    def __contains__(self, name: object) -> bool:  # Mapping's would merge the weight to ask
        return name in self._weights

    def __iter__(self) -> Iterator[str]:
        return iter(self._weights)

    def __len__(self) -> int:
        return len(self._weights)


def save(path: Path, factors: dict[str, tuple[np.ndarray, np.ndarray]], *, alpha: float,
         note: str) -> None:  # fmt: skip
    """Write the factors; ``note`` (how it was trained) is for people inspecting the file."""
    arrays: dict[str, Any] = {"scale": np.float32(alpha), "note": np.array(note)}
    for name, (a, b) in factors.items():
        arrays[f"{name}:A"] = a.astype(np.float32)
        arrays[f"{name}:B"] = b.astype(np.float32)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    path.write_bytes(buffer.getvalue())


def load(path: Path = PATH) -> Adapter | None:
    """The shipped adapter, or None when absent or turned off (plain MiniLM then)."""
    if not enabled() or not path.is_file():
        return None
    data = path.read_bytes()
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        names = {key.rsplit(":", 1)[0] for key in npz.files if ":" in key}
        factors = {n: (npz[f"{n}:A"], npz[f"{n}:B"]) for n in sorted(names)}
        return Adapter(
            sha256=hashlib.sha256(data).hexdigest(),
            scale=float(npz["scale"]),
            factors=factors,
        )
