"""Made-up reports with known values, and their rendering as scraped text.

A :class:`MadeUpReport` holds the canonical values a test expects back; renderers print it
the way publishers do (labels as the national template prints them, written out here
independently of the library's specs). Renderers for other formats (HTML, Word, PDF)
build on the same :class:`MadeUpReport` and the row/label tables below.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from extractors.report import Report

if TYPE_CHECKING:
    from table_layout import Layout

Values = dict[str, dict[str, int | float | None]]

APPLICANTS = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
]
REQUEST_COLUMNS = [*APPLICANTS, "total"]

# (row key, group label printed in a merged cell or None, row label as printed)
RESULT_ROWS_BEFORE_OTHER: list[tuple[str, str | None, str]] = [
    ("disclosed", None, "（一）予以公开"),
    (
        "partially_disclosed",
        None,
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    ),
    ("withheld.state_secret", "（三）不予公开", "1.属于国家秘密"),
    ("withheld.prohibited_by_law", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("withheld.three_safeties_one_stability", "（三）不予公开", "3.危及“三安全一稳定”"),
    ("withheld.third_party_rights", "（三）不予公开", "4.保护第三方合法权益"),
    ("withheld.internal_affairs", "（三）不予公开", "5.属于三类内部事务信息"),
    ("withheld.process_information", "（三）不予公开", "6.属于四类过程性信息"),
    ("withheld.enforcement_files", "（三）不予公开", "7.属于行政执法案卷"),
    ("withheld.administrative_query", "（三）不予公开", "8.属于行政查询事项"),
    ("unable.not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("unable.needs_creation", "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("unable.unclear_after_correction", "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("not_processed.petition_complaint", "（五）不予处理", "1.信访举报投诉类申请"),
    ("not_processed.duplicate", "（五）不予处理", "2.重复申请"),
    ("not_processed.publication", "（五）不予处理", "3.要求提供公开出版物"),
    ("not_processed.excessive_repeated", "（五）不予处理", "4.无正当理由大量反复申请"),
    (
        "not_processed.confirm_or_reissue",
        "（五）不予处理",
        "5.要求行政机关确认或重新出具已获取信息",
    ),
]
OTHER_ROWS_2019: list[tuple[str, str | None, str]] = [
    ("other_handling", None, "（六）其他处理"),
]
OTHER_ROWS_2021: list[tuple[str, str | None, str]] = [
    (
        "other_handling.overdue_correction",
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    (
        "other_handling.unpaid_fee",
        "（六）其他处理",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    ("other_handling.other", "（六）其他处理", "3.其他"),
]


def result_rows(template: str) -> list[tuple[str, str | None, str]]:
    """Result rows （一）…（六） of table 3 in a template format."""
    other = OTHER_ROWS_2021 if template == "2021" else OTHER_ROWS_2019
    return [*RESULT_ROWS_BEFORE_OTHER, *other]


def request_row_keys(template: str) -> list[str]:
    """Every row key of table 3, in printed order."""
    return [
        "new_received",
        "carried_over",
        *(k for k, _, _ in result_rows(template)),
        "result_total",
        "carried_to_next_year",
    ]


# Table 2: (sub-table heading, column headers, [(row key, label, fields)])
ACTIVE_2019 = [
    (
        "第二十条第（一）项",
        ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        [
            ("rules", "规章", ["made", "published", "total_public"]),
            (
                "normative_documents",
                "规范性文件",
                ["made", "published", "total_public"],
            ),
        ],
    ),
    (
        "第二十条第（五）项",
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        [
            (
                "administrative_license",
                "行政许可",
                ["prev_items", "change", "decisions"],
            ),
            (
                "other_management_services",
                "其他对外管理服务事项",
                ["prev_items", "change", "decisions"],
            ),
        ],
    ),
    (
        "第二十条第（六）项",
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        [
            (
                "administrative_penalty",
                "行政处罚",
                ["prev_items", "change", "decisions"],
            ),
            (
                "administrative_coercion",
                "行政强制",
                ["prev_items", "change", "decisions"],
            ),
        ],
    ),
    (
        "第二十条第（八）项",
        ["信息内容", "上一年项目数量", "本年增/减"],
        [("administrative_fees", "行政事业性收费", ["prev_items", "change"])],
    ),
    (
        "第二十条第（九）项",
        ["信息内容", "采购项目数量", "采购总金额"],
        [("centralized_procurement", "政府集中采购", ["projects", "amount_wan_yuan"])],
    ),
]
ACTIVE_2021 = [
    (
        "第二十条第（一）项",
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        [
            ("rules", "规章", ["issued", "repealed", "in_force"]),
            (
                "normative_documents",
                "行政规范性文件",
                ["issued", "repealed", "in_force"],
            ),
        ],
    ),
    (
        "第二十条第（五）项",
        ["信息内容", "本年处理决定数量"],
        [("administrative_license", "行政许可", ["decisions"])],
    ),
    (
        "第二十条第（六）项",
        ["信息内容", "本年处理决定数量"],
        [
            ("administrative_penalty", "行政处罚", ["decisions"]),
            ("administrative_coercion", "行政强制", ["decisions"]),
        ],
    ),
    (
        "第二十条第（八）项",
        ["信息内容", "本年收费金额（单位：万元）"],
        [("administrative_fees", "行政事业性收费", ["amount_wan_yuan"])],
    ),
]
REVIEW_GROUPS = ["review", "litigation_direct", "litigation_after_review"]
REVIEW_FIELDS = ["maintained", "corrected", "other", "pending", "total"]
REVIEW_FIELD_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

LEVEL1 = [
    ("一、总体情况", "overall"),
    ("二、主动公开政府信息情况", "active_disclosure_stats"),
    ("三、收到和处理政府信息公开申请情况", "requests_stats"),
    ("四、政府信息公开行政复议、行政诉讼情况", "review_litigation_stats"),
    ("五、存在的主要问题及改进情况", "problems_improvements"),
    ("六、其他需要报告的事项", "other_matters"),
]
LEVEL2 = [
    ("（一）主动公开情况", "active_disclosure"),
    ("（二）依申请公开情况", "request_disclosure"),
    ("（三）政府信息管理情况", "information_management"),
    ("（四）政府信息公开平台建设情况", "platform_construction"),
    ("（五）监督保障情况", "supervision_guarantee"),
]


@dataclass
class MadeUpReport:
    """A report with known canonical values, checks and headings."""

    issuer: str
    region: str
    year: int
    active_template: str
    requests_template: str
    active_disclosure: Values
    requests: Values
    review_litigation: Values
    level1: list[tuple[str, str]] = field(default_factory=lambda: list(LEVEL1))
    level2: list[tuple[str, str]] = field(default_factory=lambda: list(LEVEL2))
    narrative_received: int | None = None
    # Level-2 headings under 五 (problems_improvements), each followed by a sentence.
    problems_level2: list[tuple[str, str]] = field(default_factory=list)
    # How the title is printed: `line` (one line), `two_lines` (the issuer above the
    # rest), `large` (one line in a large plain font), `header` (only in the page
    # header / the page's <title>) or `table` (in the first row of a leading table).
    title_layout: str = "line"
    # The title's wording; {issuer} and {year} are filled in.
    title_format: str = "{issuer}{year}年政府信息公开工作年度报告"
    # The site or letterhead printed beside the title (a page's <title> suffix, a
    # PDF's running header); the issuer by default.
    site: str | None = None

    @property
    def title(self) -> str:
        """The report's title as one line."""
        return self.title_format.format(issuer=self.issuer, year=self.year)

    def title_lines(self) -> list[str]:
        """The title as printed in the body: one line, two, or none (page header)."""
        if self.title_layout == "header":
            return []
        if self.title_layout == "two_lines" and self.title.startswith(self.issuer):
            return [self.issuer, self.title[len(self.issuer) :]]
        return [self.title]

    @property
    def template(self) -> str:
        """`2019`, `2021` or `mixed`, as the report field says."""
        same = self.active_template == self.requests_template
        return self.active_template if same else "mixed"


