"""Builds disclosure-report PDFs with reportlab, laid out the way Word/WPS does it.

A :class:`ReportPdf` collects headings, justified paragraphs and ruled tables with
merged cells, flows them over A4 pages with a running header and "- N -" page numbers,
and splits a table over a page break without repeating its header, letting the text of
a merged cell fall on both pages as Word does ('（四）无' / '法提供'). The tables of
TEMPLATE.md are built from canonical values by :func:`active_disclosure_rows`,
:func:`requests_rows` and :func:`review_litigation_rows`.

Needs a CJK TrueType font (Debian ``fonts-wqy-zenhei``, see scripts/apt-packages.txt).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_NAME = "NianbaoCJK"
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)
PAGE_W, PAGE_H = A4
MARGIN_X = 72.0
TOP = 100.0
BOTTOM = PAGE_H - 100.0
TEXT_W = PAGE_W - 2 * MARGIN_X
# Word's fake bold: the same glyphs drawn again this far to the right.
FAKE_BOLD_SHIFT = 0.4

Values = Mapping[str, Mapping[str, int | float | None]]
Op = Callable[[Canvas], None]


def register_cjk_font() -> str:
    """Register the first CJK font found and return its reportlab name."""
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    for path in FONT_CANDIDATES:
        if path.exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
            return FONT_NAME
    raise FileNotFoundError(
        "no CJK TrueType font; install the Debian package fonts-wqy-zenhei "
        "(scripts/apt-packages.txt)"
    )


@dataclass(frozen=True)
class Span:
    """A table cell spanning rows and/or columns (HTML rowspan/colspan placement)."""

    text: str
    rows: int = 1
    cols: int = 1


Row = Sequence["str | Span"]


@dataclass(frozen=True)
class Placed:
    """A cell at its grid position."""

    text: str
    row: int
    col: int
    rows: int
    cols: int


def place_cells(rows: Sequence[Row]) -> tuple[list[Placed], int]:
    """Grid positions of cells given row by row, HTML style (spans skip taken slots).

    Returns:
        The placed cells and the number of columns.
    """
    taken: set[tuple[int, int]] = set()
    placed: list[Placed] = []
    for r, row in enumerate(rows):
        c = 0
        for item in row:
            cell = item if isinstance(item, Span) else Span(item)
            while (r, c) in taken:
                c += 1
            placed.append(Placed(cell.text, r, c, cell.rows, cell.cols))
            for dr in range(cell.rows):
                for dc in range(cell.cols):
                    taken.add((r + dr, c + dc))
            c += cell.cols
    n_cols = max((c for _, c in taken), default=-1) + 1
    return placed, n_cols


def wrap(text: str, width: float, size: float, indent: float = 0.0) -> list[str]:
    """Greedy line breaking: anywhere between CJK chars, never inside a Latin word."""
    tokens: list[str] = []
    for ch in text:
        if tokens and ch.isascii() and not ch.isspace() and tokens[-1][-1:].isascii():
            tokens[-1] += ch
        else:
            tokens.append(ch)
    lines: list[str] = []
    line = ""
    limit = width - indent
    for tok in tokens:
        if line and pdfmetrics.stringWidth(line + tok, FONT_NAME, size) > limit:
            lines.append(line)
            line, limit = tok.lstrip(), width
        else:
            line += tok
    if line:
        lines.append(line)
    return lines


@dataclass
class ReportPdf:
    """A report laid out page by page; call :meth:`save` at the end.

    Args:
        header: Running header printed at the top of every page, or None.
        page_numbers: Print "- N -" at the bottom of every page.
        size: Body font size.
    """

    header: str | None = "淮安市人民政府文件"
    page_numbers: bool = True
    size: float = 12.0
    pages: list[list[Op]] = field(default_factory=lambda: [[]])
    y: float = TOP

    def __post_init__(self) -> None:
        register_cjk_font()

    @property
    def leading(self) -> float:
        """Line pitch of body text."""
        return self.size * 1.75

    def _op(self, op: Op, page: int | None = None) -> None:
        self.pages[len(self.pages) - 1 if page is None else page].append(op)

    def new_page(self) -> None:
        """Start a new page."""
        self.pages.append([])
        self.y = TOP

    def _room(self, height: float) -> None:
        if self.y + height > BOTTOM:
            self.new_page()

    def _text(self, x: float, top: float, text: str, size: float, **kw: float) -> None:
        bold = bool(kw.get("bold", 0))
        space = kw.get("char_space", 0.0)
        baseline = PAGE_H - top - size * 0.88

        def draw(canvas: Canvas) -> None:
            for dx in (0.0, FAKE_BOLD_SHIFT) if bold else (0.0,):
                obj = canvas.beginText(x + dx, baseline)
                obj.setFont(FONT_NAME, size)
                obj.setCharSpace(space)
                obj.textOut(text)
                canvas.drawText(obj)

        self._op(draw)

    def title(self, text: str) -> None:
        """A centred title line in a larger size."""
        size = self.size * 1.5
        self._room(size * 2)
        width = pdfmetrics.stringWidth(text, FONT_NAME, size)
        self._text(MARGIN_X + (TEXT_W - width) / 2, self.y, text, size, bold=1)
        self.y += size * 2

    def heading(self, text: str, bold: bool = True) -> None:
        """A heading on its own line, indented two characters, fake bold."""
        self._room(self.leading)
        self._text(MARGIN_X + 2 * self.size, self.y, text, self.size, bold=int(bold))
        self.y += self.leading

    def paragraph(self, text: str, bold: bool = False) -> None:
        """A justified paragraph with a two-character first-line indent."""
        indent = 2 * self.size
        lines = wrap(text, TEXT_W, self.size, indent)
        for i, line in enumerate(lines):
            self._room(self.leading)
            x = MARGIN_X + (indent if i == 0 else 0.0)
            space = 0.0
            if i < len(lines) - 1 and len(line) > 1:
                room = MARGIN_X + TEXT_W - x
                spare = room - pdfmetrics.stringWidth(line, FONT_NAME, self.size)
                space = max(0.0, spare / (len(line) - 1))
            self._text(x, self.y, line, self.size, bold=int(bold), char_space=space)
            self.y += self.leading

    def table(
        self,
        rows: Sequence[Row],
        widths: Sequence[float],
        size: float = 9.0,
        break_before: frozenset[int] = frozenset(),
    ) -> None:
        """A ruled table; rows that do not fit go on the next page, header not repeated.

        Args:
            rows: Cells row by row (str or :class:`Span`).
            widths: Column widths in points.
            size: Font size in the cells.
            break_before: Row indexes that must start a new page.
        """
        placed, n_cols = place_cells(rows)
        assert n_cols == len(widths), f"{n_cols} columns, {len(widths)} widths"
        xs = [MARGIN_X]
        for w in widths:
            xs.append(xs[-1] + w)
        lead = size * 1.3
        n_rows = len(rows)
        heights = [size * 2.2] * n_rows
        wrapped = {
            id(p): wrap(p.text, xs[p.col + p.cols] - xs[p.col] - 4, size)
            for p in placed
        }
        for p in sorted(placed, key=lambda p: p.rows):
            need = len(wrapped[id(p)]) * lead + 6
            have = sum(heights[p.row : p.row + p.rows])
            if need > have:
                heights[p.row + p.rows - 1] += need - have
        self.y += 6
        where: list[tuple[int, float]] = []
        for r in range(n_rows):
            if r in break_before or self.y + heights[r] > BOTTOM:
                self.new_page()
            where.append((len(self.pages) - 1, self.y))
            self.y += heights[r]
        for p in placed:
            self._draw_cell(p, wrapped[id(p)], xs, heights, where, size, lead)
        self.y += 6

    def _draw_cell(
        self,
        p: Placed,
        lines: list[str],
        xs: list[float],
        heights: list[float],
        where: list[tuple[int, float]],
        size: float,
        lead: float,
    ) -> None:
        x0, x1 = xs[p.col], xs[p.col + p.cols]
        rows = range(p.row, p.row + p.rows)
        for page in sorted({where[r][0] for r in rows}):
            on_page = [r for r in rows if where[r][0] == page]
            top = where[on_page[0]][1]
            bottom = where[on_page[-1]][1] + heights[on_page[-1]]

            def box(canvas: Canvas, top: float = top, bottom: float = bottom) -> None:
                canvas.setLineWidth(0.5)
                canvas.rect(
                    x0, PAGE_H - bottom, x1 - x0, bottom - top, stroke=1, fill=0
                )

            self._op(box, page)
        # Lines are centred over the whole merged height, which may run over a page
        # break; each line is drawn on the page its offset falls on.
        total = sum(heights[r] for r in rows)
        offset = (total - len(lines) * lead) / 2
        for line in lines:
            acc = 0.0
            for r in rows:
                if offset < acc + heights[r] or r == rows[-1]:
                    page, row_top = where[r]
                    top = row_top + (offset - acc)
                    nxt = r + 1
                    straddles = top + lead > row_top + heights[r]
                    if straddles and nxt in rows and where[nxt][0] != page:
                        # A line never straddles a page break: Word moves it on.
                        page, top = where[nxt]
                        offset = acc + heights[r]
                    break
                acc += heights[r]
            width = pdfmetrics.stringWidth(line, FONT_NAME, size)
            x = x0 + (x1 - x0 - width) / 2
            baseline = PAGE_H - top - size * 0.88 - (lead - size) / 2

            def text(
                canvas: Canvas, x: float = x, b: float = baseline, s: str = line
            ) -> None:
                canvas.setFont(FONT_NAME, size)
                canvas.drawString(x, b, s)

            self._op(text, page)
            offset += lead

    def save(self, path: Path) -> Path:
        """Write the PDF and return its path."""
        canvas = Canvas(str(path), pagesize=A4)
        for number, ops in enumerate(self.pages, start=1):
            for op in ops:
                op(canvas)
            canvas.setFont(FONT_NAME, 9)
            if self.header:
                canvas.drawCentredString(PAGE_W / 2, PAGE_H - 50, self.header)
                canvas.line(MARGIN_X, PAGE_H - 56, PAGE_W - MARGIN_X, PAGE_H - 56)
            if self.page_numbers:
                canvas.drawCentredString(PAGE_W / 2, 50, f"- {number} -")
            canvas.showPage()
        canvas.save()
        return path


# --- the template's tables -----------------------------------------------------------

REQUEST_COLUMNS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
WITHHELD = (
    ("state_secret", "1.属于国家秘密"),
    ("prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("three_safeties_one_stability", "3.危及“三安全一稳定”"),
    ("third_party_rights", "4.保护第三方合法权益"),
    ("internal_affairs", "5.属于三类内部事务信息"),
    ("process_information", "6.属于四类过程性信息"),
    ("enforcement_files", "7.属于行政执法案卷"),
    ("administrative_query", "8.属于行政查询事项"),
)
UNABLE = (
    ("not_held", "1.本机关不掌握相关政府信息"),
    ("needs_creation", "2.没有现成信息需要另行制作"),
    ("unclear_after_correction", "3.补正后申请内容仍不明确"),
)
NOT_PROCESSED = (
    ("petition_complaint", "1.信访举报投诉类申请"),
    ("duplicate", "2.重复申请"),
    ("publication", "3.要求提供公开出版物"),
    ("excessive_repeated", "4.无正当理由大量反复申请"),
    ("confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
)
OTHER_HANDLING_2021 = (
    (
        "overdue_correction",
        "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    (
        "unpaid_fee",
        "2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    ("other", "3、其他"),
)
REVIEW_FIELDS = ("maintained", "corrected", "other", "pending", "total")
REQUESTS_WIDTHS = (30.0, 55.0, 110.0, *([36.0] * 7))
ACTIVE_WIDTHS = (150.0, 100.0, 100.0, 100.0)
REVIEW_WIDTHS = tuple([30.0] * 15)


def fmt(value: int | float | None) -> str:
    """A value as a Word table prints it; None is a blank cell."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return str(int(value))


