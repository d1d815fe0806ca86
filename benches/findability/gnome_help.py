#!/usr/bin/env python3
"""Generate the GNOME-help evaluation corpus: a Lotse portal built from real German IT help.

Usage: python3 benches/findability/gnome_help.py OUT_DIR [--deb PATH]

Takes the German GNOME desktop help from Debian's `gnome-user-docs` package (CC-BY-SA 3.0),
converts every Mallard topic page into a Lotse article under OUT_DIR/content/desktop/ and writes
OUT_DIR/lotse.yaml and OUT_DIR/LICENSE-CORPUS.txt. The corpus is generated on demand and never
committed (see README.md in this folder). Python 3.11 standard library only.

Without --deb the package is fetched with `apt-get download` into target/corpora/ (reused when
already there); either way it is extracted with `dpkg-deb -x` into target/corpora/.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / "target" / "corpora"
PACKAGE = "gnome-user-docs"
HELP_DIR = Path("usr/share/help/de/gnome-help")
COPYRIGHT_FILE = Path("usr/share/doc/gnome-user-docs/copyright")
PORTAL_TITLE = "GNOME-Hilfe (Evaluationskorpus)"

MAL = "{http://projectmallard.org/1.0/}"
IF = "{http://projectmallard.org/if/1.0/}"
XI = "{http://www.w3.org/2001/XInclude}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

# Conditional processing (Mallard if:test): render what the help viewer shows on a standard GNOME
# desktop, i.e. not GNOME Classic, no install buttons, not the mobile target.
TRUE_TOKENS = {"platform:gnome", "platform:gnome-shell", "target:html", "target:desktop"}

# Elements dropped with everything inside them.
DROP = {"info", "comment", "links", "media"}
# Inline elements rendered as their plain text.
PLAIN_INLINE = {"app", "cmd", "file", "sys", "input", "output", "span", "var", "hi", "name", "email", "date", "years"}
# Block-level element names (in the Mallard namespace).
BLOCKS = {
    "p", "section", "steps", "list", "terms", "tree", "table", "note", "code", "screen",
    "example", "figure", "quote", "title", "subtitle", "item", "synopsis", "div", "links",
    "info", "media", "comment", "desc",
}
# Stands in for a hidden conditional element: carries only its tail text.
TAIL = "{lotse}tail"

unknown: Counter[str] = Counter()


# ---------------------------------------------------------------------------------------------
# getting the package


def run(cmd: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"error: `{' '.join(cmd)}` failed:\n{result.stderr.strip()}")


def get_package(deb: Path | None) -> Path:
    """Returns the folder the package was extracted into."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    if deb is None:
        debs = sorted(CACHE_DIR.glob(f"{PACKAGE}_*.deb"), key=lambda p: p.stat().st_mtime)
        if debs:
            deb = debs[-1]
            print(f"using cached {deb.relative_to(REPO_ROOT)}")
        else:
            print(f"apt-get download {PACKAGE} into {CACHE_DIR.relative_to(REPO_ROOT)}/")
            run(["apt-get", "download", PACKAGE], cwd=CACHE_DIR)
            debs = sorted(CACHE_DIR.glob(f"{PACKAGE}_*.deb"), key=lambda p: p.stat().st_mtime)
            if not debs:
                sys.exit(f"error: apt-get download left no {PACKAGE}_*.deb in {CACHE_DIR}")
            deb = debs[-1]
    elif not deb.is_file():
        sys.exit(f"error: {deb} is not a file")
    extracted = CACHE_DIR / PACKAGE
    if extracted.exists():
        shutil.rmtree(extracted)
    extracted.mkdir()
    run(["dpkg-deb", "-x", str(deb.resolve()), str(extracted)])
    if not (extracted / HELP_DIR).is_dir():
        sys.exit(f"error: {deb} holds no {HELP_DIR}/")
    return extracted


# ---------------------------------------------------------------------------------------------
# Mallard helpers


def local(el: ET.Element) -> str:
    """The element's name without the Mallard namespace; other namespaces stay as {ns}name."""
    tag = el.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag[len(MAL):] if tag.startswith(MAL) else tag


def test_true(expr: str | None) -> bool:
    """Mallard conditional: comma-separated alternatives of space-separated tokens, `!` negates."""
    if expr is None:
        return True
    for alternative in expr.split(","):
        tokens = alternative.split()
        if all((t[1:] not in TRUE_TOKENS) if t.startswith("!") else (t in TRUE_TOKENS) for t in tokens):
            return True
    return False