def make_report(
    active_template: str = "2019",
    requests_template: str = "2019",
    seed: int = 1,
    issuer: str = "江苏省淮安市洪泽区人民政府",
    region: str = "洪泽区",
    year: int = 2022,
) -> MadeUpReport:
    """A consistent made-up report: every R rule holds until a test breaks one."""
    rng = random.Random(seed)
    requests: Values = {}
    results = result_rows(requests_template)
    for key, _, _ in results:
        requests[key] = {c: rng.choice([0, 0, 1, 2, 5, 13]) for c in APPLICANTS}
    requests["result_total"] = {
        c: sum(int(requests[k][c] or 0) for k, _, _ in results) for c in APPLICANTS
    }
    requests["carried_over"] = {c: rng.choice([0, 1, 3]) for c in APPLICANTS}
    requests["carried_to_next_year"] = {c: rng.choice([0, 2, 4]) for c in APPLICANTS}
    requests["new_received"] = {
        c: int(requests["result_total"][c] or 0)
        + int(requests["carried_to_next_year"][c] or 0)
        - int(requests["carried_over"][c] or 0)
        for c in APPLICANTS
    }
    for c in APPLICANTS:
        if (requests["new_received"][c] or 0) < 0:
            requests["carried_over"][c] = 0
            requests["new_received"][c] = int(requests["result_total"][c] or 0) + int(
                requests["carried_to_next_year"][c] or 0
            )
    for values in requests.values():
        values["total"] = sum(int(values[c] or 0) for c in APPLICANTS)
    ordered = {k: requests[k] for k in request_row_keys(requests_template)}

    active: Values = {}
    layout = ACTIVE_2021 if active_template == "2021" else ACTIVE_2019
    for _, _, rows in layout:
        for key, _, fields in rows:
            active[key] = {f: _active_value(f, rng) for f in fields}

    review: Values = {}
    for group in REVIEW_GROUPS:
        parts = {f: rng.choice([0, 1, 2, 7, 30]) for f in REVIEW_FIELDS[:4]}
        review[group] = {**parts, "total": sum(parts.values())}
    return MadeUpReport(
        issuer=issuer,
        region=region,
        year=year,
        active_template=active_template,
        requests_template=requests_template,
        active_disclosure=active,
        requests=ordered,
        review_litigation=review,
        narrative_received=int(ordered["new_received"]["total"] or 0),
    )


