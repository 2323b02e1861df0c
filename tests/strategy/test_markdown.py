"""Markdown in long text fields: rendered, and sanitised so nothing executable survives."""

from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString

from strategy.markdown import render_markdown

EXECUTABLE_TAGS = {"script", "iframe", "svg", "img", "style", "object", "embed", "form", "math", "details", "base",
                   "link", "meta"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcset"}
SAFE_SCHEMES = ("http://", "https://", "mailto:")


class Inspector(HTMLParser):
    """Collects every tag and attribute of the rendered HTML, as a browser would see them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_nothing_executable(html: str) -> None:
    for tag, attrs in Inspector(html).tags:
        assert tag not in EXECUTABLE_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name != "style", html
            if name in URL_ATTRIBUTES:
                assert (value or "").strip().lower().startswith(SAFE_SCHEMES), html


def links(html: str) -> list[dict]:
    return [attrs for tag, attrs in Inspector(html).tags if tag == "a"]


# --- rendering --------------------------------------------------------------


def test_emphasis_renders():
    assert render_markdown("**bold**, *emphasis* and `code`") == (
        "<p><strong>bold</strong>, <em>emphasis</em> and <code>code</code></p>")


def test_bulleted_and_numbered_lists_render():
    html = render_markdown("- one\n- two\n\n1. first\n2. second")
    assert [tag for tag, _attrs in Inspector(html).tags] == ["ul", "li", "li", "ol", "li", "li"]
    assert "<li>two</li>" in html
    assert "<li>second</li>" in html


def test_headings_quotes_and_code_blocks_render():
    html = render_markdown("## Why\n\n> Customers said so\n\n```\nx = 1\n```")
    assert "<h2>Why</h2>" in html
    assert "<blockquote>" in html
    assert "<pre><code>x = 1\n</code></pre>" in html


def test_links_keep_their_address_and_open_no_window_back_to_us():
    html = render_markdown("See [the research](https://example.com/research) or [mail us](mailto:pm@example.com).")
    assert [(a["href"], a["rel"]) for a in links(html)] == [
        ("https://example.com/research", "noopener noreferrer nofollow"),
        ("mailto:pm@example.com", "noopener noreferrer nofollow"),
    ]


def test_tables_render():
    html = render_markdown("| Segment | Share |\n| --- | --- |\n| Retail | 60% |\n| Wholesale | 40% |")
    tags = [tag for tag, _attrs in Inspector(html).tags]
    assert tags[:2] == ["table", "thead"]
    assert tags.count("tr") == 3
    assert "<th>Segment</th>" in html
    assert "<td>Wholesale</td>" in html


def test_table_column_alignment_survives():
    html = render_markdown("| Segment | Share |\n| :-- | --: |\n| Retail | 60% |")
    assert '<td align="right">60%</td>' in html


def test_code_shows_html_as_text():
    html = render_markdown("`<b>not bold</b>`\n\n```\n<script>alert(1)</script>\n```")
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_nothing_executable(html)


@pytest.mark.parametrize("empty", ["", None])
def test_empty_input_renders_nothing(empty):
    html = render_markdown(empty)
    assert html == ""
    assert isinstance(html, SafeString)


def test_the_output_is_marked_safe_for_templates():
    assert isinstance(render_markdown("**x**"), SafeString)


# --- sanitising -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<script>alert(1)</script>", id="script-block"),
        pytest.param("Hello <script>alert(document.cookie)</script> world", id="inline-script"),
        pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
        pytest.param("![pic](https://example.com/x.png)", id="markdown-image"),
        pytest.param('<a href="javascript:alert(1)">click</a>', id="html-javascript-link"),
        pytest.param('<a href="JaVaScRiPt:alert(1)">click</a>', id="mixed-case-javascript-link"),
        pytest.param('<a href=" javascript:alert(1)">click</a>', id="padded-javascript-link"),
        pytest.param("[x](javascript:alert(1))", id="markdown-javascript-link"),
        pytest.param("[x](java&#x09;script:alert(1))", id="entity-obfuscated-javascript-link"),
        pytest.param('<iframe src="https://evil.example"></iframe>', id="iframe"),
        pytest.param("<svg onload=alert(1)><circle r=1 /></svg>", id="svg-onload"),
        pytest.param('<p style="background:url(javascript:alert(1))">styled</p>', id="style-attribute"),
        pytest.param("<style>body { display: none }</style>", id="style-element"),
        pytest.param("[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", id="markdown-data-url"),
        pytest.param('<a href="data:text/html,<script>alert(1)</script>">d</a>', id="html-data-url"),
        pytest.param("<a href='https://example.com' onclick='alert(1)' target=_blank>x</a>", id="onclick-on-a-link"),
        pytest.param("<details open ontoggle=alert(1)>x</details>", id="details-ontoggle"),
        pytest.param('<form action="javascript:alert(1)"><button>go</button></form>', id="form-action"),
        pytest.param('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', id="mathml-xlink"),
        pytest.param('<object data="evil.swf"></object><embed src="evil.swf">', id="object-and-embed"),
        pytest.param('<base href="https://evil.example/">', id="base-href"),
        pytest.param("**Plan**\n\n<script>alert(1)</script>\n\n- step", id="script-between-markdown"),
    ],
)
def test_nothing_executable_survives(text):
    html = render_markdown(text)
    assert_nothing_executable(html)
    assert "alert" not in html
    assert "javascript" not in html.lower()


def test_a_link_with_a_bad_scheme_keeps_its_text_but_loses_its_address():
    html = render_markdown("[x](javascript:alert(1))")
    assert links(html) == [{"rel": "noopener noreferrer nofollow"}]
    assert ">x</a>" in html


def test_a_links_safe_address_survives_while_its_handler_is_dropped():
    html = render_markdown("<a href='https://example.com' onclick='alert(1)' target=_blank>x</a>")
    assert links(html) == [{"href": "https://example.com", "rel": "noopener noreferrer nofollow"}]


def test_text_around_dangerous_markup_is_kept():
    html = render_markdown("**Plan** <img src=x onerror=alert(1)> for *Q3*")
    assert html == "<p><strong>Plan</strong>  for <em>Q3</em></p>"