def visible(el: ET.Element) -> bool:
    return test_true(el.get(f"{IF}test"))


def resolve_conditionals(el: ET.Element) -> list[ET.Element]:
    """The children of `el` as the reader sees them: if:choose/if:if resolved, if:test applied."""
    out: list[ET.Element] = []

    def tail_of(child: ET.Element) -> None:
        if child.tail:
            carrier = ET.Element(TAIL)
            carrier.tail = child.tail
            out.append(carrier)

    for child in el:
        if not isinstance(child.tag, str) or not visible(child):
            tail_of(child)
            continue
        if child.tag == f"{IF}choose":
            # The first true if:when wins; else if:else, or (as in these files) the children of
            # if:choose that are no if:when, which Mallard treats as the fallback.
            chosen = next((b for b in child if b.tag == f"{IF}when" and test_true(b.get("test"))), None)
            if chosen is None:
                chosen = child.find(f"{IF}else")
            if chosen is not None:
                out.extend(resolve_conditionals(chosen))
            else:
                fallback = ET.Element(child.tag)
                fallback.text = child.text
                fallback.extend(b for b in child if b.tag != f"{IF}when")
                out.extend(resolve_conditionals(fallback))
            tail_of(child)
        elif child.tag == f"{IF}if":
            if test_true(child.get("test")):
                out.extend(resolve_conditionals(child))
            tail_of(child)
        else:
            out.append(child)
    return out


def collapse(text: str) -> str:
    # Only ASCII whitespace: no-break spaces in the translation are meant.
    return re.sub(r"[ \t\r\n]+", " ", text)


def plain_text(el: ET.Element) -> str:
    """Text content for front matter: media and conditionals resolved, no Markdown."""
    parts: list[str] = [el.text or ""]
    for child in resolve_conditionals(el):
        if child.tag == TAIL:
            pass
        elif local(child) == "media":
            parts.append(collapse("".join(child.itertext())))
        elif local(child) not in DROP:
            parts.append(plain_text(child))
            parts.append(child.tail or "")
    return collapse("".join(parts)).strip()


