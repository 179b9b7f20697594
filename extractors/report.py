"""The output contract (TEMPLATE.md §5) as pydantic models; the JSON Schema comes from here."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from extractors.document import BBox, SourceInfo

SCHEMA_VERSION = "1.0.0"

# Row key → field → number or null: flat, dotted row keys so loaders read them as they are.
TableValues = dict[str, dict[str, int | float | None]]
Rule = Literal["R1", "R2", "R3", "R4", "S1", "S2"]


class Status(str, Enum):
    """How well one document went."""

    SUCCESS = "success"
    PARTIAL_SUCCESS = "partial_success"
    FAILURE = "failure"


class CheckStatus(str, Enum):
    """Outcome of one consistency check."""

    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"


class Finding(BaseModel):
    """A warning: something noticed and worked around, or a doubt about a value."""

    code: str
    message: str
    where: str | None = Field(
        default=None, description="Scope, e.g. requests.disclosed"
    )
    page: int | None = None


class ErrorItem(BaseModel):
    """Something that went wrong; a document with errors is never `success`."""

    code: str
    message: str
    page: int | None = None
    component: str | None = Field(default=None, description="Stage that failed.")


class CellRecord(BaseModel):
    """Where one canonical value came from."""

    table: str
    row: str
    column: str
    value: int | float | None
    raw: str
    page: int | None = None
    bbox: BBox | None = None
    confidence: float | None = None
    source_table: int = Field(description="Index into `tables`.")
    grid_row: int
    grid_col: int
    note: str | None = None


class Check(BaseModel):
    """One consistency check (TEMPLATE.md §4)."""

    rule: Rule
    scope: str
    status: CheckStatus
    expected: int | float | None = None
    actual: int | float | None = None
    message: str = ""


class Suggestion(BaseModel):
    """A value the rules determine for an unreadable cell, proposed and never applied."""

    scope: str
    value: int | float
    because: str


class Section(BaseModel):
    """A heading with its category and the text under it."""

    level: int
    number: str = Field(default="", description="Numbering as printed, e.g. （一）")
    heading: str
    category: str
    text: str = ""
    page: int | None = None


class ReportMeta(BaseModel):
    """What the report is: who issued it, for where, for which year, on which template."""

    title: str | None = None
    issuer: str | None = None
    region: str | None = None
    year: int | None = None
    template: Literal["2019", "2021", "mixed"] | None = None
    template_by_table: dict[str, Literal["2019", "2021"]] = Field(default_factory=dict)


class TableOut(BaseModel):
    """Every table found, as a grid with merged cells expanded."""

    index: int
    page: int | None = None
    pages: list[int] = Field(default_factory=list)
    kind: str | None = Field(default=None, description="Statistics table it maps to.")
    engine: str
    label: str = ""
    rows: list[list[str]]


class Report(BaseModel):
    """One report's canonical JSON."""

    model_config = ConfigDict(title="nianbao report")

    schema_version: str = SCHEMA_VERSION
    pipeline_version: str
    source: SourceInfo
    report: ReportMeta = Field(default_factory=ReportMeta)
    sections: list[Section] = Field(default_factory=list)
    active_disclosure: TableValues = Field(default_factory=dict)
    requests: TableValues = Field(default_factory=dict)
    review_litigation: TableValues = Field(default_factory=dict)
    cells: list[CellRecord] = Field(default_factory=list)
    tables: list[TableOut] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    warnings: list[Finding] = Field(default_factory=list)
    status: Status = Status.SUCCESS
    errors: list[ErrorItem] = Field(default_factory=list)
    suggestions: list[Suggestion] = Field(default_factory=list)
