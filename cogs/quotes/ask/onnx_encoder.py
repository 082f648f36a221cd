"""all-MiniLM-L6-v2 on onnxruntime with int8 weights: the fast encoder, when installed.

Why: a question is a dozen tokens, so the numpy forward pass is memory-bound: it reads all
42 MB of float32 weights per question, and beside a neighbour doing numpy work it gets half
a core and half the memory bandwidth (about 39 ms per question, measured in
``bench/ask.py``). With 8-bit weights (11 MB) and onnxruntime's VNNI/AVX2 integer
kernels the same forward pass reads a quarter of the bytes and runs several times faster.

How: nothing is downloaded. The graph is built here, at first use, from the same
``model.safetensors`` the numpy encoder reads (already SHA-256 checked by
:meth:`MiniLM.load`), with the ``onnx`` helper API: the six BERT layers, from the summed
embeddings (a dozen rows of the 47 MB table, looked up in numpy) to the last hidden state;
mean pooling and normalisation stay in numpy. Every dense layer is quantised at build time
to onnxruntime's ``com.microsoft.MatMulNBits`` (8 bits, blockwise scales; activations are
quantised per call): building takes about 0.3 s and needs no file on disk, so there is no
cache to invalidate. The session runs on one intra-op thread without spinning, so it
never fights the event loop or a neighbour for the two cores.

Embeddings match the float32 numpy ones within a cosine of 0.999
(``tests/quotes/ask/test_fast_encoder.py`` checks it); the model id stays the same so the
shipped and cached float32 vectors stay valid. ``onnx`` and ``onnxruntime`` are optional:
without them :func:`load` raises ImportError and the numpy encoder is used (one warning).

Telemetry: onnxruntime's official wheels start Microsoft's 1DS telemetry when the library is
imported, keeping a device id and an SQLite event store to upload
(``~/.cache/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db``). herbot imports it only
through :func:`onnxruntime`, which sets ``ORT_DISABLE_TELEMETRY=1`` first, the switch
onnxruntime's Privacy.md documents (it must be set before the import); a host who sets the
variable themselves keeps their choice.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from cogs.quotes.ask.embedder import MiniLM

log = logging.getLogger(__name__)

OPSET = 17  # LayerNormalization is in the default domain from 17
IR_VERSION = 8  # read by every onnxruntime release herbot supports
# Weights: 8-bit codes with one scale per 32 input values (MatMulNBits). Accuracy level 4:
# activations are quantised to int8 per block too, so the products run on VNNI/AVX2
# integer kernels (level 0 dequantises to float32 and is slower than numpy). Measured on
# the question set: cosine to the float32 vectors >= 0.999, ~4 ms per question instead of
# ~15 ms (docs/ask.md); per-column int8 with per-tensor activations
# (DynamicQuantizeMatMul, what quantize_dynamic makes) was as fast but only >= 0.988, and
# it lost a held-out hit@1.
BLOCK = 32
ACCURACY_LEVEL = 4
_HEADS = 12
_EPS = 1e-12


def quantize_blocks(w: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    """MatMulNBits' 8-bit layout for a torch Linear weight ``w`` (out x in): uint8 codes
    (zero point 128) of shape (out, in/block, block), one float scale per block."""
    out_dim, in_dim = w.shape
    blocks = w.reshape(out_dim, in_dim // block, block)
    scale = np.abs(blocks).max(axis=2) / 127.0
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    q = np.clip(np.rint(blocks / scale[:, :, None]), -127, 127) + 128
    return q.astype(np.uint8), scale.reshape(-1)


def build_graph(
    weights: Mapping[str, np.ndarray],
    *,
    quantize: bool = True,
    block: int = BLOCK,
    accuracy: int = ACCURACY_LEVEL,
) -> Any:
    """The BERT encoder as an ONNX ModelProto: (embeddings, attention_mask) -> hidden states.

    ``weights`` are the safetensors tensors, named as in the Hugging Face checkpoint.
    ``quantize=False`` builds plain float32 MatMuls (for comparison in the bench).
    """
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], out: str, domain: str = "", **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=out, domain=domain, **attrs))
        return out

    def dense(x: str, prefix: str, out: str) -> str:
        """x @ W.T + b for a torch Linear ``prefix`` (weight is out x in)."""
        w = weights[prefix + ".weight"].astype(np.float32)
        b = const(prefix + ".b", weights[prefix + ".bias"].astype(np.float32))
        if not quantize:
            mm = node("MatMul", [x, const(prefix + ".w", w.T)], out + ".mm")
            return node("Add", [mm, b], out)
        q, scale = quantize_blocks(w, block)
        return node(
            "MatMulNBits",
            [x, const(prefix + ".wq", q), const(prefix + ".scale", scale), "", "", b],
            out,
            domain="com.microsoft",
            K=w.shape[1],
            N=w.shape[0],
            bits=8,
            block_size=block,
            accuracy_level=accuracy,
        )

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node(
            "LayerNormalization",
            [
                x,
                const(prefix + ".gamma", weights[prefix + ".weight"]),
                const(prefix + ".beta", weights[prefix + ".bias"]),
            ],
            out,
            axis=-1,
            epsilon=_EPS,
        )

    dim = weights["embeddings.word_embeddings.weight"].shape[1]
    head = dim // _HEADS
    heads_shape = const("heads_shape", np.array([0, 0, _HEADS, head], dtype=np.int64))
    merged_shape = const("merged_shape", np.array([0, 0, dim], dtype=np.int64))
    scale = const("attn_scale", np.array(1.0 / np.sqrt(head), dtype=np.float32))

    # Embeddings (word + position + token type 0 rows, summed in numpy: a dozen rows of a
    # 47 MB table need no graph), then LayerNorm.
    x = layer_norm("embeddings", "embeddings.LayerNorm", "emb")

    # Additive attention mask: (1 - mask) * -1e9, shaped (batch, 1, 1, length).
    inverted = node(
        "Sub", [const("one_f", np.array(1.0, dtype=np.float32)), "attention_mask"], "inv"
    )
    bias = node("Mul", [inverted, const("neg", np.array(-1e9, dtype=np.float32))], "mask_bias2")
    bias = node("Unsqueeze", [bias, const("axes12", np.array([1, 2], dtype=np.int64))], "mask_bias")

    for i in range(6):
        p = f"encoder.layer.{i}."
        a = p + "attention.self."

        def split_heads(name: str, perm: list[int], x_in: str = x, a: str = a, i: int = i) -> str:
            proj = dense(x_in, a + name, f"l{i}.{name}")
            shaped = node("Reshape", [proj, heads_shape], f"l{i}.{name}.heads")
            return node("Transpose", [shaped], f"l{i}.{name}.t", perm=perm)

        q = split_heads("query", [0, 2, 1, 3])
        k = split_heads("key", [0, 2, 3, 1])
        v = split_heads("value", [0, 2, 1, 3])
        scores = node("MatMul", [q, k], f"l{i}.scores")
        scores = node("Mul", [scores, scale], f"l{i}.scaled")
        scores = node("Add", [scores, bias], f"l{i}.masked")
        probs = node("Softmax", [scores], f"l{i}.probs", axis=-1)
        ctx = node("MatMul", [probs, v], f"l{i}.ctx")
        ctx = node("Transpose", [ctx], f"l{i}.ctx.t", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, merged_shape], f"l{i}.ctx.m")
        attn = dense(ctx, p + "attention.output.dense", f"l{i}.attn")
        x = layer_norm(
            node("Add", [x, attn], f"l{i}.res1"), p + "attention.output.LayerNorm", f"l{i}.ln1"
        )
        h = dense(x, p + "intermediate.dense", f"l{i}.inter")
        # GELU (erf form, as BERT): 0.5 * h * (1 + erf(h / sqrt 2)).
        e = node(
            "Erf",
            [node("Mul", [h, const(f"l{i}.rs2", np.array(0.70710677, np.float32))], f"l{i}.hs")],
            f"l{i}.erf",
        )
        e = node("Add", [e, const(f"l{i}.one", np.array(1.0, np.float32))], f"l{i}.erf1")
        g = node(
            "Mul",
            [node("Mul", [h, e], f"l{i}.he"), const(f"l{i}.half", np.array(0.5, np.float32))],
            f"l{i}.gelu",
        )
        out = dense(g, p + "output.dense", f"l{i}.out")
        x = layer_norm(node("Add", [x, out], f"l{i}.res2"), p + "output.LayerNorm", f"l{i}.ln2")

    nodes.append(helper.make_node("Identity", [x], ["hidden"], name="hidden"))
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info(
                "embeddings", TensorProto.FLOAT, ["batch", "length", dim]
            ),
            helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT, ["batch", "length"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "length", dim])],
        initializer=inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)],
        producer_name="herbot",
    )
    model.ir_version = IR_VERSION
    return model


def onnxruntime() -> Any:
    """The onnxruntime module, imported with its telemetry off (see the module docstring)."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    import onnxruntime as ort

    return ort