class Pages:
    """All pages of the help, parsed once (for XIncludes into other pages and link titles)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.cache: dict[str, ET.Element | None] = {}

    def get(self, page_id: str) -> ET.Element | None:
        if page_id not in self.cache:
            path = self.folder / f"{page_id}.page"
            self.cache[page_id] = ET.parse(path).getroot() if path.is_file() else None
        return self.cache[page_id]

    def title(self, xref: str, current: str) -> str | None:
        """The text Mallard shows for a link without content: the page's or section's title."""
        page_id, _, section = xref.partition("#")
        root = self.get(page_id or current)
        if root is None:
            return None
        if section:
            target = next((e for e in root.iter() if e.get("id") == section or e.get(XML_ID) == section), None)
            t = target.find(f"{MAL}title") if target is not None else None
            return plain_text(t) if t is not None else None
        info = root.find(f"{MAL}info")
        if info is not None:  # the title Mallard itself uses for links
            for t in info.findall(f"{MAL}title"):
                if t.get("type") == "link" and not t.get("role"):
                    return plain_text(t)
        t = root.find(f"{MAL}title")
        return plain_text(t) if t is not None else None


def expand_includes(el: ET.Element, pages: Pages, source: str) -> None:
    """Replaces XIncludes of elements from other pages (`href=x.page xpointer=id`) by a copy."""
    for i, child in enumerate(list(el)):
        if child.tag == f"{XI}include":
            href, pointer = child.get("href", ""), child.get("xpointer")
            target = None
            if href.endswith(".page") and pointer:
                root = pages.get(href[: -len(".page")])
                if root is not None:
                    target = next((e for e in root.iter() if e.get(XML_ID) == pointer or e.get("id") == pointer), None)
            if target is not None:
                replacement = copy.deepcopy(target)
                replacement.tail = child.tail
                el[i] = replacement
                expand_includes(replacement, pages, source)
            elif href != "legal.xml":
                print(f"warning: {source}: unresolved include {href}#{pointer}", file=sys.stderr)
        elif isinstance(child.tag, str) and local(child) != "info":
            expand_includes(child, pages, source)


# ---------------------------------------------------------------------------------------------
# Markdown output

ESCAPE = re.compile(r"([\\`*_\[\]<>&|~{}#])")


def esc(text: str) -> str:
    """Escapes characters that mean something to CommonMark/GFM anywhere in a line."""
    return ESCAPE.sub(r"\\\1", text)


def esc_line_start(line: str) -> str:
    """Escapes what would start a list, heading, quote, thematic break or setext underline."""
    if re.match(r"[-+=]", line):
        return "\\" + line
    m = re.match(r"(\d{1,9})([.)])", line)
    if m:
        return m.group(1) + "\\" + line[len(m.group(1)):]
    return line


def code_span(text: str) -> str:
    text = collapse(text)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def emphasize(inner: str, marker: str) -> str:
    """`**inner**` when CommonMark will certainly read it as emphasis, else the text as it is."""
    stripped = inner.strip()
    if not stripped:
        return inner
    if not (stripped[0].isalnum() and stripped[-1].isalnum()):
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()):]
    return f"{lead}{marker}{collapse(stripped)}{marker}{trail}"


class Converter:
    def __init__(self, pages: Pages, page_id: str):
        self.pages = pages
        self.page_id = page_id

    # --- inline ------------------------------------------------------------------------------

    def inline(self, el: ET.Element, fmt: bool = True) -> str:
        """The Markdown of an element's inline content (text, children and their tails)."""
        parts = [esc(el.text or "")]
        for child in resolve_conditionals(el):
            parts.append(self.inline_element(child, fmt))
            parts.append(esc(child.tail or ""))
        return "".join(parts)

    def inline_element(self, el: ET.Element, fmt: bool) -> str:
        name = local(el)
        if name in ("gui", "key"):
            inner = self.inline(el, False)
            return emphasize(inner, "**") if fmt else inner
        if name == "keyseq":
            keys = [self.inline(k, False).strip() for k in resolve_conditionals(el)]
            joiner = " " if el.get("type") == "sequence" else "+"
            return emphasize(joiner.join(k for k in keys if k), "**") if fmt else joiner.join(keys)
        if name == "guiseq":
            items = [self.inline(g, False).strip() for g in resolve_conditionals(el)]
            joined = " ▸ ".join(i for i in items if i)
            return emphasize(joined, "**") if fmt else joined
        if name == "em":
            inner = self.inline(el, False)
            marker = "**" if el.get("style") == "strong" else "*"
            return emphasize(inner, marker) if fmt else inner
        if name == "code":
            return code_span("".join(el.itertext())) if fmt else esc("".join(el.itertext()))
        if name == "link":
            text = self.inline(el, fmt)
            if text.strip():
                return text
            if el.get("xref"):
                return esc(self.pages.title(el.get("xref"), self.page_id) or el.get("xref"))
            return esc(el.get("href", ""))
        if name == "media":
            # An icon inside a sentence ("Klicken Sie auf <gui><media…><span>Einstellungen</span>"):
            # its fallback text keeps the sentence whole. Block-level media are dropped.
            # Without a span, the fallback is the media element's own text ("Shutdown").
            return esc(collapse("".join(el.itertext())).strip())
        if name in ("comment", "info", "desc") or name.startswith(XI) or el.tag == TAIL:
            return ""
        if name in PLAIN_INLINE:
            return self.inline(el, fmt)
        unknown[f"inline {name}"] += 1
        return self.inline(el, fmt)

    def para_text(self, el: ET.Element) -> str:
        return collapse(self.inline(el)).strip()

    # --- blocks ------------------------------------------------------------------------------

    def blocks(self, el: ET.Element, level: int, skip_title: bool = True) -> list[list[str]]:
        """Renders the block children of `el`: a list of blocks, each a list of lines."""
        out: list[list[str]] = []
        loose: list[str] = []  # inline content directly in a block container (rare)

        def flush() -> None:
            text = collapse("".join(loose)).strip()
            if text:
                out.append([esc_line_start(text)])
            loose.clear()

        loose.append(esc(el.text or ""))
        for child in resolve_conditionals(el):
            name = local(child)
            if child.tag != TAIL and (name in BLOCKS or name.startswith("{")):
                flush()
                if not (skip_title and name == "title"):
                    out.extend(self.block(child, level))
                loose.append(esc(child.tail or ""))
            else:
                loose.append(self.inline_element(child, True))
                loose.append(esc(child.tail or ""))
        flush()
        return out

    def block(self, el: ET.Element, level: int) -> list[list[str]]:
        name = local(el)
        if name in DROP or name == "desc" or name.startswith("{"):
            if name.startswith("{") and el.tag != TAIL and not name.startswith((XI, "{http://www.w3.org/2005/11/its}")):
                unknown[f"block {name}"] += 1
            return []
        if name == "p":
            text = self.para_text(el)
            return [[esc_line_start(text)]] if text else []
        if name == "section":
            body = self.blocks(el, level + 1)
            title = el.find(f"{MAL}title")
            heading = collapse(self.inline(title, False)).strip() if title is not None else ""
            if heading:
                return [["#" * level + " " + heading]] + body
            return body
        if name in ("title", "subtitle"):
            text = self.para_text(el)
            return [[esc_line_start(emphasize(text, "**"))]] if text else []
        if name in ("steps", "list", "tree"):
            return self.list_block(el, level, ordered=name == "steps")
        if name == "terms":
            return self.terms(el, level)
        if name == "note":
            inner = self.titled(el, level)
            lines = join_blocks(inner)
            return [[("> " + line) if line else ">" for line in lines]] if lines else []
        if name == "quote":
            inner = self.blocks(el, level)
            lines = join_blocks(inner)
            return [[("> " + line) if line else ">" for line in lines]] if lines else []
        if name in ("code", "screen", "synopsis"):
            return [self.fenced(el)]
        if name in ("example", "div", "figure", "item"):
            return self.titled(el, level)
        if name == "table":
            return self.table(el, level)
        unknown[f"block {name}"] += 1
        return self.blocks(el, level)

    def titled(self, el: ET.Element, level: int) -> list[list[str]]:
        """A block container whose <title> (and figure <desc>) become a bold first paragraph."""
        out: list[list[str]] = []
        title = el.find(f"{MAL}title")
        if title is not None:
            text = self.para_text(title)
            if text:
                out.append([esc_line_start(emphasize(text, "**"))])
        out.extend(self.blocks(el, level))
        desc = el.find(f"{MAL}desc")
        if desc is not None and local(el) == "figure":
            text = self.para_text(desc)
            if text:
                out.append([esc_line_start(text)])
        return out

    def fenced(self, el: ET.Element) -> list[str]:
        text = "".join(t for t in self.code_text(el)).strip("\n")
        text = "\n".join(line.rstrip() for line in text.splitlines())
        longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
        fence = "`" * (longest + 1)
        return [fence, *text.splitlines(), fence]

    def code_text(self, el: ET.Element):
        yield el.text or ""
        for child in resolve_conditionals(el):
            if local(child) not in DROP:
                yield from self.code_text(child)
            yield child.tail or ""

    def list_block(self, el: ET.Element, level: int, ordered: bool) -> list[list[str]]:
        out: list[list[str]] = []
        title = el.find(f"{MAL}title")
        if title is not None and self.para_text(title):
            out.append([esc_line_start(emphasize(self.para_text(title), "**"))])
        lines: list[str] = []
        n = 0
        for item in resolve_conditionals(el):
            if local(item) != "item":
                if local(item) not in ("title", "info", "comment") and item.tag != TAIL:
                    unknown[f"in list {local(item)}"] += 1
                continue
            n += 1
            if local(el) == "tree":
                # tree items hold their text directly, subtrees as nested items
                text = collapse(self.inline_no_items(item)).strip()
                body = [[esc_line_start(text)]] if text else []
                sub = [i for i in resolve_conditionals(item) if local(i) == "item"]
                if sub:
                    fake = ET.Element(f"{MAL}tree")
                    fake.extend(sub)
                    body.extend(self.list_block(fake, level, ordered=False))
            else:
                body = self.blocks(item, level, skip_title=False)
            lines.extend(list_item(f"{n}. " if ordered else "- ", body))
        if lines:
            out.append(lines)
        return out

    def inline_no_items(self, el: ET.Element) -> str:
        parts = [esc(el.text or "")]
        for child in resolve_conditionals(el):
            if local(child) != "item":
                parts.append(self.inline_element(child, True))
            parts.append(esc(child.tail or ""))
        return "".join(parts)

    def terms(self, el: ET.Element, level: int) -> list[list[str]]:
        """A definition list: each term in bold, its definition below, as a bulleted list."""
        out: list[list[str]] = []
        title = el.find(f"{MAL}title")
        if title is not None and self.para_text(title):
            out.append([esc_line_start(emphasize(self.para_text(title), "**"))])
        lines: list[str] = []
        for item in resolve_conditionals(el):
            if local(item) != "item":
                continue
            terms = [self.para_text(t) for t in item.findall(f"{MAL}title")]
            body = self.blocks(item, level)
            term = " / ".join(emphasize(t, "**") for t in terms if t)
            if term:
                body = [[esc_line_start(term)]] + body
            lines.extend(list_item("- ", body))
        if lines:
            out.append(lines)
        return out

    def cell(self, td: ET.Element, level: int) -> str:
        lines = join_blocks(self.blocks(td, level))
        text = " ".join(line.strip() for line in lines if line.strip() and not line.startswith("```"))
        # Cells are inline: line-start escapes are harmless mid-line, but pipes must be escaped
        # (esc already did) and list/heading markers cannot occur inside a table row.
        return text

    def table(self, el: ET.Element, level: int) -> list[list[str]]:
        """A table with a <thead> becomes a GFM table; one without, a list of its rows."""
        out: list[list[str]] = []
        title = el.find(f"{MAL}title")
        if title is not None and self.para_text(title):
            out.append([esc_line_start(emphasize(self.para_text(title), "**"))])
        head_rows: list[list[str]] = []
        body_rows: list[list[str]] = []

        def rows(container: ET.Element, into: list[list[str]]) -> None:
            for child in resolve_conditionals(container):
                if local(child) == "tr":
                    into.append([self.cell(td, level) for td in resolve_conditionals(child) if local(td) in ("td", "th")])
                elif local(child) == "thead":
                    rows(child, head_rows)
                elif local(child) == "tbody":
                    rows(child, body_rows)
                elif local(child) not in ("title", "col", "colgroup", "desc"):
                    unknown[f"in table {local(child)}"] += 1

        rows(el, body_rows)
        if head_rows:
            width = max(len(r) for r in head_rows + body_rows)
            pad = lambda r: r + [""] * (width - len(r))  # noqa: E731
            lines = ["| " + " | ".join(pad(head_rows[0])) + " |", "|" + "---|" * width]
            for r in head_rows[1:] + body_rows:
                lines.append("| " + " | ".join(pad(r)) + " |")
            out.append(lines)
        elif body_rows:
            lines = []
            for r in body_rows:
                cells = [c for c in r if c]
                if not cells:
                    continue
                first = emphasize(cells[0], "**") if len(cells) > 1 else cells[0]
                lines.append("- " + esc_line_start(": ".join([first, " – ".join(cells[1:])]) if len(cells) > 1 else first))
            if lines:
                out.append(lines)
        return out


