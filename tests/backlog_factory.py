"""A made-up backlog: many text reports of both formats and encodings, plus broken files.

Good files are rendered by :mod:`report_factory` (2019 and 2021 formats, UTF-8 and GBK,
spread over sub-folders); broken ones cover each way a file can be no document. The
expected error code of each broken file is returned with it.
"""

from __future__ import annotations

import random
from pathlib import Path

from report_factory import make_report, to_text

ISSUERS = [
    ("江苏省淮安市洪泽区人民政府", "洪泽区"),
    ("辽宁省鞍山市人民政府", "鞍山市"),
    ("福建省平潭综合实验区管委会", "平潭综合实验区"),
    ("浙江省杭州市西湖区人民政府", "西湖区"),
    ("四川省成都市人民政府", "成都市"),
]


def broken_files(seed: int = 0) -> dict[str, tuple[bytes, str]]:
    """Ten files that are no usable document, with the error code each must get."""
    rng = random.Random(seed)

    def noise(n: int) -> bytes:
        return bytes(rng.randrange(256) for _ in range(n))

    return {
        "empty.txt": (b"", "empty"),
        "blank.txt": (b"  \n\t\n", "empty"),
        "garbage.txt": (noise(4096), "unsupported_type"),
        "garbage.html": (bytes(range(256)) * 8, "unsupported_type"),
        "truncated.pdf": (
            b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Ty",
            "corrupt",
        ),
        "header-only.pdf": (b"%PDF-1.4\n", "corrupt"),
        "random.pdf": (b"%PDF-1.5\n" + noise(2048), "corrupt"),
        "broken.docx": (b"PK\x03\x04" + noise(512), "corrupt"),
        "broken.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + noise(512), "corrupt"),
        "zeros.pdf": (b"\x00" * 1000, "unsupported_type"),
    }


def make_backlog(folder: Path, good: int = 290, seed: int = 0) -> dict[str, str | None]:
    """Write ``good`` reports and the ten broken files under ``folder``.

    Returns:
        File name → expected error code (None for a good report).
    """
    expected: dict[str, str | None] = {}
    for i in range(good):
        issuer, region = ISSUERS[i % len(ISSUERS)]
        template = "2021" if i % 2 else "2019"
        year = 2020 + i % 5 if template == "2019" else 2021 + i % 5
        report = make_report(
            template, template, seed=seed + i, issuer=issuer, region=region, year=year
        )
        encoding = "gbk" if i % 3 == 0 else "utf-8"
        name = f"{i:04d}-{region}-{year}-{encoding}.txt"
        sub = folder / f"batch{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / name).write_bytes(to_text(report).encode(encoding))
        expected[name] = None
    bad = folder / "incoming"
    bad.mkdir(parents=True, exist_ok=True)
    for name, (data, code) in broken_files(seed).items():
        (bad / name).write_bytes(data)
        expected[name] = code
    return expected
