"""HTML: semantic output like Tiptap's `getHTML()`, and forgiving input, sanitized by nh3 (only the
tags and attributes the schema knows, styles only for alignment and colour) then read through
`html.parser`."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import nh3

from .limits import ContentLimits
from .schema import (
    HARD_BREAK,
    IMAGE_ATTRS,
    LINK_ATTRS,
    SAFE_SCHEMES,
    TABLE_CELLS,
    Node,
    inline_events,
    normalise_doc,
    text_node,
)

HTML_MARKS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "s": "strike"}
HTML_MARKS |= {"strike": "strike", "del": "strike", "code": "code", "u": "underline"}
HTML_MARKS |= {"sub": "subscript", "sup": "superscript"}

_HTML_TAGS = {"bold": "strong", "italic": "em", "strike": "s", "code": "code", "underline": "u"}
_HTML_TAGS |= {"subscript": "sub", "superscript": "sup"}
_HTML_CONTAINERS = {"blockquote": "blockquote", "bulletList": "ul", "listItem": "li"}
_HTML_CONTAINERS |= {"table": "table", "tableRow": "tr", "tableCell": "td", "tableHeader": "th"}


def prosemirror_to_html(doc: Node) -> str:
    """The document as semantic HTML, like Tiptap's `editor.getHTML()`: every text escaped,
    links only with safe targets."""
    return "".join(_html_block(block) for block in normalise_doc(doc)["content"])


def html_block(block: Node) -> str:
    """One block (in the schema) as HTML."""
    return _html_block(block)


def _html_block(block: Node) -> str:
    kind = block["type"]
    attrs = block.get("attrs", {})
    content = block.get("content", [])
    if kind == "horizontalRule":
        return "<hr>"
    if kind == "paragraph":
        return f"<p{_html_align(attrs)}>{_html_inline(content)}</p>"
    if kind == "heading":
        tag = f"h{attrs['level']}"
        return f"<{tag}{_html_align(attrs)}>{_html_inline(content)}</{tag}>"
    if kind == "image":
        shown = (f' {key}="{escape(str(attrs[key]))}"' for key in IMAGE_ATTRS if key in attrs)
        return f"<img{''.join(shown)}>"
    if kind == "codeBlock":
        language = attrs.get("language")
        css = f' class="language-{escape(language)}"' if language else ""
        return (
            f"<pre><code{css}>{escape(content[0]['text'] if content else '', False)}</code></pre>"
        )
    inner = "".join(_html_block(child) for child in content)
    if kind == "orderedList":
        start = attrs.get("start", 1)
        return f'<ol start="{start}">{inner}</ol>' if start != 1 else f"<ol>{inner}</ol>"
    if kind == "taskList":
        return f'<ul data-type="taskList">{inner}</ul>'
    if kind == "taskItem":
        checked = "true" if attrs["checked"] else "false"
        return f'<li data-type="taskItem" data-checked="{checked}">{inner}</li>'
    if kind == "table":
        return f"<table><tbody>{inner}</tbody></table>"
    tag = _HTML_CONTAINERS[kind]
    return f"<{tag}{_html_cell(attrs) if kind in TABLE_CELLS else ''}>{inner}</{tag}>"


def _html_align(attrs: Node) -> str:
    return f' style="text-align: {attrs["textAlign"]}"' if "textAlign" in attrs else ""


def _html_cell(attrs: Node) -> str:
    """A cell's spans (when not 1), column widths and alignment, as Tiptap writes them."""
    shown = [f' {key}="{attrs[key]}"' for key in ("colspan", "rowspan") if attrs[key] != 1]
    if "colwidth" in attrs:
        shown.append(f' colwidth="{",".join(str(width) for width in attrs["colwidth"])}"')
    if "align" in attrs:
        shown.append(f' style="text-align: {attrs["align"]}"')
    return "".join(shown)