def list_item(marker: str, body: list[list[str]]) -> list[str]:
    lines = join_blocks(body) or [""]
    indent = " " * len(marker)
    first, rest = lines[0], lines[1:]
    return [marker + first] + [(indent + line) if line else "" for line in rest]


def join_blocks(blocks: list[list[str]]) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if not block:
            continue
        if lines:
            lines.append("")
        lines.extend(block)
    return lines


# ---------------------------------------------------------------------------------------------
# the portal


def convert_page(path: Path, pages: Pages) -> tuple[str, str] | None:
    """Returns (slug, Markdown file content), or None for pages that are not topics."""
    root = pages.get(path.stem)
    assert root is not None
    if root.get("type") != "topic":
        return None
    root = copy.deepcopy(root)
    expand_includes(root, pages, path.name)
    title_el = root.find(f"{MAL}title")
    title = plain_text(title_el) if title_el is not None else path.stem
    info = root.find(f"{MAL}info")
    desc = info.find(f"{MAL}desc") if info is not None else None
    summary = plain_text(desc) if desc is not None else ""

    conv = Converter(pages, path.stem)
    body = join_blocks(conv.blocks(root, 2))
    front = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    if summary:
        front.append(f"summary: {json.dumps(summary, ensure_ascii=False)}")
    front.append("---")
    return path.stem.lower(), "\n".join(front) + "\n\n" + "\n".join(body).rstrip() + "\n"


