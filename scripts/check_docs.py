#!/usr/bin/env python3
"""Keeps the Simplified Chinese pages in step with the English ones.

Every English page that must have a counterpart (README.md, docs/admin-console.md and each
docs/integration/*.md) is compared with its `.zh-CN.md` twin: the twin exists, each page links to
the other, both have the same number of headings at each level in the same order, the same fenced
code blocks (identical, in order), and the same link targets once `.zh-CN.md` is read as `.md` (a
link into a page with a Chinese twin must point at that twin, and its `#fragment` at the same
section, each page using its own headings); every relative link of either page resolves to an
existing file, and its fragment to a heading of the target. A `.zh-CN.md` page without an English
page fails too.

Prints `FAIL …` for each failed check and ends with `docs: N passed, M failed`; exits 1 on any
failure. Plain Python 3, no third-party packages. Usage: check_docs.py [REPOSITORY_ROOT]
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ZH = ".zh-CN.md"

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
INLINE_LINK = re.compile(r"!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]+)>")
REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HTML_ANCHOR = re.compile(r"<a\s+[^>]*(?:id|name)=\"([^\"]+)\"", re.IGNORECASE)
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass
class Page:
    """What the checks compare of one Markdown page."""

    path: Path
    headings: list[tuple[int, str]] = field(default_factory=list)
    code_blocks: list[tuple[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)


def slug_base(text: str) -> str:
    """GitHub's heading anchor: the rendered text lower-cased, punctuation and symbols dropped
    (letters of any script, digits, marks, `-` and `_` kept), spaces turned into hyphens."""
    text = CODE_SPAN.sub(lambda m: m.group(2), text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    kept = []
    for ch in text.strip().lower():
        category = unicodedata.category(ch)
        if ch in "-_ " or category[0] in "LNM":
            kept.append(ch)
    return "".join(kept).replace(" ", "-")


def parse(path: Path) -> Page:
    page = Page(path)
    fence: tuple[str, int, int] | None = None  # (char, length, indent) of the open fence
    info = ""
    body: list[str] = []
    seen: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        if fence is not None:
            m = FENCE.match(line)
            if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= fence[1] and not m.group(3).strip():
                page.code_blocks.append((info, "\n".join(body)))
                fence = None
                continue
            indent = fence[2]
            stripped = len(line) - len(line.lstrip(" "))
            body.append(line[min(indent, stripped):])
            continue
        m = FENCE.match(line)
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            fence = (m.group(2)[0], len(m.group(2)), len(m.group(1)))
            info, body = m.group(3).strip(), []
            continue
        h = HEADING.match(line)
        if h:
            level, text = len(h.group(1)), h.group(2)
            page.headings.append((level, text))
            base = slug_base(text)
            anchor = base if seen[base] == 0 else f"{base}-{seen[base]}"
            seen[base] += 1
            page.anchors.append(anchor)
        page.anchors.extend(HTML_ANCHOR.findall(line))
        text = CODE_SPAN.sub(lambda m: "x" * len(m.group(0)), line)
        page.links.extend(m.group(2) for m in INLINE_LINK.finditer(text))
        page.links.extend(AUTOLINK.findall(text))
        r = REFERENCE_DEF.match(text)
        if r:
            page.links.append(r.group(1))
    if fence is not None:
        page.code_blocks.append((info, "\n".join(body) + "\n<unclosed fence>"))
    return page


class Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.passed = 0
        self.failed = 0
        self.pages: dict[Path, Page] = {}

    def page(self, path: Path) -> Page:
        path = path.resolve()
        if path not in self.pages:
            self.pages[path] = parse(path)
        return self.pages[path]

    def rel(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def check(self, ok: bool, what: str, details: list[str] | None = None) -> None:
        if ok:
            self.passed += 1
            return
        self.failed += 1
        print(f"FAIL {what}")
        for line in details or []:
            print(f"     {line}")

    # Links -------------------------------------------------------------------------------------

    def resolve(self, page: Page, target: str) -> tuple[Path | None, str]:
        """The file a relative link points at (None for an external one) and its fragment."""
        if EXTERNAL.match(target) or target.startswith("//"):
            return None, ""
        path_part, _, fragment = target.partition("#")
        path_part = path_part.split("?", 1)[0]
        file = page.path if path_part == "" else (page.path.parent / path_part)
        return file.resolve(), fragment

    def broken_links(self, page: Page) -> list[str]:
        broken = []
        for target in page.links:
            file, fragment = self.resolve(page, target)
            if file is None:
                continue
            if not file.exists():
                broken.append(f"{target}: no such file")
            elif fragment and file.suffix == ".md" and file.is_file():
                if fragment not in self.page(file).anchors:
                    broken.append(f"{target}: no heading with the anchor #{fragment} in {self.rel(file)}")
        return broken

    def link_key(self, page: Page, target: str) -> str:
        """A link as both languages must share it: the target file with `.zh-CN.md` read as
        `.md`, and a fragment as the index of the heading it names (each page's own anchors)."""
        file, fragment = self.resolve(page, target)
        if file is None:
            return target
        name = self.rel(file)
        if name.endswith(ZH):
            name = name[: -len(ZH)] + ".md"
        if not fragment:
            return name
        if file.suffix == ".md" and file.is_file():
            anchors = self.page(file).anchors
            if fragment in anchors:
                return f"{name}#<heading {anchors.index(fragment) + 1}>"
        return f"{name}#{fragment}"

    # The pair checks ---------------------------------------------------------------------------

    def english_pages(self) -> list[Path]:
        pages = [self.root / "README.md", self.root / "docs" / "admin-console.md"]
        pages += sorted(p for p in (self.root / "docs" / "integration").glob("*.md") if not p.name.endswith(ZH))
        return pages

    def check_pair(self, en_path: Path) -> None:
        zh_path = en_path.with_name(en_path.name[: -len(".md")] + ZH)
        name = self.rel(en_path)
        zh_name = self.rel(zh_path)
        self.check(en_path.is_file(), f"{name}: the English page exists")
        if not en_path.is_file():
            return
        self.check(zh_path.is_file(), f"{name}: its Chinese counterpart {zh_name} exists")
        if not zh_path.is_file():
            return
        en, zh = self.page(en_path), self.page(zh_path)

        links_to = lambda page, other: any(self.resolve(page, t)[0] == other.resolve() for t in page.links)
        self.check(links_to(en, zh_path), f"{name}: links to {zh_name}")
        self.check(links_to(zh, en_path), f"{zh_name}: links to {name}")

        en_levels = Counter(level for level, _ in en.headings)
        zh_levels = Counter(level for level, _ in zh.headings)
        self.check(
            en_levels == zh_levels,
            f"{zh_name}: the same number of headings at each level as {name}",
            [f"h{level}: {en_levels[level]} in English, {zh_levels[level]} in Chinese"
             for level in range(1, 7) if en_levels[level] != zh_levels[level]],
        )
        en_order = [level for level, _ in en.headings]
        zh_order = [level for level, _ in zh.headings]
        diverge = next((i for i, (a, b) in enumerate(zip(en_order, zh_order)) if a != b), None)
        if diverge is not None:
            details = [f"heading {diverge + 1}: h{en_order[diverge]} {en.headings[diverge][1]!r} in English, "
                       f"h{zh_order[diverge]} {zh.headings[diverge][1]!r} in Chinese"]
        else:
            details = [f"{len(en_order)} headings in English, {len(zh_order)} in Chinese"]
        self.check(en_order == zh_order, f"{zh_name}: its headings in the same order as {name}", details)

        details = []
        if len(en.code_blocks) != len(zh.code_blocks):
            details.append(f"{len(en.code_blocks)} code blocks in English, {len(zh.code_blocks)} in Chinese")
        for i, (a, b) in enumerate(zip(en.code_blocks, zh.code_blocks)):
            if a != b:
                first = next((n for n, (x, y) in enumerate(zip(a[1].split("\n"), b[1].split("\n"))) if x != y), None)
                where = f" (first difference on its line {first + 1})" if first is not None else ""
                details.append(f"code block {i + 1} ({a[0] or 'no language'}) differs{where}")
                break
        self.check(not details, f"{zh_name}: the same code blocks as {name}", details)

        en_keys = Counter(self.link_key(en, t) for t in en.links)
        zh_keys = Counter(self.link_key(zh, t) for t in zh.links)
        details = [f"only in English: {k}" + (f" (×{n})" if n > 1 else "") for k, n in sorted((en_keys - zh_keys).items())]
        details += [f"only in Chinese: {k}" + (f" (×{n})" if n > 1 else "") for k, n in sorted((zh_keys - en_keys).items())]
        self.check(not details, f"{zh_name}: the same link targets as {name}", details)

        english_only = []
        for target in zh.links:
            file, _ = self.resolve(zh, target)
            if file is None or file == en_path.resolve() or file.name.endswith(ZH):
                continue
            twin = file.with_name(file.name[: -len(".md")] + ZH) if file.suffix == ".md" else None
            if twin is not None and twin.is_file():
                english_only.append(f"{target}: link to {self.rel(twin)} instead")
        self.check(not english_only, f"{zh_name}: links to the Chinese pages that exist", english_only)

        for page, label in ((en, name), (zh, zh_name)):
            broken = self.broken_links(page)
            self.check(not broken, f"{label}: relative links resolve", broken)

    def check_orphans(self) -> None:
        orphans = []
        twins = [self.root / ("README" + ZH), self.root / "docs" / ("admin-console" + ZH)]
        for zh_path in twins + sorted((self.root / "docs" / "integration").glob("*" + ZH)):
            if zh_path.is_file() and not zh_path.with_name(zh_path.name[: -len(ZH)] + ".md").is_file():
                orphans.append(f"{self.rel(zh_path)} has no English page")
        self.check(not orphans, "every Chinese page has its English page", orphans)

    def run(self) -> int:
        for en_path in self.english_pages():
            self.check_pair(en_path)
        self.check_orphans()
        print(f"docs: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parent.parent).resolve()
    if not (root / "README.md").is_file():
        print(f"FAIL {root}: no README.md (not the repository root)")
        print("docs: 0 passed, 1 failed")
        return 1
    return Checker(root).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