def _html_inline(content: list[Node]) -> str:
    parts = []
    for kind, value in inline_events(content, move_whitespace=False):
        if kind in ("text", "code"):
            parts.append(escape(value, quote=False))
        elif kind == "break":
            parts.append("<br>")
        elif value["type"] in _HTML_TAGS:
            parts.append(f"<{'/' if kind == 'close' else ''}{_HTML_TAGS[value['type']]}>")
        elif value["type"] != "link":
            parts.append(_html_colour_mark(value, kind == "close"))
        elif kind == "close":
            parts.append("</a>")
        else:
            attrs = value["attrs"]
            shown = [f' {key}="{escape(attrs[key])}"' for key in LINK_ATTRS if attrs.get(key)]
            parts.append(f"<a{''.join(shown)}>")
    return "".join(parts)


def mark_html(mark: Node, close: bool) -> str:
    """The tag that opens or closes a mark other than a link."""
    if mark["type"] in _HTML_TAGS:
        return f"<{'/' if close else ''}{_HTML_TAGS[mark['type']]}>"
    return _html_colour_mark(mark, close)


def _html_colour_mark(mark: Node, close: bool) -> str:
    """Text colour as a span, a highlight as a mark, with its colour as Tiptap writes it."""
    if mark["type"] == "textStyle":
        return "</span>" if close else f'<span style="color: {mark["attrs"]["color"]}">'
    if close:
        return "</mark>"
    if colour := mark.get("attrs", {}).get("color"):
        return f'<mark data-color="{colour}" style="background-color: {colour}">'
    return "<mark>"


# --- HTML input -----------------------------------------------------------------------------

_HTML_BLOCKS = {"p": "paragraph", "blockquote": "blockquote", "ul": "bulletList"}
_HTML_BLOCKS |= {"ol": "orderedList", "li": "listItem", "pre": "codeBlock", "hr": "horizontalRule"}
_HTML_BLOCKS |= {f"h{level}": "heading" for level in range(1, 7)}
_HTML_BLOCKS |= {"table": "table", "tr": "tableRow", "td": "tableCell", "th": "tableHeader"}
# Parts of a table that hold its rows: their content is the table's.
_HTML_TABLE_PARTS = frozenset({"thead", "tbody", "tfoot"})


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


# Block-level tags the schema lacks: their content stays, as blocks of their own.
_HTML_SECTIONS = _tags(
    "address article aside caption center details dialog dd div dl dt fieldset figcaption figure"
    " footer form header hgroup main nav section summary"
)
HTML_DROPPED = _tags("script style template head title noscript iframe object svg math colgroup")
_HTML_VOID = _tags("area base br col embed hr img input link meta source track wbr")


class _Element:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Element | str] = []


class _TreeBuilder(HTMLParser):
    """A forgiving HTML tree: stray end tags are ignored, `<p>` and `<li>` close implicitly.

    Raises ContentTooDeep for elements nested more than `max_depth` deep: the tree is walked by
    recursion, and the schema could not hold such nesting anyway.
    """

    def __init__(self, max_depth: int) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", {})
        self.stack = [self.root]
        self.max_depth = max_depth

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_BLOCKS or tag in _HTML_SECTIONS or tag in _HTML_TABLE_PARTS:
            if self.stack[-1].tag == "p":
                self.stack.pop()
            if tag == "li":
                self._close_open_item()
        element = self._add(tag, attrs)
        if tag not in _HTML_VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add(tag, attrs)

    def _add(self, tag: str, attrs: list[tuple[str, str | None]]) -> _Element:
        if len(self.stack) > self.max_depth:  # the root is not an element
            raise ContentLimits.current().too_deep("The HTML")
        element = _Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        return element

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def _close_open_item(self) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag in ("ul", "ol"):
                return
            if self.stack[index].tag == "li":
                del self.stack[index:]
                return


def parse_html(source: str, max_depth: int) -> _Element:
    """The element tree of `source` (see _TreeBuilder), elements at most `max_depth` deep."""
    builder = _TreeBuilder(max_depth)
    builder.feed(source)
    builder.close()
    return builder.root