def credits(pages: list[ET.Element]) -> tuple[list[str], list[str]]:
    authors: dict[str, None] = {}
    translators: dict[str, None] = {}
    for root in pages:
        info = root.find(f"{MAL}info")
        if info is None:
            continue
        for credit in info.findall(f"{MAL}credit"):
            name = credit.find(f"{MAL}name")
            if name is None or not (name.text or "").strip():
                continue
            target = translators if "translator" in credit.get("type", "") else authors
            target[collapse(name.text).strip()] = None
    return list(authors), list(translators)


def write_config(out: Path) -> None:
    (out / "lotse.yaml").write_text(
        "# Generated by benches/findability/gnome_help.py: the German GNOME desktop help\n"
        "# (Debian package gnome-user-docs, CC-BY-SA 3.0) as a Lotse portal. Do not commit.\n"
        f"title: {json.dumps(PORTAL_TITLE, ensure_ascii=False)}\n"
        "description: Die deutsche GNOME-Hilfe als Evaluationskorpus für die Suche.\n"
        "language: de\n"
        "base_url: https://example.org/\n"
        "platforms:\n"
        "  - id: desktop\n"
        "    name: Desktop\n"
        "    description: Die GNOME-Arbeitsumgebung\n"
        "    icon: general\n"
        "    order: 10\n",
        encoding="utf-8",
    )


