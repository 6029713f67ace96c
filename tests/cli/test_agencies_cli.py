"""``prov scan --agencies FILE``: a user's own agency file (TOML or YAML) is honoured from credit
extraction to origins and the graph, and a malformed one stops the run with one line naming it.

The corpus: two Norwegian outlets print the same NTB photo of an avalanche search with the
caption credited "Photo: NTB". NTB (Norsk Telegrambyrå) is not in the built-in gazetteer.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest

CAPTION = "Rescue crews search a slope above the E8 road after a slab avalanche near Lyngen on Saturday. Photo: NTB"
ARTICLES = [
    {
        "id": "bt-2024-02-03-avalanche",
        "outlet": "Bergens Tidende",
        "date": "2024-02-03",
        "title": "Avalanche warning raised to level four in Troms",
        "text": (
            "The Norwegian avalanche service raised its warning to level four of five for large parts of Troms "
            "county on Saturday, after more than a metre of fresh snow fell in two days.\n\n"
            f"{CAPTION}\n\n"
            "Local authorities closed the road through the Skibotn valley and urged skiers to stay off steep "
            "terrain until the snowpack settles."
        ),
    },
    {
        "id": "nordlys-2024-02-04-avalanche",
        "outlet": "Nordlys",
        "date": "2024-02-04",
        "title": "Two skiers dug out alive in Lyngen",
        "text": (
            "Two skiers caught by an avalanche in the Lyngen Alps were dug out alive by their companions on "
            "Saturday afternoon and flown to hospital in Tromsø with minor injuries, police said.\n\n"
            f"{CAPTION}\n\n"
            "The pair had been climbing a north-facing slope that the avalanche service had flagged as "
            "especially dangerous the day before."
        ),
    },
]
NTB_TOML = """\
[[agencies]]
id = "NTB"
name = "Norsk Telegrambyrå"
aliases = ["Norsk Telegrambyrå", "NTB"]
"""
NTB_YAML = """\
agencies:
  - id: NTB
    name: Norsk Telegrambyrå
    aliases: [Norsk Telegrambyrå, NTB]