def result_keys(version: str) -> list[tuple[str, str, str | None]]:
    """(row key, row label, group label) of table 3's result rows."""
    keys: list[tuple[str, str, str | None]] = [
        ("disclosed", "（一）予以公开", None),
        (
            "partially_disclosed",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            None,
        ),
    ]
    keys += [(f"withheld.{k}", label, "（三）不予公开") for k, label in WITHHELD]
    keys += [(f"unable.{k}", label, "（四）无法提供") for k, label in UNABLE]
    keys += [
        (f"not_processed.{k}", label, "（五）不予处理") for k, label in NOT_PROCESSED
    ]
    if version == "2021":
        keys += [
            (f"other_handling.{k}", label, "（六）其他处理")
            for k, label in OTHER_HANDLING_2021
        ]
    else:
        keys.append(("other_handling", "（六）其他处理", None))
    return keys


def make_requests(
    version: str, seed: int = 1
) -> dict[str, dict[str, int | float | None]]:
    """Table 3 values that satisfy R1–R3, in the given template version."""
    rng = random.Random(seed)
    cols = REQUEST_COLUMNS[:-1]
    values: dict[str, dict[str, int | float | None]] = {}
    results = [key for key, _, _ in result_keys(version)]
    for key in results:
        values[key] = {c: rng.choice([0, 0, 1, 2, 5, 17, 120]) for c in cols}
    values["result_total"] = {
        c: sum(int(values[k][c] or 0) for k in results) for c in cols
    }
    values["carried_over"] = {c: rng.choice([0, 3, 9]) for c in cols}
    values["carried_to_next_year"] = {c: rng.choice([0, 2, 6]) for c in cols}
    values["new_received"] = {
        c: int(values["result_total"][c] or 0)
        + int(values["carried_to_next_year"][c] or 0)
        - int(values["carried_over"][c] or 0)
        for c in cols
    }
    for row in values.values():
        row["total"] = sum(int(row[c] or 0) for c in cols)
        if any(int(row[c] or 0) < 0 for c in cols):
            raise ValueError("negative figure; choose another seed")
    return values


