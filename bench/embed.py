"""Sentence embeddings: sentences per second, float32 against int8-quantized.

The packaged all-MiniLM-L6-v2 (``newstrace.link.embed.load_model``) embeds invented
news sentences (bench/common.py's story generator; ``-n`` sentences, ``--quick``: 200)
in batches, as the paraphrase stage does, once in float32 and once with its Linear
layers quantized to int8 by ``torch.ao.quantization.quantize_dynamic``. The two runs
alternate in rounds so other load on the machine falls on both alike. Figures:
sentences/s of each, the speed-up, and how far quantization moves the cosine
similarity of sentence pairs (mean and largest absolute change over the pairs of
consecutive sentences), which is what the paraphrase threshold is compared with.
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np
import torch

from common import SEED, Results, finish, machine_info, make_story, parser, peak_rss_mb
from newstrace.link.embed import Vectors, encode, load_model
from newstrace.link.text import sentence_bounds

FULL_SIZE = 2000
QUICK_SIZE = 200
ROUNDS = 3


def sentences(count: int) -> list[str]:
    rng = random.Random(SEED)
    found: list[str] = []
    index = 0
    while len(found) < count:
        text = "\n\n".join(make_story(rng, index).paragraphs)
        found += [text[s:e] for s, e in sentence_bounds(text)]
        index += 1
    return found[:count]


def main() -> int:
    args = parser(__doc__, "--sentences", FULL_SIZE, QUICK_SIZE, "sentences")
    options = args.parse_args()
    texts = sentences(QUICK_SIZE if options.quick else options.size)
    info = machine_info()
    int8 = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
        load_model(), {torch.nn.Linear}, dtype=torch.qint8
    )
    models = {"float32": load_model(), "int8": int8}
    seconds = dict.fromkeys(models, 0.0)
    vectors: dict[str, list[Vectors]] = {}
    chunk = -(-len(texts) // ROUNDS)
    for start in range(0, len(texts), chunk):
        for name, model in models.items():
            began = time.perf_counter()
            part = encode(model, texts[start : start + chunk])
            seconds[name] += time.perf_counter() - began
            vectors.setdefault(name, []).append(part)
    plain, quant = (np.vstack(vectors[name]) for name in models)
    cos_plain = np.sum(plain[:-1] * plain[1:], axis=1)
    cos_quant = np.sum(quant[:-1] * quant[1:], axis=1)
    change = np.abs(cos_plain - cos_quant)
    rate = {name: len(texts) / s for name, s in seconds.items()}
    figures = {
        "float32_sentences_per_s": round(rate["float32"], 1),
        "int8_sentences_per_s": round(rate["int8"], 1),
        "speedup": round(rate["int8"] / rate["float32"], 2),
        "mean_cosine_change": round(float(change.mean()), 4),
        "max_cosine_change": round(float(change.max()), 4),
        "peak_rss_mb": round(peak_rss_mb()),
    }
    words = sum(len(t.split()) for t in texts) / len(texts)
    results = Results(
        title="newstrace sentence embeddings: float32 and int8",
        section=f"sentence embeddings, {len(texts):,} sentences",
        header=("model", "sentences/s", "seconds"),
        rows=[(name, f"{rate[name]:,.1f}", f"{seconds[name]:.1f}") for name in models],
        figures=figures,
        notes=(
            f"{len(texts):,} invented sentences of {words:.0f} words on average, batches of "
            f"64; int8 is {figures['speedup']} times as fast. Cosine similarity of "
            f"consecutive sentence pairs moved by {figures['mean_cosine_change']} on "
            f"average, at most {figures['max_cosine_change']}. Peak RSS "
            f"{figures['peak_rss_mb']} MiB with both models loaded.",
        ),
    )
    finish(options, results, info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
