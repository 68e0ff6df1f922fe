"""Pure: the identities of an article — canonical URL, content fingerprint, MinHash signature
and its LSH band buckets (stored in the database, so the near-duplicate index survives restarts
and is shared by every worker)."""

from __future__ import annotations

import contextlib
import hashlib
import operator
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

if TYPE_CHECKING:
    from datasketch import MinHash

# numpy and datasketch (which imports scipy: a second and 60 MB) load on first use, to compute
# a signature: a process that only screens off-topic pages, only answers queries or only
# compares stored signatures (the daemon's own, `similarity`) never needs them.

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|yclid|mc_cid|mc_eid|ocid|cmpid|at_medium|"
    r"at_campaign|at_\w+|xtor|ref|ref_src|ref_url|source|src|share|smid|sh|ito|igshid|"
    r"outputtype|amp|cid|taid|__twitter_impression|s_cid|ns_\w+|rss|feature)$",
    re.IGNORECASE,
)


def canonical_url(url: str) -> str:
    """One spelling per page: no tracking parameters, fragment, `www.`, trailing slash or AMP."""
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        return url
    with contextlib.suppress(ValueError, TypeError):
        url = normalize_url(url, strict=False)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m.", "amp.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    path = re.sub(r"/amp/?$", "/", path)
    path = re.sub(r"^/amp/", "/", path)
    path = re.sub(r"\.amp(\.html?)$", r"\1", path)
    path = re.sub(r"/+", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k)]
    query.sort()
    return urlunsplit(("https", host, path, urlencode(query), ""))


_TIMESTAMP_LINE = re.compile(
    r"^\s*(updated|last updated|published|mis à jour|publié le|aktualisiert|actualizado|"
    r"обновлено|опубликовано|оновлено|опубліковано|수정|입력|업데이트)\b.{0,60}$",
    re.IGNORECASE | re.MULTILINE,
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_for_fingerprint(text: str) -> str:
    """Text with the trivial differences removed: case, whitespace, punctuation, timestamps."""
    if not unicodedata.is_normalized("NFKC", text):  # the check costs a tenth of normalising
        text = unicodedata.normalize("NFKC", text)
    text = _TIMESTAMP_LINE.sub(" ", text)
    return _NON_WORD.sub(" ", text.lower()).strip()


def fingerprint(text: str, *, normalised: str | None = None) -> str:
    """SHA-256 of the normalised text: equal for texts that differ only trivially.
    `normalised`, when given, is `normalise_for_fingerprint(text)` already computed."""
    if normalised is None:
        normalised = normalise_for_fingerprint(text)
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def shingles(text: str, size: int, *, normalised: str | None = None) -> set[bytes]:
    """The distinct runs of `size` words of the normalised text, UTF-8 encoded.

    The normalised text has its words separated by exactly one space, so a shingle is a slice
    of its encoding between word boundaries: cut from one buffer rather than joined word by
    word (half the cost; the same bytes)."""
    if normalised is None:
        normalised = normalise_for_fingerprint(text)
    data = normalised.encode("utf-8")
    if not data:
        return set()
    import numpy as np

    spaces = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x20)
    words = len(spaces) + 1
    if words < size:
        return {data}
    starts = [0, *(spaces + 1).tolist()]
    ends = [*spaces.tolist(), len(data)]
    return {data[a:b] for a, b in zip(starts[:words - size + 1], ends[size - 1:], strict=True)}


def minhash(text: str, *, num_perm: int = 128, shingle: int = 3) -> MinHash:
    return text_signature(text, num_perm=num_perm, shingle=shingle)[0]


# Named, not left to datasketch's default (which changed in 2.0): stored signatures must stay
# comparable with the ones computed after an upgrade.
MINHASH_SCHEME = "affine32"


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> Any:
    """The permutations of MinHash(num_perm, seed=1), drawn once (a third of a millisecond
    each time otherwise); the arrays are only read."""
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=1, scheme=MINHASH_SCHEME).permutations


def _sha1_hash32(grams: Iterable[bytes]) -> list[int]:
    """datasketch's sha1_hash32 of each value (the first four bytes of its SHA-1, little
    endian), for all of them at once: one join and one array view instead of a slice and a
    struct.unpack per shingle."""
    import numpy as np

    digests = b"".join([hashlib.sha1(g).digest() for g in grams])
    return np.frombuffer(digests, dtype="<u4")[::5].tolist()  # 20-byte digests = 5 words


def _identity(value: int) -> int:
    return value


def text_signature(text: str, *, num_perm: int = 128, shingle: int = 3,
                   normalised: str | None = None) -> tuple[MinHash, int]:
    """The MinHash of a text's word shingles, and how many distinct shingles it has. The
    shingles are hashed here in bulk, exactly as datasketch's default hash would one by one."""
    from datasketch import MinHash

    grams = shingles(text, shingle, normalised=normalised)
    m = MinHash(num_perm=num_perm, seed=1, scheme=MINHASH_SCHEME,
                permutations=_permutations(num_perm), hashfunc=_identity)
    m.update_batch(_sha1_hash32(grams))
    return m, len(grams)


def signature_bytes(m: MinHash) -> bytes:
    import numpy as np

    return np.asarray(m.hashvalues, dtype=np.uint64).tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures: the share of their 64-bit
    values that are equal. Plain Python over the bytes, no numpy: the daemon's own process
    compares signatures (a new relevant article against its story candidates) and needs numpy
    for nothing else (16 MB of PSS once imported); 128 values compare in a few microseconds."""
    va, vb = memoryview(a).cast("Q"), memoryview(b).cast("Q")
    if len(va) != len(vb) or not len(va):
        return 0.0
    return sum(map(operator.eq, va, vb)) / len(va)


def containment(a: bytes, size_a: int, b: bytes, size_b: int) -> float:
    """Estimated share of the smaller text's shingles found in the other one.

    A reprint with a trimmed tail or a new lede is *contained* in the original even when their
    Jaccard similarity is modest; |A∩B| = J(|A|+|B|)/(1+J) turns the MinHash estimate of J
    into that share."""
    j = similarity(a, b)
    if j <= 0.0 or size_a <= 0 or size_b <= 0:
        return j
    inter = j * (size_a + size_b) / (1.0 + j)
    return min(1.0, inter / min(size_a, size_b))


def story_match(a: bytes, size_a: int, b: bytes, size_b: int, *, threshold: float,
                min_jaccard: float) -> float | None:
    """The containment of two texts when they are one story, else None.

    Two conditions: the shorter text is mostly found in the other (containment >= threshold:
    a reprint with a new lede, a trimmed tail or a word edited in every sentence), and the two
    are of one piece (Jaccard >= min_jaccard): a short report whose opening sentences another,
    much longer text quotes is largely contained in it, yet the two share little of their
    union."""
    j = similarity(a, b)
    if j < min_jaccard:
        return None
    c = containment(a, size_a, b, size_b)
    return c if c >= threshold else None


def band_buckets(signature: bytes, bands: int) -> list[tuple[int, int]]:
    """(band, bucket) pairs: each band of rows (its bytes in the stored signature) hashed to a
    signed 64-bit integer."""
    width = len(signature) // 8 // bands * 8
    view = memoryview(signature)
    return [(band, int.from_bytes(hashlib.blake2b(view[band * width:(band + 1) * width],
                                                  digest_size=8).digest(), "big", signed=True))
            for band in range(bands)]