def make_session(model: Any) -> Any:
    """One intra-op thread, no spinning: a question's products are small (see docstring)."""
    ort = onnxruntime()

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3
    return ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


class OnnxMiniLM:
    """Same interface and model id as :class:`MiniLM`; thread-safe ``encode``."""

    def __init__(self, reference: MiniLM, session: Any, *, quantized: bool = True) -> None:
        self.model_id = reference.model_id
        self.dimension = reference.dimension
        self.weights_sha256 = reference.weights_sha256
        self.backend = "onnxruntime int8" if quantized else "onnxruntime float32"
        self._reference = reference
        self._tokenizer = reference._tokenizer
        self._session = session

    @classmethod
    def from_reference(
        cls, reference: MiniLM, *, quantize: bool = True, **graph: Any
    ) -> OnnxMiniLM:
        """Build the graph from the verified numpy model's weights; raises ImportError
        when onnx or onnxruntime is not installed."""
        import onnx  # noqa: F401  (raise ImportError early, with its own name)

        onnxruntime()

        session = make_session(build_graph(reference.raw_weights, quantize=quantize, **graph))
        return cls(reference, session, quantized=quantize)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        return self._reference.encode(texts, batch_size=batch_size, forward=self._forward)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        embeddings = self._reference.embed(ids)
        feed = {"embeddings": embeddings, "attention_mask": mask}
        (hidden,) = self._session.run(None, feed)
        pooled = (hidden * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
