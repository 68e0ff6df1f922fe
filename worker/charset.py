"""Pure: the bytes of a page -> its text, in the charset it is really written in.

Pages lie about their charset: a Russian page in windows-1251 declared as UTF-8 read as
declared is mojibake, its topic words are never found and the page would be kept as
irrelevant for good. So the declaration (HTTP header, else `<meta charset>` or
`<meta http-equiv>`) is believed only when the bytes decode cleanly with it and the result
reads as text; otherwise charset-normalizer (which trafilatura already depends on) detects
the charset from the bytes.

Order: valid UTF-8 is UTF-8 whatever is declared (text in a single-byte charset is almost
never valid UTF-8); then the declared charset if it decodes strictly and the text is not a
mess (charset-normalizer's mess ratio); then the detected charset; then UTF-8 with
replacement characters, so a page always decodes.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

# A mess ratio above this is mojibake (Cyrillic read as Latin-1 scores > 1; real text ~0).
MESS_LIMIT = 0.2
SNIFF_BYTES = 64 * 1024  # enough text to judge; detection on a whole 10 MB page is slow

_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def codec_name(name: str | None) -> str | None:
    """Python's canonical name of a declared charset, or None if it is unknown."""
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The codec the HTTP Content-Type, else the page's first `<meta>` charset, names."""
    if content_type:
        m = _HTTP_CHARSET.search(content_type)
        if m and (codec := codec_name(m.group(1))):
            return codec
    meta = _META_CHARSET.search(data[:4096])
    return codec_name(meta.group(1).decode("ascii")) if meta else None


def decode_page(data: bytes, content_type: str | None = None) -> str:
    """The page's text; see the module docstring for the order of trust."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data, content_type)
    if declared and declared not in ("utf-8", "utf-8-sig"):
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            if mess_ratio(text[:SNIFF_BYTES], MESS_LIMIT) < MESS_LIMIT:
                return text
    detected = detect(data)
    if detected:
        return data.decode(detected, errors="replace")
    return data.decode("utf-8", errors="replace")


# The charsets our seven languages are published in besides UTF-8, most used first. When
# charset-normalizer finds several equally clean readings (French in windows-1252 reads as
# cleanly in windows-1250, with è as č), the one in this list wins.
PREFERRED = ("cp1252", "cp1251", "cp949", "euc_kr", "koi8_r", "koi8_u", "iso8859_15",
             "latin_1", "iso8859_5", "mac_cyrillic")


def detect(data: bytes) -> str | None:
    """charset-normalizer's best guess for `data` (its start, when long), as a codec name;
    among equally good guesses, the first of PREFERRED."""
    sample = data if len(data) <= SNIFF_BYTES else data[:SNIFF_BYTES]
    results = from_bytes(sample)
    best = results.best()
    if best is None:
        return None
    tied = [r for r in results
            if r.chaos <= best.chaos + 0.01 and r.coherence >= best.coherence - 0.01]
    for name in PREFERRED:
        want = codec_name(name)
        if any(want in (codec_name(c) for c in r.could_be_from_charset) for r in tied):
            return want
    return codec_name(best.encoding)