"""


pytestmark = pytest.mark.usefixtures("in_tmp")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "avalanche.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    return path


def agency_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(report: Path, table: str) -> list[dict]:
    return pq.read_table(report / f"{table}.parquet").to_pylist()


def caption_cluster(report: Path) -> dict:
    ids = {p["cluster_id"] for p in rows(report, "passages") if p["text"].startswith("Rescue crews search a slope")}
    assert len(ids) == 1, ids
    [cluster] = [c for c in rows(report, "clusters") if c["cluster_id"] in ids]
    return cluster


# Honoured end to end


@pytest.mark.parametrize(("name", "text"), [("agencies.toml", NTB_TOML), ("agencies.yaml", NTB_YAML)])
def test_a_user_agency_is_credited_and_becomes_the_origin(
    runner, corpus: Path, tmp_path: Path, name: str, text: str
) -> None:
    path = agency_file(tmp_path, name, text)
    result = runner("scan", corpus, "--agencies", path, "--out", "report", "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert result.output == ""

    credits = rows(Path("report"), "credits")
    assert [(c["doc_id"], c["agency"], c["text"], c["kind"], c["scope"]) for c in credits] == [
        ("bt-2024-02-03-avalanche", "NTB", "NTB", "caption", "line"),
        ("nordlys-2024-02-04-avalanche", "NTB", "NTB", "caption", "line"),
    ]
    texts = {a["id"]: a["text"] for a in ARTICLES}
    for c in credits:
        assert texts[c["doc_id"]][c["scope_start"] : c["scope_end"]] == CAPTION

    cluster = caption_cluster(Path("report"))
    assert cluster["n_documents"] == 2
    assert cluster["origin"] == "NTB"
    assert "caption credit" in cluster["origin_evidence"]

    graph = nx.read_graphml("report/graph.graphml")
    assert graph.nodes["agency:NTB"]["kind"] == "agency"
    supplied = {v for _, v, d in graph.edges("agency:NTB", data=True) if d["kind"] == "supplied"}
    assert supplied == {"doc:bt-2024-02-03-avalanche", "doc:nordlys-2024-02-04-avalanche"}
    shares = {r["origin"] for r in rows(Path("report"), "wire_share") if r["origin"] != "all"}
    assert shares == {"NTB"}


def test_without_the_agency_file_ntb_is_no_agency(runner, corpus: Path) -> None:
    result = runner("scan", corpus, "--out", "report", "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert rows(Path("report"), "credits") == []
    cluster = caption_cluster(Path("report"))
    assert cluster["origin"] is None
    assert cluster["origin_evidence"]


def test_the_agency_file_is_recorded_with_the_run(runner, corpus: Path, tmp_path: Path) -> None:
    # A scan with another agency file is another run: it must not silently replace the report.
    toml = agency_file(tmp_path, "agencies.toml", NTB_TOML)
    first = runner("scan", corpus, "--out", "report", "--quiet", "--workers", "1")
    assert first.exit_code == 0, first.output
    second = runner("scan", corpus, "--agencies", toml, "--out", "report", "--quiet", "--workers", "1")
    assert second.exit_code != 0
    assert "--force" in second.stderr
    assert rows(Path("report"), "credits") == []  # the first report is untouched


def test_a_user_agency_can_carry_a_built_in_one(runner, tmp_path: Path) -> None:
    # NTB resells AFP in Norway: a caption credited to NTB in one paper and to AFP in another
    # started with AFP.
    articles = [dict(a) for a in ARTICLES]
    articles[1]["text"] = articles[1]["text"].replace("Photo: NTB", "Photo: AFP")
    corpus = tmp_path / "avalanche.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    toml = agency_file(tmp_path, "agencies.toml", NTB_TOML + 'carries = ["AFP"]\n')
    result = runner("scan", corpus, "--agencies", toml, "--out", "report", "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert {c["agency"] for c in rows(Path("report"), "credits")} == {"NTB", "AFP"}
    cluster = caption_cluster(Path("report"))
    assert cluster["origin"] == "AFP"
    assert "NTB carries AFP" in cluster["origin_evidence"]


def test_an_override_of_a_built_in_agency_adds_a_name(runner, tmp_path: Path) -> None:
    # "The AP" is no built-in name of AP; a user file adds it and keeps everything else of AP.
    articles = [dict(a) for a in ARTICLES]
    for a in articles:
        a["text"] = a["text"].replace("Photo: NTB", "Photo: The AP")
    corpus = tmp_path / "avalanche.jsonl"
    corpus.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    yaml = agency_file(tmp_path, "agencies.yml", "agencies:\n  - id: AP\n    aliases: [Associated Press, AP, The AP]\n")
    result = runner("scan", corpus, "--agencies", yaml, "--out", "report", "--quiet", "--workers", "1")
    assert result.exit_code == 0, result.output
    credits = rows(Path("report"), "credits")
    assert [(c["agency"], c["text"]) for c in credits] == [("AP", "The AP")] * 2
    assert caption_cluster(Path("report"))["origin"] == "AP"


# Malformed agency files: one line naming the file, exit code 2, nothing written

MALFORMED = {
    "toml-syntax": ("agencies.toml", '[[agencies]]\nid = "NTB\n', "invalid TOML"),
    "yaml-syntax": ("agencies.yaml", "agencies:\n  - id: NTB\n    aliases: [NTB\n", "invalid YAML"),
    "not-a-list": ("agencies.yaml", "agencies:\n  id: NTB\n", "'agencies' must be a list"),
    "unknown-key": ("agencies.toml", NTB_TOML + 'country = "Norway"\n', "unknown key 'country'"),
    "wrong-type": ("agencies.yaml", "agencies:\n  - id: NTB\n    name: NTB\n    aliases: NTB\n", "'aliases' must be"),
    "no-name": ("agencies.toml", '[[agencies]]\nid = "NTB"\n', "needs a name"),
    "unknown-carried": ("agencies.toml", NTB_TOML + 'carries = ["Norsk Presse"]\n', "unknown agency"),
    "name-taken": ("agencies.toml", '[[agencies]]\nid = "NTB"\nname = "NTB"\naliases = ["AFP"]\n', "'AFP'"),
    "bad-kind": ("agencies.toml", NTB_TOML + 'kind = "radio"\n', "'radio'"),
    "wrong-suffix": ("agencies.json", '{"agencies": []}', "must be .toml, .yaml or .yml"),
}


@pytest.mark.parametrize(("name", "text", "problem"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_agency_file_is_a_one_line_error(
    runner, corpus: Path, tmp_path: Path, name: str, text: str, problem: str
) -> None:
    path = agency_file(tmp_path, name, text)
    result = runner("scan", corpus, "--agencies", path, "--out", "report", "--workers", "1")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"prov: error: {path}: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert problem in result.stderr
    assert "Traceback" not in result.output
    assert not Path("report").exists()


def test_a_missing_agency_file_is_a_one_line_error(runner, corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "my-agencies.toml"
    result = runner("scan", corpus, "--agencies", path, "--out", "report")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"prov: error: {path}: ")
    assert result.stderr.count("\n") == 1
    assert not Path("report").exists()
