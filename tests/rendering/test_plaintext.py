"""Plain text of rendered portal fragments."""

from __future__ import annotations

from service.rendering.plaintext import html_to_text


def test_tags_go_entities_decode_and_paragraphs_stay() -> None:
    fragment = (
        "<h2>Aviso</h2>\n<p>Saldo: 1.234,50&nbsp;€ &amp; más&lt;script&gt;</p>"
        "<ul><li>uno</li><li>dos</li></ul><script>alert(1)</script><p>a<br>b</p>"
    )
    assert html_to_text(fragment) == (
        "Aviso\n\nSaldo: 1.234,50\u00a0€ & más<script>\n\n- uno\n- dos\n\na\nb"
    )
