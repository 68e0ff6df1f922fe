from __future__ import annotations

import pytest

from worker.dedupe import (
    band_buckets,
    canonical_url,
    fingerprint,
    minhash,
    normalise_for_fingerprint,
    signature_bytes,
    similarity,
    text_signature,
)


@pytest.mark.parametrize("variant", [
    "https://www.example.com/world/nk-troops",
    "https://example.com/world/nk-troops/",
    "http://example.com/world/nk-troops?utm_source=rss&utm_medium=feed",
    "https://example.com/world/nk-troops#comments",
    "https://www.example.com/world/nk-troops/amp/",
    "https://amp.example.com/world/nk-troops",
    "https://example.com/amp/world/nk-troops",
    "https://example.com/world/nk-troops?fbclid=abc&gclid=x",
    "https://EXAMPLE.com/world//nk-troops",
])
def test_url_variants_share_one_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == "https://example.com/world/nk-troops"


def test_meaningful_query_parameters_are_kept_and_sorted() -> None:
    assert canonical_url("https://example.com/news?b=2&id=7&utm_campaign=x") == (
        "https://example.com/news?b=2&id=7")


def test_non_http_urls_are_left_alone() -> None:
    assert canonical_url("fixture://seeds/a.txt") == "fixture://seeds/a.txt"


def test_fingerprint_ignores_trivial_differences() -> None:
    a = "North Korean troops, 600 killed.\nUpdated 14:05 GMT"
    b = "north korean   troops 600 killed!"
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint("North Korean troops, 300 killed.")


def test_a_shared_normalisation_gives_the_same_fingerprint_and_signature() -> None:
    text = "Updated 09:00\nNorth Korean troops - about 600 killed, 4,700 casualties. " * 5
    normal = normalise_for_fingerprint(text)
    assert fingerprint(text, normalised=normal) == fingerprint(text)
    shared, n_shared = text_signature(text, normalised=normal)
    alone, n_alone = text_signature(text)
    assert n_shared == n_alone > 1
    assert signature_bytes(shared) == signature_bytes(alone)


def test_minhash_similarity_separates_copies_from_different_texts() -> None:
    base = " ".join(f"word{i}" for i in range(300))
    copy = "A new lede sentence for the reprint. " + base
    other = " ".join(f"other{i}" for i in range(300))
    s1, s2, s3 = (signature_bytes(minhash(t)) for t in (base, copy, other))
    assert similarity(s1, s2) > 0.85
    assert similarity(s1, s3) < 0.1


def test_similarity_is_the_share_of_equal_values_numpy_counts() -> None:
    """The plain-Python similarity gives what numpy's count of equal uint64 values gave, on
    real signatures and on signatures equal in 0 to 128 of their values."""
    import random

    import numpy as np

    def counted(a: bytes, b: bytes) -> float:
        va, vb = np.frombuffer(a, dtype=np.uint64), np.frombuffer(b, dtype=np.uint64)
        return float(np.count_nonzero(va == vb)) / len(va)

    rng = random.Random(7)
    texts = [" ".join(f"w{rng.randint(0, 400)}" for _ in range(200)) for _ in range(6)]
    sigs = [signature_bytes(minhash(t)) for t in texts]
    for equal in range(0, 129, 8):
        a = rng.randbytes(1024)
        b = bytearray(a)
        for i in rng.sample(range(128), 128 - equal):
            b[i * 8 + rng.randrange(8)] ^= 1 + rng.randrange(255)
        sigs += [a, bytes(b)]
        assert similarity(a, bytes(b)) == equal / 128
    for a in sigs:
        for b in sigs:
            assert similarity(a, b) == counted(a, b)
    assert similarity(sigs[0], sigs[0][:512]) == 0.0  # different lengths: nothing compared
    assert similarity(b"", b"") == 0.0


def test_identical_signatures_share_every_band_bucket() -> None:
    sig = signature_bytes(minhash("the same text about troops in Kursk " * 20))
    assert band_buckets(sig, 32) == band_buckets(sig, 32)
    assert len(band_buckets(sig, 32)) == 32


def test_the_signature_is_datasketchs_minhash_with_its_scheme_named() -> None:
    """The cached permutations give what a fresh MinHash gives, in the named scheme, so stored
    signatures stay comparable whatever datasketch's default becomes."""
    from datasketch import MinHash

    from worker.dedupe import MINHASH_SCHEME

    text = "North Korean troops fighting in the Kursk region suffered heavy losses. " * 4
    fresh = MinHash(num_perm=128, seed=1, scheme=MINHASH_SCHEME)  # its own sha1_hash32
    fresh.update_batch(list(reference_shingles(text, 3)))  # the default size
    ours, _ = text_signature(text)
    assert ours.scheme == MINHASH_SCHEME
    assert signature_bytes(ours) == signature_bytes(fresh)
    assert signature_bytes(text_signature(text)[0]) == signature_bytes(ours)  # cache reused


def reference_shingles(text: str, size: int) -> set[bytes]:
    """The definition: runs of `size` words of the normalised text, joined by one space."""
    words = normalise_for_fingerprint(text).split()
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


@pytest.mark.parametrize("text", [
    "", "   ", "one", "a b c d", "a b c d e", "a b c d e f g",
    "North Korean troops — 600 killed,   4,700 casualties!\nUpdated 14:05\nSecond line here.",
    "북한군 1만1천 명 파병, 쿠르스크에서 600명 사망 · 4천700명 사상",
    "Північнокорейські військові: 600 загиблих і 4700 втрат, каже розвідка.",
    "Ünter_den Linden\u00a0naïve\tcafé ﬁn ＡＢＣ (NFKC) x_y_z",
])
def test_shingles_cut_from_the_encoding_are_the_joined_words(text: str) -> None:
    from worker.dedupe import shingles

    for size in (1, 3, 5):
        assert shingles(text, size) == reference_shingles(text, size)


def test_bulk_shingle_hashes_are_datasketchs_sha1_hash32() -> None:
    from datasketch.hashfunc import sha1_hash32

    from worker.dedupe import _sha1_hash32

    grams = [b"", b"a", "북한군 파병".encode(), bytes(range(256))]
    assert _sha1_hash32(grams) == [sha1_hash32(g) for g in grams]
    assert _sha1_hash32([]) == []


def test_band_buckets_hash_each_bands_bytes() -> None:
    import hashlib
    import struct

    import numpy as np

    sig = signature_bytes(minhash("troops in Kursk, 600 killed and 4,700 casualties " * 9))
    values = np.frombuffer(sig, dtype=np.uint64)
    for bands in (64, 32, 20):  # 128 rows: 20 bands leave 8 rows out
        rows = len(values) // bands
        expected = [(b, struct.unpack(">q", hashlib.blake2b(
            values[b * rows:(b + 1) * rows].tobytes(), digest_size=8).digest())[0])
            for b in range(bands)]
        assert band_buckets(sig, bands) == expected


def test_compatibility_forms_normalise_to_the_plain_letters() -> None:
    assert normalise_for_fingerprint("Ｎorth ﬁnal ２０２５") == "north final 2025"
    assert fingerprint("ＡＢＣ ﬁn") == fingerprint("abc fin")
    assert normalise_for_fingerprint("plain ascii, already normal") == "plain ascii already normal"