# What nh3 lets through: the tags the schema knows (and block-level ones, whose content stays as
# blocks of their own), with the attributes it reads. Styles keep only alignment and colours,
# whose values the schema checks again (see safe_colour).
_ALLOWED_ATTRIBUTES = {
    "a": set(LINK_ATTRS),
    "ol": {"start"},
    "ul": {"data-type"},
    "li": {"data-type", "data-checked"},
    "code": {"class"},
    "img": set(IMAGE_ATTRS),
    "td": {"colspan", "rowspan", "colwidth", "data-colwidth", "style", "align"},
    "th": {"colspan", "rowspan", "colwidth", "data-colwidth", "style", "align"},
    "p": {"style", "data-text-align"},
    "span": {"style"},
    "mark": {"style", "data-color"},
} | {f"h{level}": {"style", "data-text-align"} for level in range(1, 7)}
_ALLOWED_TAGS = (
    set(_HTML_BLOCKS)
    | set(HTML_MARKS)
    | _HTML_SECTIONS
    | _HTML_TABLE_PARTS
    | _ALLOWED_ATTRIBUTES.keys()
) | {"br"}
_STYLES = {"text-align", "color", "background-color"}
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def sanitize_html(source: str) -> str:
    """`source` with only what the schema can hold (see _ALLOWED_ATTRIBUTES): no scripts, no
    event handlers, no URLs of other schemes than links may have, no other styles."""
    return nh3.clean(
        _SURROGATE.sub("\ufffd", source),  # nh3 takes only what UTF-8 can encode
        tags=_ALLOWED_TAGS,
        clean_content_tags=set(HTML_DROPPED),
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=set(SAFE_SCHEMES),
        link_rel=None,
        filter_style_properties=_STYLES,
    )


def sanitized_tree(source: str, max_depth: int) -> _Element:
    """The element tree of `source` once sanitized (see sanitize_html), elements at most
    `max_depth` deep. The source is measured first: nh3 would build any depth it is given."""
    parse_html(source, max_depth)
    return parse_html(sanitize_html(source), max_depth)


def html_to_prosemirror(source: str) -> Node:
    """HTML as a document. Whitespace collapses as in a browser; unknown tags are unwrapped
    (their text kept), `<script>`, `<style>` and the like dropped with their content, links with
    unsafe targets unwrapped, images with unsafe sources replaced by their alt text. Raises
    ContentTooDeep for elements nested deeper than the limit (see ContentLimits)."""
    tree = sanitized_tree(source, ContentLimits.current().max_depth)
    return normalise_doc({"type": "doc", "content": html_nodes(tree.children, [], pre=False)})


def html_nodes(children: list[_Element | str], marks: list[Node], pre: bool) -> list[Node]:
    """The content of a block-level element; outside `<pre>` its whitespace is collapsed."""
    nodes = _html_content(children, marks, pre)
    return nodes if pre else _collapse_whitespace(nodes)


def _html_content(children: list[_Element | str], marks: list[Node], pre: bool) -> list[Node]:
    nodes: list[Node] = []
    for child in children:
        if isinstance(child, str):
            nodes.append(text_node(child, marks))
        elif child.tag == "br":
            nodes.append(HARD_BREAK)
        elif child.tag == "img":
            attrs = {key: child.attrs.get(key) for key in IMAGE_ATTRS if child.attrs.get(key)}
            nodes.append({"type": "image", "attrs": attrs})
        elif child.tag in _HTML_TABLE_PARTS:
            nodes.extend(_html_content(child.children, marks, pre))
        elif child.tag in _HTML_BLOCKS:
            nodes.append(_html_block_node(child, marks, pre))
        elif child.tag in _HTML_SECTIONS:
            nodes.append({"type": "section", "content": html_nodes(child.children, marks, pre)})
        elif child.tag not in HTML_DROPPED:
            nodes.extend(_html_content(child.children, marks + html_mark(child), pre))
    return nodes