def write_license(out: Path, extracted: Path, version: str, authors: list[str], translators: list[str]) -> None:
    copyright_lines = []
    copyright_file = extracted / COPYRIGHT_FILE
    if copyright_file.is_file():
        for line in copyright_file.read_text(encoding="utf-8").splitlines():
            if line.startswith("Copyright:"):
                copyright_lines.append(line[len("Copyright:"):].strip())
    text = [
        "GNOME-Hilfe (Evaluationskorpus)",
        "",
        "The articles in content/desktop/ are converted from the German translation of the GNOME",
        f"desktop help (\"gnome-help\"), Debian package {PACKAGE} {version},",
        "https://download.gnome.org/sources/gnome-user-docs/ . They were converted from Mallard to",
        "Markdown by benches/findability/gnome_help.py (images, links and page structure removed or",
        "simplified) for evaluating the search of Lotse. They are not part of Lotse.",
        "",
        "Licence: Creative Commons Attribution-ShareAlike 3.0 Unported (CC-BY-SA 3.0),",
        "https://creativecommons.org/licenses/by-sa/3.0/ . The converted articles are an adaptation",
        "and are under the same licence.",
        "",
        "Copyright (from the package's copyright file):",
        *[f"  {line}" for line in copyright_lines],
        "",
        "Authors and editors credited in the converted pages:",
        *[f"  {name}" for name in authors],
        "",
        "German translation:",
        *[f"  {name}" for name in translators],
        "",
    ]
    (out / "LICENSE-CORPUS.txt").write_text("\n".join(text), encoding="utf-8")


def package_version(extracted: Path) -> str:
    changelog = extracted / "usr/share/doc/gnome-user-docs/changelog.Debian.gz"
    if changelog.is_file():
        import gzip

        with gzip.open(changelog, "rt", encoding="utf-8") as f:
            m = re.match(r"\S+ \(([^)]+)\)", f.readline())
            if m:
                return m.group(1)
    return "(unknown version)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path, help="the portal folder to write")
    parser.add_argument("--deb", type=Path, help=f"a downloaded {PACKAGE} .deb (default: apt-get download)")
    args = parser.parse_args()

    out: Path = args.out_dir
    config = out / "lotse.yaml"
    if config.exists() and PORTAL_TITLE not in config.read_text(encoding="utf-8"):
        sys.exit(f"error: {config} belongs to another portal; choose an empty or new OUT_DIR")

    extracted = get_package(args.deb)
    help_dir = extracted / HELP_DIR
    pages = Pages(help_dir)

    target = out / "content" / "desktop"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)

    converted, skipped = 0, 0
    converted_roots = []
    for path in sorted(help_dir.glob("*.page")):
        result = convert_page(path, pages)
        if result is None:
            skipped += 1
            continue
        slug, markdown = result
        (target / f"{slug}.md").write_text(markdown, encoding="utf-8")
        converted += 1
        converted_roots.append(pages.get(path.stem))

    write_config(out)
    authors, translators = credits(converted_roots)
    write_license(out, extracted, package_version(extracted), authors, translators)
    for what, n in sorted(unknown.items()):
        print(f"warning: unhandled Mallard element {what} ({n}x), rendered as text", file=sys.stderr)
    print(f"converted {converted} pages into {target}, skipped {skipped} (not type=\"topic\")")


if __name__ == "__main__":
    main()