def requests_rows(version: str, values: Values) -> list[Row]:
    """Table 3 (收到和处理政府信息公开申请情况) as Word prints it."""

    def nums(key: str) -> list[str | Span]:
        return [fmt(values[key].get(c)) for c in REQUEST_COLUMNS]

    results = result_keys(version)
    rows: list[Row] = [
        [
            Span(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                3,
                3,
            ),
            Span("申请人情况", 1, 7),
        ],
        [Span("自然人", 2, 1), Span("法人或其他组织", 1, 5), Span("总计", 2, 1)],
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
        [Span("一、本年新收政府信息公开申请数量", 1, 3), *nums("new_received")],
        [Span("二、上年结转政府信息公开申请数量", 1, 3), *nums("carried_over")],
    ]
    seen_groups: set[str] = set()
    for i, (key, label, group) in enumerate(results):
        row: list[str | Span] = []
        if i == 0:
            row.append(Span("三、本年度办理结果", len(results) + 1, 1))
        if group is None:
            row.append(Span(label, 1, 2))
        else:
            if group not in seen_groups:
                seen_groups.add(group)
                size = sum(1 for _, _, g in results if g == group)
                row.append(Span(group, size, 1))
            row.append(label)
        rows.append([*row, *nums(key)])
    rows.append([Span("（七）总计", 1, 2), *nums("result_total")])
    rows.append([Span("四、结转下年度继续办理", 1, 3), *nums("carried_to_next_year")])
    return rows


