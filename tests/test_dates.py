"""Real dates (issue 12, item 4): every form read to the right UTC instant, ``--dayfirst``, dates
that cannot be read warned about once per input, and the parsed instant used wherever dates are
compared (documents.parquet, origins, copied_from, derivation, dedup)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from provenance.config import ScanConfig
from provenance.dates import parse_date
from provenance.dedup import DedupConfig, dedup
from provenance.ingest import read_documents
from provenance.pipeline import load
from provenance.records import Document

ROOT = Path(__file__).parents[1]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO 8601: date, date-time, with and without a zone, Z, fractions
        ("2017-03-07", utc(2017, 3, 7)),
        ("2017-03-07T14:00:00", utc(2017, 3, 7, 14)),
        ("2017-03-07 14:00", utc(2017, 3, 7, 14)),
        ("2017-03-07T14:00:00Z", utc(2017, 3, 7, 14)),
        ("2017-03-07T14:00:00+01:00", utc(2017, 3, 7, 13)),
        ("2017-03-07T14:00:00.250-0500", utc(2017, 3, 7, 19, 0, 0, 250000)),
        ("2017-03-07 14:00:00 UTC", utc(2017, 3, 7, 14)),
        ("2017-03-07T00:30:00+02:00", utc(2017, 3, 6, 22, 30)),  # another day in UTC
        # month names
        ("March 7, 2017", utc(2017, 3, 7)),
        ("7 March 2017", utc(2017, 3, 7)),
        ("Mar 7 2017", utc(2017, 3, 7)),
        ("Mar. 7, 2017", utc(2017, 3, 7)),
        ("7 Mar 2017", utc(2017, 3, 7)),
        ("Tuesday, March 7th, 2017", utc(2017, 3, 7)),
        ("march 7, 2017 2:30 pm", utc(2017, 3, 7, 14, 30)),
        ("Mar. 7, 2017 2:30 p.m. EST", utc(2017, 3, 7, 19, 30)),
        ("September 30, 2016, 11:05 GMT", utc(2016, 9, 30, 11, 5)),
        ("Sept 30 2016 12:00 am", utc(2016, 9, 30)),
        # RFC 2822 (e-mail, RSS)
        ("Tue, 07 Mar 2017 14:00:00 +0000", utc(2017, 3, 7, 14)),
        ("Tue, 7 Mar 2017 09:00:00 -0500", utc(2017, 3, 7, 14)),
        ("Tue, 07 Mar 2017 14:00:00 GMT", utc(2017, 3, 7, 14)),
        ("07 Mar 17 14:00 GMT", utc(2017, 3, 7, 14)),  # RFC 2822 defines two-digit years
        # Reuters-21578, time kept (and its odd double space)
        ("26-FEB-1987 15:01:01.79", utc(1987, 2, 26, 15, 1, 1, 790000)),
        ("3-MAR-1987  09:15:05.40", utc(1987, 3, 3, 9, 15, 5, 400000)),
        ("26-Feb-1987", utc(1987, 2, 26)),
        # numbers with a four-digit year
        ("2017/03/07", utc(2017, 3, 7)),
        ("2017.3.7", utc(2017, 3, 7)),
        ("2017-3-7", utc(2017, 3, 7)),
        ("7.3.2017", utc(2017, 3, 7)),  # dotted: day first
        ("07/03/2017", utc(2017, 7, 3)),  # month first by default
        ("07-03-2017", utc(2017, 7, 3)),
        ("31/12/2017", utc(2017, 12, 31)),  # only one reading fits
        ("12/31/2017", utc(2017, 12, 31)),
        ("07/03/2017 14:00", utc(2017, 7, 3, 14)),
        ("  2017-03-07  ", utc(2017, 3, 7)),
    ],
)
def test_every_written_form_is_read_to_its_utc_instant(text: str, expected: datetime) -> None:
    got = parse_date(text)
    assert got == expected
    assert got is not None and got.utcoffset() is not None and got.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    ("text", "monthfirst", "dayfirst"),
    [
        ("07/03/2017", utc(2017, 7, 3), utc(2017, 3, 7)),  # ambiguous: the option decides
        ("07-03-2017", utc(2017, 7, 3), utc(2017, 3, 7)),
        ("7/3/2017 08:15", utc(2017, 7, 3, 8, 15), utc(2017, 3, 7, 8, 15)),
        ("31/12/2017", utc(2017, 12, 31), utc(2017, 12, 31)),  # unambiguous: read either way
        ("12/31/2017", utc(2017, 12, 31), utc(2017, 12, 31)),
        ("7.3.2017", utc(2017, 3, 7), utc(2017, 3, 7)),  # dotted: always day first
        ("2017/03/07", utc(2017, 3, 7), utc(2017, 3, 7)),  # year first: always Y/M/D
        ("March 7, 2017", utc(2017, 3, 7), utc(2017, 3, 7)),  # month names: no ambiguity
    ],
)
def test_dayfirst_decides_only_ambiguous_numeric_dates(text: str, monthfirst: datetime, dayfirst: datetime) -> None:
    assert parse_date(text) == monthfirst
    assert parse_date(text, dayfirst=True) == dayfirst


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "next Tuesday",
        "March 2017",
        "2017",
        "7/3/17",  # two-digit year outside RFC 2822
        "13/13/2017",
        "2017-02-30",
        "Smarch 7, 2017",
        "March 7, 2017 25:00",
        "March 7, 2017 14:00 XYZ",
        "31-MAR-1987 605:12:19.12",  # a Reuters record's garbled time
        "1488895200",
    ],
)
def test_what_cannot_be_read_is_unknown_never_a_guess(text: str | None) -> None:
    assert parse_date(text) is None
    assert parse_date(text, dayfirst=True) is None


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_unreadable_dates_are_warned_about_once_per_input_with_a_count(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = write_jsonl(
        tmp_path / "feed.jsonl",
        [
            {"id": "a", "text": "one", "date": "2017-03-07"},
            {"id": "b", "text": "two", "date": "next Tuesday"},
            {"id": "c", "text": "three", "date": "soon"},
            {"id": "d", "text": "four", "date": "7/3/17"},
            {"id": "e", "text": "five"},  # no date: unknown, nothing to warn about
            {"id": "f", "text": "six", "date": " "},
        ],
    )
    other = write_jsonl(tmp_path / "other.jsonl", [{"id": "g", "text": "seven", "date": "yesterday"}])
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("x.txt", "y.txt", "z.txt"):
        (folder / name).write_text(f"Story {name}.", encoding="utf-8")
    (folder / "metadata.csv").write_text("file,date\nx.txt,Ides of March\ny.txt,the other day\nz.txt,7 March 2017\n")
    with caplog.at_level(logging.WARNING, logger="provenance"):
        docs = [d for d in read_documents([feed, other, folder]) if isinstance(d, Document)]
    assert [d.when for d in docs] == [utc(2017, 3, 7), None, None, None, None, None, None, None, None, utc(2017, 3, 7)]
    assert [d.date for d in docs][:4] == ["2017-03-07", "next Tuesday", "soon", "7/3/17"]  # kept as written
    assert [r.getMessage() for r in caplog.records if "could not be read" in r.getMessage()] == [
        f"{feed}: 3 dates could not be read (e.g. 'next Tuesday'); they count as unknown",
        f"{other}: 1 date could not be read ('yesterday'); it counts as unknown",
        f"{folder}: 2 dates could not be read (e.g. 'Ides of March'); they count as unknown",
    ]


def test_dayfirst_reaches_every_document_through_the_loader(tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / "feed.jsonl", [{"id": "a", "text": "one", "date": "07/03/2017"}])
    assert load([feed], ScanConfig())[0][0].when == utc(2017, 7, 3)
    assert load([feed], ScanConfig(dayfirst=True))[0][0].when == utc(2017, 3, 7)


def test_reuters_dates_keep_their_time_and_drop_the_routing_codes(tmp_path: Path) -> None:
    path = tmp_path / "reut2-000.sgm"
    records = [
        (1, "26-FEB-1987 15:01:01.79"),
        (2, "27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM"),
    ]
    path.write_text(
        "\n".join(
            f'<REUTERS NEWID="{n}"><DATE>{date}</DATE><TEXT><BODY>Story {n} of the day.</BODY></TEXT></REUTERS>'
            for n, date in records
        ),
        encoding="latin-1",
    )
    docs, _ = load([path], ScanConfig())
    assert [(d.date, d.when) for d in docs] == [
        ("26-FEB-1987 15:01:01.79", utc(1987, 2, 26, 15, 1, 1, 790000)),
        ("27-MAR-1987 00:02:59.13", utc(1987, 3, 27, 0, 2, 59, 130000)),
    ]


def seed(name: str) -> str:
    return next((ROOT / "seeds").glob(f"{name}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture
def two_copies(tmp_path: Path) -> Path:
    """One story in two outlets: the ISO date is the earlier one, though it sorts later as text."""
    story = seed("000")
    return write_jsonl(
        tmp_path / "copies.jsonl",
        [
            {"id": "herald", "outlet": "Herald", "date": "March 8, 2017", "text": story + "\n\nHerald closing line."},
            {"id": "wire", "outlet": "Wire", "date": "2017-03-07T23:30:00-05:00", "text": story},
            {"id": "post", "outlet": "Post", "date": "Tue, 07 Mar 2017 09:00:00 +0000", "text": story + "\n\nPost."},
        ],
    )


def test_documents_parquet_holds_a_utc_timestamp_and_the_date_as_written(runner, two_copies: Path) -> None:
    out = two_copies.parent / "report"
    result = runner("scan", two_copies, "--out", out, "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    table = pq.read_table(out / "documents.parquet")
    assert table.schema.field("date").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("date_text").type == pa.string()
    assert table.schema.metadata[b"prov.schema_version"] == b"3.0"
    rows = {r["doc_id"]: (r["date"], r["date_text"]) for r in table.to_pylist()}
    assert rows == {
        "herald": (utc(2017, 3, 8), "March 8, 2017"),
        "wire": (utc(2017, 3, 8, 4, 30), "2017-03-07T23:30:00-05:00"),  # 23:30 at UTC-5
        "post": (utc(2017, 3, 7, 9), "Tue, 07 Mar 2017 09:00:00 +0000"),
    }
    assert json.loads((out / "manifest.json").read_text())["parameters"]["dayfirst"] is False


def test_copied_from_and_derivation_follow_the_parsed_dates(runner, two_copies: Path) -> None:
    out = two_copies.parent / "report"
    assert runner("scan", two_copies, "--out", out, "--quiet", "--workers", "1").exit_code == 0
    edges = pq.read_table(out / "edges.parquet").to_pylist()
    copied = {(e["source"], e["target"]) for e in edges if e["kind"] == "copied_from"}
    # As strings "2017-03-07T23:30..." < "March 8, 2017" < "Tue, 07 Mar...": the instants say
    # post (7 March 09:00) < herald (8 March 00:00) < wire (8 March 04:30 UTC).
    assert copied == {("doc:post", "doc:herald"), ("doc:post", "doc:wire"), ("doc:herald", "doc:wire")}
    earlier = {(r["doc_a"], r["doc_b"]): r["earlier"] for r in pq.read_table(out / "derivation.parquet").to_pylist()}
    assert earlier == {("herald", "wire"): "herald", ("herald", "post"): "post", ("wire", "post"): "post"}


def test_dedup_earliest_keeps_the_earliest_instant_not_the_smallest_text(tmp_path: Path) -> None:
    story = seed("001")
    feed = write_jsonl(
        tmp_path / "feed.jsonl",
        [
            {"id": "a-late", "date": "March 8, 2017", "text": story},
            {"id": "b-early", "date": "2017-03-07", "text": story},
        ],
    )
    docs, _ = load([feed], ScanConfig())
    result = dedup(docs, DedupConfig(policy="earliest"))
    assert [d.doc_id for d in result.kept] == ["b-early"]


def test_an_unreadable_date_counts_as_undated_for_dedup(tmp_path: Path) -> None:
    story = seed("001")
    feed = write_jsonl(
        tmp_path / "feed.jsonl",
        [{"id": "a", "date": "next Tuesday", "text": story}, {"id": "b", "date": "8 March 2017", "text": story}],
    )
    docs, _ = load([feed], ScanConfig())
    result = dedup(docs, DedupConfig(policy="earliest"))
    assert [d.doc_id for d in result.kept] == ["b"]
    assert [r.kept_because for r in result.removals] == ["earliest (dated 8 March 2017, id b)"]
