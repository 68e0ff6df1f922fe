"""Planted duplicates for the dedupe signatures: real corpus texts, each beside edited copies
(a new lede, a trimmed tail, reordered paragraphs, all three with boilerplate, a wire copy
re-edited by another desk) and beside non-copies (another text under the same lede, an unrelated
text), and the precision and recall of the story match on them. The planted-pairs test asserts
on it; `benchmarks/bench_dedupe.py` prints it."""

from __future__ import annotations

import random
import re
import statistics
from typing import Any

import trafilatura

from tests.helpers.paths import corpus_pages, read_page
from worker.dedupe import (
    band_buckets,
    containment,
    signature_bytes,
    story_match,
    text_signature,
)

_SENT = re.compile(r"(?<=[.!?])\s+")


def corpus_texts(limit: int | None = None, min_words: int = 150) -> list[str]:
    texts = []
    for page in corpus_pages():
        text = trafilatura.extract(read_page(page)) or ""
        if len(text.split()) >= min_words:
            texts.append(text)
        if limit and len(texts) >= limit:
            break
    return texts


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def edited_lede(text: str, rng: random.Random) -> str:
    sentences = _SENT.split(text, maxsplit=2)
    new = rng.choice(["Seoul (AFP) - ", "In a dispatch published on Monday, ",
                      "UPDATED: ", "Moscow, Jan. 13 (Yonhap) -- "])
    return new + "Officials gave a fresh account of the events. " + " ".join(sentences[1:])


def trimmed_tail(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    return " ".join(words[: int(len(words) * rng.uniform(0.82, 0.9))])


def reordered(text: str, rng: random.Random) -> str:
    paras = _paragraphs(text)
    if len(paras) < 3:
        sentences = _SENT.split(text)
        cut = len(sentences) // 2
        return " ".join(sentences[cut:] + sentences[:cut])
    i = rng.randrange(1, len(paras))
    paras.insert(0, paras.pop(i))
    return "\n".join(paras)


def syndicated(text: str, rng: random.Random) -> str:
    return ("Share on Facebook Twitter\n" + trimmed_tail(edited_lede(text, rng), rng)
            + "\nThis story was provided by a wire service.")


# A second desk's habits: tense and register ("said" -> "has said"), its own words for the same
# people, day names dropped. Words not in the table get a generic edit (see _edit_sentence).
_DESK_SWAPS = {
    "said": "has said", "says": "said", "told": "informed", "lawmakers": "legislators",
    "officials": "authorities", "troops": "soldiers", "about": "around", "also": "further",
    "according": "citing", "the": "this", "a": "one", "and": "as well as", "but": "however",
    "monday": "", "tuesday": "", "wednesday": "", "thursday": "", "friday": "",
    "der": "dieser", "die": "jene", "und": "sowie", "le": "ce", "la": "cette", "et": "ainsi que",
    "el": "este", "y": "e",
}
_DESK_FILLER = ("now", "still", "further", "earlier", "meanwhile", "reportedly")


def _edit_sentence(sentence: str, rng: random.Random, edits: int) -> str:
    words = sentence.split(" ")
    if len(words) < 5:
        return sentence
    for _ in range(edits):
        i = rng.randrange(1, len(words))
        key = words[i].lower().strip(",.;:")
        if key in _DESK_SWAPS:
            words[i] = _DESK_SWAPS[key]
        elif rng.random() < 0.4:
            words[i] = rng.choice(_DESK_FILLER)
        elif rng.random() < 0.5 and len(words) > 5:
            del words[i]
        else:
            words.insert(i, rng.choice(_DESK_FILLER))
    names = [j for j, w in enumerate(words[1:], 1) if w[:1].isupper() and w.isalpha()]
    if names and rng.random() < 0.3:  # "the National Intelligence Service (NIS)"
        j = rng.choice(names)
        words.insert(j + 1, f"({words[j][:3].upper()})")
    return " ".join(w for w in words if w)


def wire_reedit(text: str, rng: random.Random) -> str:
    """The same agency story re-edited by another desk: one or two word edits in every
    sentence, abbreviations added, a new headline and a new lede in place of the first
    sentence."""
    lines = []
    for para in _paragraphs(text):
        lines.append(" ".join(_edit_sentence(s, rng, rng.randint(1, 2))
                              for s in _SENT.split(para)))
    body = _SENT.split("\n".join(lines), maxsplit=1)
    rest = body[1] if len(body) > 1 else body[0]
    headline = rng.choice(["Second desk rewrites the agency report",
                           "Report: officials give new account", "WIRE - latest on the story"])
    return (f"{headline}\nAn opening line of the second desk's own sets the scene for "
            f"readers. {rest}")


def shared_lede(text: str, other: str) -> str:
    head = " ".join(_SENT.split(text)[:2])
    return head + "\n" + other


PLANTS = {"edited lede": edited_lede, "trimmed tail": trimmed_tail,
          "reordered paragraphs": reordered, "all three + boilerplate": syndicated,
          "wire re-edit": wire_reedit}


def planted_pairs(texts: list[str], seed: int = 1) -> list[tuple[str, str, bool, str]]:
    """(a, b, is_copy, kind) pairs."""
    rng = random.Random(seed)
    pairs = []
    for i, t in enumerate(texts):
        for kind, fn in PLANTS.items():
            pairs.append((t, fn(t, rng), True, kind))
        other = texts[(i + 1) % len(texts)]
        pairs.append((t, shared_lede(t, other), False, "shared lede, other body"))
        pairs.append((t, texts[(i + 7) % len(texts)], False, "unrelated"))
    return pairs


def evaluate(pairs: list[tuple[str, str, bool, str]], threshold: float, bands: int = 32,
             num_perm: int = 128, shingle: int = 5, min_jaccard: float = 0.0
             ) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    per_kind: dict[str, list[float]] = {}
    for a, b, is_copy, kind in pairs:
        ma, na = text_signature(a, num_perm=num_perm, shingle=shingle)
        mb, nb = text_signature(b, num_perm=num_perm, shingle=shingle)
        sa, sb = signature_bytes(ma), signature_bytes(mb)
        candidate = bool(set(band_buckets(sa, bands)) & set(band_buckets(sb, bands)))
        sim = containment(sa, na, sb, nb)
        per_kind.setdefault(kind, []).append(sim)
        joined = story_match(sa, na, sb, nb, threshold=threshold, min_jaccard=min_jaccard)
        predicted = candidate and joined is not None
        if predicted and is_copy:
            tp += 1
        elif predicted:
            fp += 1
        elif is_copy:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"threshold": threshold, "precision": precision, "recall": recall, "tp": tp,
            "fp": fp, "fn": fn, "tn": tn,
            "similarity": {k: {"min": min(v), "median": statistics.median(v), "max": max(v)}
                           for k, v in per_kind.items()}}