def make_active(version: str) -> dict[str, dict[str, int | float | None]]:
    """Table 2 values in the given template version."""
    if version == "2021":
        return {
            "rules": {"issued": 1, "repealed": 0, "in_force": 11},
            "normative_documents": {"issued": 8, "repealed": 26, "in_force": 66},
            "administrative_license": {"decisions": 447228},
            "administrative_penalty": {"decisions": 3985758},
            "administrative_coercion": {"decisions": 88283},
            "administrative_fees": {"amount_wan_yuan": 96171.6},
        }
    return {
        "rules": {"made": 1, "published": 1, "total_public": 180},
        "normative_documents": {"made": 28, "published": 28, "total_public": 1262},
        "administrative_license": {
            "prev_items": 643,
            "change": 63,
            "decisions": 918197,
        },
        "other_management_services": {
            "prev_items": 634,
            "change": 15,
            "decisions": 432134,
        },
        "administrative_penalty": {"prev_items": 534, "change": 95, "decisions": 5516},
        "administrative_coercion": {"prev_items": 78, "change": 13, "decisions": 239},
        "administrative_fees": {"prev_items": 41, "change": 0},
        "centralized_procurement": {"projects": 489, "amount_wan_yuan": 49050.9},
    }


def active_disclosure_rows(version: str, values: Values) -> list[Row]:
    """Table 2 (主动公开政府信息情况) as Word prints it."""
    v = values

    def change(value: int | float | None) -> str:
        if value is None:
            return ""
        return (
            f"增{fmt(value)}"
            if value > 0
            else (f"减{fmt(-value)}" if value < 0 else "0")
        )

    if version == "2021":
        return [
            [Span("第二十条第（一）项", 1, 4)],
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", *(fmt(v["rules"][k]) for k in ("issued", "repealed", "in_force"))],
            [
                "行政规范性文件",
                *(
                    fmt(v["normative_documents"][k])
                    for k in ("issued", "repealed", "in_force")
                ),
            ],
            [Span("第二十条第（五）项", 1, 4)],
            ["信息内容", Span("本年处理决定数量", 1, 3)],
            ["行政许可", Span(fmt(v["administrative_license"]["decisions"]), 1, 3)],
            [Span("第二十条第（六）项", 1, 4)],
            ["信息内容", Span("本年处理决定数量", 1, 3)],
            ["行政处罚", Span(fmt(v["administrative_penalty"]["decisions"]), 1, 3)],
            ["行政强制", Span(fmt(v["administrative_coercion"]["decisions"]), 1, 3)],
            [Span("第二十条第（八）项", 1, 4)],
            ["信息内容", Span("本年收费金额（单位：万元）", 1, 3)],
            [
                "行政事业性收费",
                Span(fmt(v["administrative_fees"]["amount_wan_yuan"]), 1, 3),
            ],
        ]

    def item(label: str, key: str) -> Row:
        row = v[key]
        return [
            label,
            fmt(row["prev_items"]),
            change(row["change"]),
            fmt(row["decisions"]),
        ]

    return [
        [Span("第二十条第（一）项", 1, 4)],
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["规章", *(fmt(v["rules"][k]) for k in ("made", "published", "total_public"))],
        [
            "规范性文件",
            *(
                fmt(v["normative_documents"][k])
                for k in ("made", "published", "total_public")
            ),
        ],
        [Span("第二十条第（五）项", 1, 4)],
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        item("行政许可", "administrative_license"),
        item("其他对外管理服务事项", "other_management_services"),
        [Span("第二十条第（六）项", 1, 4)],
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        item("行政处罚", "administrative_penalty"),
        item("行政强制", "administrative_coercion"),
        [Span("第二十条第（八）项", 1, 4)],
        ["信息内容", "上一年项目数量", Span("本年增/减", 1, 2)],
        [
            "行政事业性收费",
            fmt(v["administrative_fees"]["prev_items"]),
            Span(change(v["administrative_fees"]["change"]), 1, 2),
        ],
        [Span("第二十条第（九）项", 1, 4)],
        ["信息内容", "采购项目数量", Span("采购总金额", 1, 2)],
        [
            "政府集中采购",
            fmt(v["centralized_procurement"]["projects"]),
            Span(fmt(v["centralized_procurement"]["amount_wan_yuan"]), 1, 2),
        ],
    ]