def _html_block_node(element: _Element, marks: list[Node], pre: bool) -> Node:
    kind = _HTML_BLOCKS[element.tag]
    data_type = element.attrs.get("data-type")
    if kind == "bulletList" and data_type == "taskList":
        kind = "taskList"
    elif kind == "listItem" and data_type == "taskItem":
        kind = "taskItem"
    node: Node = {
        "type": kind,
        "content": html_nodes(element.children, marks, pre or kind == "codeBlock"),
    }
    if kind in ("paragraph", "heading"):
        # The editor writes data-text-align (its pages allow no style attribute).
        align = element.attrs.get("data-text-align") or _style(element).get("text-align")
        node["attrs"] = {"textAlign": align}
        if kind == "heading":
            node["attrs"]["level"] = int(element.tag[1])
    elif kind == "taskItem":
        node["attrs"] = {"checked": element.attrs.get("data-checked") == "true"}
    elif kind in ("tableCell", "tableHeader"):
        given = element.attrs.get("colwidth") or element.attrs.get("data-colwidth") or ""
        widths = given.split(",")
        node["attrs"] = {
            "colspan": element.attrs.get("colspan"),
            "rowspan": element.attrs.get("rowspan"),
            "colwidth": widths if all(w.strip().isdigit() for w in widths) else None,
            "align": _style(element).get("text-align") or element.attrs.get("align"),
        }
    elif kind == "orderedList":
        node["attrs"] = {"start": element.attrs.get("start") or 1}
    elif kind == "codeBlock":
        first = next((c for c in element.children if isinstance(c, _Element)), None)
        classes = (first.attrs.get("class") or "").split() if first else []
        languages = [c.removeprefix("language-") for c in classes if c.startswith("language-")]
        node["attrs"] = {"language": languages[0] if languages else ""}
        # A newline that opens a <pre> is gone already: nh3 parses as browsers do.
    return node


def _style(element: _Element) -> dict[str, str]:
    """The element's style declarations (what nh3 left of them), by property."""
    declarations = (part.partition(":") for part in (element.attrs.get("style") or "").split(";"))
    return {name.strip().lower(): value.strip() for name, _, value in declarations if value}


def html_mark(element: _Element) -> list[Node]:
    if element.tag in HTML_MARKS:
        return [{"type": HTML_MARKS[element.tag]}]
    if element.tag == "a" and element.attrs.get("href"):
        attrs = {k: v for k, v in element.attrs.items() if k in LINK_ATTRS and isinstance(v, str)}
        return [{"type": "link", "attrs": attrs}]
    if element.tag == "span" and (colour := _style(element).get("color")):
        return [{"type": "textStyle", "attrs": {"color": colour}}]
    if element.tag == "mark":
        colour = element.attrs.get("data-color") or _style(element).get("background-color")
        return [{"type": "highlight", "attrs": {"color": colour}}]
    return []


def _collapse_whitespace(nodes: list[Node]) -> list[Node]:
    """Runs of HTML whitespace become one space; none at the edges of a line or block."""
    out: list[Node] = []
    at_edge = True
    for node in nodes:
        if node["type"] != "text":
            _strip_trailing_space(out)
            out.append(node)
            at_edge = True
            continue
        text = re.sub(r"[ \t\n\r\f]+", " ", node["text"])
        if at_edge or (out and out[-1]["type"] == "text" and out[-1]["text"].endswith(" ")):
            text = text.lstrip(" ")
        if text:
            out.append({**node, "text": text})
            at_edge = False
    _strip_trailing_space(out)
    return out


def _strip_trailing_space(nodes: list[Node]) -> None:
    """Strip the space that ends a line, dropping the text nodes it empties.

    Only the trailing ones can empty: every text node is appended non-empty, and the space it
    ends with is all that a later strip takes. So this costs as much as it removes.
    """
    while nodes and nodes[-1]["type"] == "text":
        nodes[-1]["text"] = nodes[-1]["text"].rstrip(" ")
        if nodes[-1]["text"]:
            return
        nodes.pop()