def following_year(
    previous: MadeUpReport,
    seed: int,
    template: str,
    *,
    issuer: str | None = None,
    region: str | None = None,
) -> MadeUpReport:
    """Next year's report of the same issuer (or of ``issuer`` as it then spells its
    name), carrying over exactly what ``previous`` carried forward."""
    report = make_report(
        template,
        template,
        seed=seed,
        issuer=issuer or previous.issuer,
        region=region or previous.region,
        year=previous.year + 1,
    )
    rows = report.requests
    for c in APPLICANTS:
        rows["carried_over"][c] = previous.requests["carried_to_next_year"][c]
        received = (
            int(rows["result_total"][c] or 0)
            + int(rows["carried_to_next_year"][c] or 0)
            - int(rows["carried_over"][c] or 0)
        )
        if received < 0:
            rows["carried_to_next_year"][c] = (
                int(rows["carried_to_next_year"][c] or 0) - received
            )
            received = 0
        rows["new_received"][c] = received
    for values in rows.values():
        values["total"] = sum(int(values[c] or 0) for c in APPLICANTS)
    report.narrative_received = int(rows["new_received"]["total"] or 0)
    return report


def expected_sections(report: MadeUpReport) -> list[tuple[int, str, str]]:
    """(level, heading, category) of levels 1 and 2 in printed order, as every renderer
    lays them out: level 2 under 一 and under 五."""
    level1 = [(1, heading, category) for heading, category in report.level1]
    overall = [(2, heading, category) for heading, category in report.level2]
    problems = [(2, heading, category) for heading, category in report.problems_level2]
    return [*level1[:1], *overall, *level1[1:5], *problems, *level1[5:]]


def _active_value(field_name: str, rng: random.Random) -> int | float:
    if field_name == "amount_wan_yuan":
        return round(rng.uniform(1, 99999), 1)
    if field_name == "change":
        return rng.choice([-5, 0, 12, 63])
    return rng.randint(0, 5000)


def format_value(value: int | float | None, field_name: str = "") -> str:
    """A value as publishers print it: 增/减 for changes, blank for null."""
    if value is None:
        return ""
    if field_name == "change":
        if value > 0:
            return f"增{value}"
        return f"减{-value}" if value < 0 else "0"
    return f"{value:g}" if isinstance(value, float) else str(value)


MEASURE_TEXT = "对照上级要求逐项整改，确保工作落到实处。"


def narrative(report: MadeUpReport) -> dict[str, str]:
    """Body text per level-2 heading; the requests paragraph states the figure for S1."""
    received = report.narrative_received
    stated = f"全年共收到政府信息公开申请{received}件，均按时答复。" if received else ""
    return {
        "active_disclosure": f"{report.year}年，通过门户网站主动公开政府信息1200条。",
        "request_disclosure": stated + "进一步规范依申请公开办理流程。",
        "information_management": "加强政府信息公开审查，完善公开目录。",
        "platform_construction": "优化政府网站栏目设置，提升政务新媒体服务能力。",
        "supervision_guarantee": "将政务公开纳入绩效考核，组织业务培训2次。",
    }


def to_text(report: MadeUpReport, layout: Layout | None = None) -> str:
    """The report as scraped text: pipe rows without spans, like sample 000_e67d…."""
    # table_layout builds on this module's data; imported here to keep one direction.
    from table_layout import PLAIN, Cell, pipe_lines, tables

    title = report.title_lines()
    if report.title_layout == "table":
        title = pipe_lines([[Cell(line) for line in title]])
    lines = [*title, f"本报告由{report.issuer}办公室编制。"]
    body = narrative(report)
    l1 = [heading for heading, _ in report.level1]
    lines.append(l1[0])
    for heading, category in report.level2:
        lines.append(heading)
        lines.append(body.get(category, "有关工作稳步推进。"))
    for heading, rows in zip(l1[1:4], tables(report, layout or PLAIN), strict=True):
        lines.append(heading)
        lines.extend(pipe_lines(rows))
    lines.append(l1[4])
    lines.append("个别单位政策解读质量有待提升，下一步将加强培训。")
    for heading, _ in report.problems_level2:
        lines.extend([heading, MEASURE_TEXT])
    lines.append(l1[5])
    lines.append("无。")
    return "\n".join(lines) + "\n"


def assert_values(report: Report, made: MadeUpReport) -> None:
    """Every canonical value of the three tables came back exactly."""
    assert report.active_disclosure == made.active_disclosure
    assert report.requests == made.requests
    assert report.review_litigation == made.review_litigation