def make_review(seed: int = 3) -> dict[str, dict[str, int | float | None]]:
    """Table 4 values whose totals add up (R4)."""
    rng = random.Random(seed)
    values: dict[str, dict[str, int | float | None]] = {}
    for group in ("review", "litigation_direct", "litigation_after_review"):
        row: dict[str, int | float | None] = {
            f: rng.choice([0, 1, 4, 13, 72]) for f in REVIEW_FIELDS[:-1]
        }
        row["total"] = sum(int(x or 0) for x in row.values())
        values[group] = row
    return values


def review_litigation_rows(values: Values) -> list[Row]:
    """Table 4 (行政复议、行政诉讼情况): a header block and one row of 15 numbers."""
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        [Span("行政复议", 1, 5), Span("行政诉讼", 1, 10)],
        [
            *(Span(h, 2, 1) for h in heads),
            Span("未经复议直接起诉", 1, 5),
            Span("复议后起诉", 1, 5),
        ],
        [*heads, *heads],
        [
            fmt(values[g][f])
            for g in ("review", "litigation_direct", "litigation_after_review")
            for f in REVIEW_FIELDS
        ],
    ]


OVERALL_TEXT = (
    "2024年，我市坚持以习近平新时代中国特色社会主义思想为指导，认真学习宣传贯彻党的"
    "二十大精神，严格落实《中华人民共和国政府信息公开条例》各项规定，圆满完成了各项任务。"
)
LEVEL2 = (
    (
        "（一）主动公开情况。",
        "全年主动公开政府信息5500余条，新增公开规章1件、政策性文件11件，"
        "制作政策解读21个，召开新闻发布会12场。",
    ),
    (
        "（二）依申请公开情况。",
        "全年共受理政府信息公开申请3119件，答复3050件，均在法定期限内予以答复。",
    ),
    (
        "（三）政府信息管理情况。",
        "坚持“先审查、后公开”“一事一审”工作原则，规范审查程序。",
    ),
    (
        "（四）政府信息公开平台建设情况。",
        "进一步优化政务公开专栏设置，定期对栏目进行检查。",
    ),
    (
        "（五）政府信息公开监督保障情况。",
        "全年组织4次政府信息公开栏目全覆盖检查，及时督促整改。",
    ),
)


