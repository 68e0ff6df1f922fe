"""worker.charset: a page's declared charset is believed only when it reads as text."""

from __future__ import annotations

import pytest

from worker.charset import declared_charset, decode_page
from worker.clean import extract_html

RU = ("Около 600 северокорейских военных погибли в Курской области, сообщила разведка "
      "Южной Кореи. По её оценке, ещё 4 100 человек были ранены или попали в плен. ")


def page(charset: str, text: str = RU * 4, title: str = "Северокорейские военные") -> str:
    return (f'<html><head><meta charset="{charset}"><title>{title}</title>'
            f"</head><body><article><h1>{title}</h1><p>{text}</p>"
            f"<p>{text}</p></article></body></html>")


@pytest.mark.parametrize("declared", ["utf-8", "iso-8859-1", "windows-1252"])
def test_windows_1251_declared_as_something_else_is_read_as_windows_1251(declared: str) -> None:
    data = page(declared).encode("cp1251")
    assert decode_page(data) == page(declared)


def test_the_http_header_is_a_declaration_too() -> None:
    data = page("utf-8").encode("cp1251")
    assert decode_page(data, "text/html; charset=utf-8") == page("utf-8")


def test_a_true_declaration_is_believed() -> None:
    for charset, text in (("koi8-r", RU), ("windows-1252", "Près de 600 soldats tués. " * 20),
                          ("euc-kr", "북한군 600명이 사망했다고 국정원이 밝혔다. " * 20)):
        data = page(charset, text, text[:20]).encode(charset)
        assert decode_page(data) == page(charset, text, text[:20])


def test_utf8_wins_over_a_single_byte_declaration() -> None:
    assert decode_page(page("windows-1251").encode("utf-8")) == page("windows-1251")


def test_undecodable_bytes_still_give_text() -> None:
    assert isinstance(decode_page(b"\xff\xfe\x00\x81<html>\x9d</html>"), str)


def test_declared_charset() -> None:
    assert declared_charset(b"<meta charset='KOI8-R'>") == "koi8-r"
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; '
                            b'charset=windows-1251">') == "cp1251"
    assert declared_charset(b"<meta charset=nonsense>") is None
    assert declared_charset(b"", "text/html; charset=UTF-8") == "utf-8"


def test_extracted_title_and_text_are_not_mojibake() -> None:
    ext = extract_html(page("utf-8").encode("cp1251"))
    assert ext.title == "Северокорейские военные"
    assert "северокорейских военных погибли" in ext.text
