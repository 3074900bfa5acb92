"""A message's small markup, rendered for one reader, without a query.

What a member may write: **bold**, *italic*, `code`, web links (http, https, mailto), lists
("- " or "1. " at the start of a line), paragraphs; @handle mentions; #REFERENCE links to a deal
or an invoice. Everything else is text: the body is escaped first, and the result goes through
nh3 with a short list of tags, so neither HTML nor script written in a message survives.

An object link is a link (with its title) only for a reader who may see the object; for another
reader it stays the plain "#REFERENCE" it was typed as.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable

import nh3

ALLOWED_TAGS = {"strong", "em", "code", "a", "ul", "ol", "li", "p", "br", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "target", "class"}, "span": {"class"}}

MENTION_RE = re.compile(r"(?<![\w@.+-])@([a-z0-9][a-z0-9._+-]*[a-z0-9]|[a-z0-9])", re.IGNORECASE)
REFERENCE_RE = re.compile(r"(?<![\w#/])#([A-Za-z][A-Za-z0-9_+/-]{1,28}[0-9])\b")
URL_RE = re.compile(r"\b(?:https?://|mailto:)[^\s<>\"']+[^\s<>\"'.,;:!?)]", re.IGNORECASE)
BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
EM_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
CODE_RE = re.compile(r"`([^`]+)`")
BULLET_RE = re.compile(r"^\s*[-*]\s+(.*)$")
NUMBERED_RE = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")


def handle_of(email: str) -> str:
    """A member's @handle: the part of their email before the @, lower case."""
    return (email or "").split("@", 1)[0].lower()


def mention_handles(body: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(body or ""):
        seen.setdefault(match.group(1).lower(), None)
    return list(seen)


def references(body: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in REFERENCE_RE.finditer(body or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)


def _inline(text: str, *, links: dict[str, dict], visible: Callable[[dict], bool], me: str) -> str:
    """One line (already escaped): URLs kept whole, the rest formatted."""
    out = []
    position = 0
    for match in URL_RE.finditer(text):
        out.append(_format(text[position:match.start()], links=links, visible=visible, me=me))
        url = match.group(0)
        out.append(f'<a href="{url}" target="_blank">{url}</a>')
        position = match.end()
    out.append(_format(text[position:], links=links, visible=visible, me=me))
    return "".join(out)


def _format(text: str, *, links: dict[str, dict], visible: Callable[[dict], bool], me: str) -> str:
    text = CODE_RE.sub(r"<code>\1</code>", text)
    text = BOLD_RE.sub(r"<strong>\1</strong>", text)
    text = EM_RE.sub(r"<em>\1</em>", text)

    def reference(match: re.Match) -> str:
        link = links.get(match.group(1))
        if link is None or not visible(link):
            return match.group(0)
        title = html.escape(link.get("title", ""), quote=True)
        url = html.escape(link.get("url", ""), quote=True)
        return f'<a href="{url}" title="{title}" class="chat-object-link">#{match.group(1)}</a>'

    def mention(match: re.Match) -> str:
        css = "chat-mention chat-mention-me" if match.group(1).lower() == me else "chat-mention"
        return f'<span class="{css}">@{match.group(1)}</span>'

    text = REFERENCE_RE.sub(reference, text)
    return MENTION_RE.sub(mention, text)


def render(body: str, *, links: list[dict] | None = None, visible: Callable[[dict], bool] = lambda link: False,
           me: str = "") -> str:
    """The message as safe HTML for one reader (`visible(link)`: may they see that object)."""
    by_ref = {link["ref"]: link for link in (links or []) if "ref" in link}
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def close_paragraph():
        if paragraph:
            blocks.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()

    def close_list():
        nonlocal list_tag
        if items:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{list_tag}>")
            items.clear()
        list_tag = ""

    for raw in (body or "").splitlines():
        line = html.escape(raw, quote=True)
        bullet, numbered = BULLET_RE.match(line), NUMBERED_RE.match(line)
        if bullet or numbered:
            tag = "ul" if bullet else "ol"
            close_paragraph()
            if list_tag and list_tag != tag:
                close_list()
            list_tag = tag
            items.append(_inline((bullet or numbered).group(1), links=by_ref, visible=visible, me=me))
        elif not line.strip():
            close_list()
            close_paragraph()
        else:
            close_list()
            paragraph.append(_inline(line, links=by_ref, visible=visible, me=me))
    close_list()
    close_paragraph()
    return nh3.clean(
        "".join(blocks), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto"},
    )


# Rendered messages kept per process: a thread's page, and one event fanned out to many readers,
# render each message once per variant (the object links the reader may see, whether they are
# mentioned), not once per reader and request. Keyed by content: an edit is another key.
RENDER_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=RENDER_CACHE_SIZE)
def _render_variant(body: str, links: tuple[tuple[str, str, str], ...], me: str) -> str:
    return render(body, links=[{"ref": ref, "title": title, "url": url} for ref, title, url in links],
                  visible=lambda link: True, me=me)


def render_for(body: str, *, links: list[dict] | None, visible: Callable[[dict], bool], me: str) -> str:
    """`render` for one reader, from the per-process cache: the reader decides which of the
    message's object links they see (`visible`, no query) and whether their handle is highlighted;
    messages that mention them or link objects they may not see are other variants of the same
    message."""
    shown = tuple(
        (link["ref"], str(link.get("title", "")), str(link.get("url", "")))
        for link in (links or []) if "ref" in link and visible(link)
    )
    mentioned = me if me and f"@{me}" in (body or "").lower() else ""
    return _render_variant(body or "", shown, mentioned)


def preview(body: str, length: int = 120) -> str:
    """Plain text of a message, on one line, for lists and notifications."""
    text = " ".join((body or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"
