import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from dream_mosaic.analysis.commands import register

from .conftest import DREAMS, write_coded


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def noop() -> None:  # a second command keeps typer in multi-command mode
        pass

    return app


def test_analyze_jsonl_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in DREAMS.items()))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(_app(), ["analyze", "--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == list(DREAMS)
    chase = rows[0]
    for key in ("emotions", "valence", "characters", "interactions", "distress", "motifs", "versions"):
        assert key in chase
    assert {"code", "character", "spans"} <= set(chase["emotions"][0])


def test_analyze_jsonl_with_a_cast_per_file_and_per_line(tmp_path: Path) -> None:
    src, out, cast = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "cast.json"
    lines = [
        {"id": "a", "text": "Frank and I drove to the lake."},
        {"id": "b", "text": "Frank and I drove to the lake.", "cast": {"Frank": "brother"}},
        {"id": "c", "text": "Wendy sang. Frank listened.", "cast": {"Wendy": "1FDA"}},
    ]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines))
    cast.write_text(json.dumps({"Frank": "husband"}))
    result = CliRunner().invoke(_app(), ["analyze", "--input", str(src), "--output", str(out), "--cast", str(cast)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    codes = {r["id"]: {c["text"]: c["code"] for c in r["characters"]} for r in rows}
    assert codes == {"a": {"Frank": "1MHA"}, "b": {"Frank": "1MBA"}, "c": {"Wendy": "1FDA", "Frank": "1MHA"}}


def test_analyze_jsonl_says_which_line_is_wrong(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    for bad, message in (('{"id": 1, "text": "x"}\n{"id": 2, "text": ', "line 2: not JSON"),
                         ('{"id": 1, "text": "x", "cast": {"Frank": "hubby"}}', "'hubby' is not a relation")):
        src.write_text(bad)
        result = CliRunner().invoke(_app(), ["analyze", "--input", str(src), "--output", str(out)])
        assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
        assert "Traceback" not in result.output


def test_evaluate_json_on_a_small_coded_file(tmp_path: Path) -> None:
    coded = write_coded(tmp_path / "coded.csv", 12)
    result = CliRunner().invoke(_app(), ["evaluate", str(coded), "--json", "--folds", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{") :])
    for subset in ("all_reports", "emotion_bearing"):
        s = data["emotions"][subset]
        assert set(s["AP"]) >= {"precision", "recall", "f1"}
        assert 0 <= s["macro_f1"] <= 1 and 0 <= s["micro_f1"] <= 1
    assert data["emotions"]["all_reports"]["n_reports"] == 12
    assert data["characters"]["per_report_count"]["mae"] >= 0
    assert data["characters"]["per_report_category_error"]["mean"] >= 0
    # the fixture codes one aggression, in each "chase" report
    chases = sum(1 for i in range(12) if list(DREAMS)[i % len(DREAMS)] == "chase")
    aggression = data["per_report_counts"]["aggression"]
    assert aggression["human_mean"] == round(chases / 12, 3) and aggression["mae"]["mean"] >= 0
    assert set(data["characters"]["indicators"]["per_series"]) == {"own-a", "own-b"}
    assert data["reports_per_second"] > 0


def test_evaluate_with_a_focus_scores_that_series_over_the_focused_characters(tmp_path: Path) -> None:
    coded = write_coded(tmp_path / "coded.csv", 12)
    args = ["evaluate", str(coded), "--json", "--folds", "2", "--focus", "own-a=1MKA"]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{") :])
    assert data["focus"] == {"own-a": ["1MKA"]}
    series = data["characters"]["indicators"]["per_series"]
    assert series["own-a"]["focus"] == ["1MKA"] and series["own-b"]["focus"] is None
    # over the focus the coders' 1MSA and 1FMA are out of scope on both sides: no woman is left to count
    assert series["own-a"]["indicators"]["male_female_percent"]["human"] == 100.0
    assert series["own-b"]["indicators"]["male_female_percent"]["human"] < 100.0
    for bad, message in (("own-a", "expected SERIES=CODE"), ("own-a=Frank", "not an HVdC character code")):
        result = CliRunner().invoke(_app(), ["evaluate", str(coded), "--focus", bad])
        assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output


def test_the_category_error_counts_characters_of_the_wrong_kind() -> None:
    from dream_mosaic.analysis.evaluate import _category_error

    # the husband coded known: one family character missing, one known too many; sexes agree
    assert _category_error(["1MHA", "1FKA"], ["1MKA", "1FKA"]) == 2
    # a missed animal and a woman coded as a man
    assert _category_error(["1ANI", "1FSA"], ["1MSA"]) == 3
    assert _category_error(["2JUA", "1CZZ"], ["2JSA", "1CZZ"]) == 0  # stranger and uncertain are both unfamiliar