def build_report(
    path: Path,
    *,
    active_version: str = "2021",
    requests_version: str = "2021",
    title: str = "淮安市人民政府2024年政府信息公开工作年度报告",
    requests_break_before: frozenset[int] = frozenset(),
    active: Values | None = None,
    requests: Values | None = None,
    review: Values | None = None,
    header: str | None = "淮安市人民政府文件",
) -> Path:
    """A whole report in the national template; tables from the given (or made) values.

    Args:
        path: Where to write the PDF.
        active_version: Template of table 2 ("2019" or "2021").
        requests_version: Template of table 3 (and 4).
        title: The title line.
        requests_break_before: Table-3 row indexes that must start a new page.
        active: Table-2 values (default :func:`make_active`).
        requests: Table-3 values (default :func:`make_requests`).
        review: Table-4 values (default :func:`make_review`).
        header: Running header text, or None.

    Returns:
        ``path``.
    """
    doc = ReportPdf(header=header)
    doc.title(title)
    doc.paragraph(
        "本报告由本机关根据《中华人民共和国政府信息公开条例》规定编制。报告所列统计期限自2024年1月1日至2024年12月31日。"
    )
    doc.heading("一、总体情况")
    doc.paragraph(OVERALL_TEXT)
    for lead, body in LEVEL2:
        doc.paragraph(lead + body * 2)
    doc.heading("二、主动公开政府信息情况")
    doc.table(
        active_disclosure_rows(active_version, active or make_active(active_version)),
        ACTIVE_WIDTHS,
    )
    doc.heading("三、收到和处理政府信息公开申请情况")
    doc.table(
        requests_rows(requests_version, requests or make_requests(requests_version)),
        REQUESTS_WIDTHS,
        break_before=requests_break_before,
    )
    doc.heading("四、政府信息公开行政复议、行政诉讼情况")
    doc.table(review_litigation_rows(review or make_review()), REVIEW_WIDTHS, size=8)
    doc.heading("五、存在的主要问题及改进情况")
    doc.paragraph("对照上级新要求和公众新期待，还有一些需要加强和改进的地方。" * 3)
    doc.heading("六、其他需要报告的事项")
    doc.paragraph("2024年，全年收取政府信息公开信息处理费3940元。")
    return doc.save(path)
