"""Heading categories (TEMPLATE.md §1) from the heading's words, not its number.

Each category has a lexicon of weighted words. A heading is cut into words by jieba (with
the lexicon's words added to its dictionary, so 依申请公开 stays one token), and the
category whose words weigh most wins. Renamed headings (总体情况 / 概述 / 基本情况) land
right as long as one of their words is in the lexicon; a heading matching nothing is
``unknown`` and kept.

The level-1 section a level-2 heading stands under narrows its categories: under 五
(problems_improvements) only problems or improvements are possible, and a heading that is
a measure (led by a verb or adverb in jieba's word categories: 继续强化信息公开责任) is an
improvement even when no lexicon word names it.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import jieba
import jieba.posseg

from extractors.textnorm import label_key

_log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

UNKNOWN = "unknown"
# Below this weight a heading is `unknown`: one weak word (情况, 工作) is not evidence.
MIN_CATEGORY_SCORE = 2

LEVEL1_LEXICON: dict[str, dict[str, int]] = {
    "overall": {
        "总体": 3,
        "概述": 3,
        "概况": 3,
        "基本情况": 3,
        "总体情况": 3,
        "综述": 3,
    },
    "active_disclosure_stats": {"主动公开": 2, "政府信息": 1, "主动": 1},
    "requests_stats": {"收到": 2, "处理": 1, "申请": 2, "依申请": 1},
    "review_litigation_stats": {"行政复议": 3, "行政诉讼": 3, "复议": 2, "诉讼": 2},
    "problems_improvements": {"问题": 3, "改进": 3, "不足": 2, "整改": 2},
    "other_matters": {"其他": 2, "需要报告": 3, "事项": 1, "其它": 2},
}

LEVEL2_LEXICON: dict[str, dict[str, int]] = {
    "active_disclosure": {"主动公开": 3},
    "request_disclosure": {"依申请公开": 3, "依申请": 3},
    "information_management": {"信息管理": 3, "管理": 2},
    "platform_construction": {"平台": 3, "平台建设": 3, "网站": 2, "新媒体": 1},
    "supervision_guarantee": {"监督": 2, "保障": 2, "监督保障": 3, "考核": 1},
    "problems": {"问题": 3, "不足": 3},
    "improvements": {"改进": 3, "下一步": 3, "措施": 1, "计划": 1, "打算": 1},
    "fee_collection": {"收费": 3, "信息处理费": 3, "处理费": 3},
    "annual_work_points": {"工作要点": 3, "要点": 2, "落实": 1},
    "proposals_handling": {"提案": 3, "人大代表": 3, "建议": 2, "政协": 2},
}

LEXICONS: dict[int, dict[str, dict[str, int]]] = {1: LEVEL1_LEXICON, 2: LEVEL2_LEXICON}

# Level-2 categories a level-1 section holds (TEMPLATE.md §1); a parent not listed here
# (the statistics sections, unknown) holds any.
LEVEL2_UNDER: dict[str, frozenset[str]] = {
    "overall": frozenset(LEVEL2_LEXICON) - {"problems", "improvements"},
    "problems_improvements": frozenset({"problems", "improvements"}),
    "other_matters": frozenset(
        {"fee_collection", "annual_work_points", "proposals_handling"}
    ),
}
# Under these sections a heading that states a measure (继续完善信息公开机制) is this
# category even when no lexicon word names it.
MEASURE_CATEGORY: dict[str, str] = {"problems_improvements": "improvements"}
# jieba word categories that open a measure: verbs (强化, 完善) and adverbs (进一步).
MEASURE_TAGS = frozenset({"v", "vd", "d"})


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    for lexicon in LEXICONS.values():
        for words in lexicon.values():
            for word in words:
                tokenizer.add_word(word, freq=100_000)
    return tokenizer


@lru_cache(maxsize=1)
def _tagger() -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(_tokenizer())


def classify_heading(heading: str, level: int, parent: str | None = None) -> str:
    """The category of a heading at a level (levels beyond 2 use the level-2 lexicon).

    Args:
        heading: the heading as printed, numbering included or not.
        level: 1 or 2 (deeper levels are classified as level 2).
        parent: the category of the level-1 section a level-2 heading stands under,
            if known; it narrows the categories possible (see :data:`LEVEL2_UNDER`).

    Example:
        >>> classify_heading("（三）政府信息管理情况", 2)
        'information_management'
        >>> classify_heading("（一）继续强化信息公开责任", 2, "problems_improvements")
        'improvements'
    """
    return heading_category(heading, level, parent)[0]


@lru_cache(maxsize=4096)
def heading_category(
    heading: str, level: int, parent: str | None = None
) -> tuple[str, int]:
    """The category of a heading and the weight of the words that name it.

    Like :func:`classify_heading`, with the score, so a caller can ask for stronger
    evidence (an unnumbered plain line is a heading only when a strong word names it).
    A measure under a section of :data:`MEASURE_CATEGORY` scores :data:`MIN_CATEGORY_SCORE`.
    """
    core = label_key(heading)
    tokens = set(_tokenizer().lcut(core))
    lexicon = LEXICONS[min(max(level, 1), 2)]
    allowed = LEVEL2_UNDER.get(parent or "") if level >= 2 else None
    scores = {
        category: sum(w for word, w in words.items() if _has_word(word, tokens, core))
        for category, words in lexicon.items()
        if allowed is None or category in allowed
    }
    best = max(scores, key=lambda c: scores[c])
    if scores[best] >= MIN_CATEGORY_SCORE:
        return best, scores[best]
    measure = MEASURE_CATEGORY.get(parent or "") if level >= 2 else None
    if measure and _is_measure(core):
        return measure, MIN_CATEGORY_SCORE
    return UNKNOWN, scores[best]


def _is_measure(core: str) -> bool:
    # Measures open with a verb or adverb: 强化…, 继续完善…, 进一步加强…. jieba's
    # dictionary glues some verb phrases into one word of another category (继续加强 is
    # tagged n), so the first two characters are looked up too.
    words = list(_tagger().cut(core))
    if not words:
        return False
    first = words[0]
    if first.flag in MEASURE_TAGS:
        return True
    return _tagger().word_tag_tab.get(first.word[:2]) in MEASURE_TAGS


def _has_word(word: str, tokens: set[str], core: str) -> bool:
    # Short words must be whole tokens (申请 is not in 依申请公开's token); longer phrases
    # may span tokens.
    return word in tokens or (len(word) >= 3 and word in core)
