"""Result format 2: valid against its schema, a third of format 1's size, and format 1 again,
byte for byte, through checker.formats.to_v1."""

from __future__ import annotations

import json
from itertools import islice

import jsonschema
import orjson
import pytest

from bench.corpus import make_corpus
from checker.core.paths import DOCS_DIR
from checker.formats import as_format, to_v1, to_v2
from checker.tools.corpus_real import records
from tests.conftest import SAMPLES


def canonical(result: dict) -> bytes:
    """The JSON the store and the API write: keys sorted."""
    return orjson.dumps(result, option=orjson.OPT_SORT_KEYS)


@pytest.fixture(scope="module")
def v2_validator():
    schema = json.loads((DOCS_DIR / "result.v2.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def texts() -> list[str]:
    out = [p.read_text() for p in SAMPLES] + make_corpus(60, 150) + make_corpus(5, 1000)
    out += [r["text"] for r in islice(records(), 0, 2957, 12)]
    out += ["<p>Our st\u0435m c\u0435lls \u201ccure\u201d autism!</p> " + "cure " * 300,
            "Hello.", "Ryoncil is approved for steroid-refractory acute GVHD in children."]
    return out


def test_format_2_comes_back_to_format_1_byte_for_byte(checker, v2_validator):
    for text in texts():
        result = checker.check(text)
        v2 = json.loads(canonical(to_v2(result)))     # through JSON, as a client gets it
        errors = list(v2_validator.iter_errors(v2))
        assert not errors, errors[0].message
        assert canonical(to_v1(v2)) == canonical(result.to_dict()), text[:80]


def test_format_2_says_each_source_and_rule_once_and_is_a_third_of_format_1(checker):
    result = checker.check(SAMPLES[1].read_text())
    v1, v2 = canonical(result.to_dict()), canonical(to_v2(result))
    assert len(v2) * 3 < len(v1), (len(v1), len(v2))
    body = v2.decode()
    for passage in {c.passage for f in result.findings for c in f.citations if c.passage}:
        assert body.count(f'"e:{passage}":') == 1
    credit = result.findings[0].citations[0].credit
    assert body.count(json.dumps(credit)[1:-1]) == 1


def test_as_format_gives_either(checker):
    result = checker.check("Our stem cells cure autism.")
    assert as_format(result, 1)["format"] == "1" and as_format(result, "2")["format"] == "2"
    assert to_v1(as_format(result, 1)) == as_format(result, 1)   # format 1 passes through


def test_every_surface_gives_format_2_and_format_1_when_asked(make_app, tmp_path, checker):
    from click.testing import CliRunner

    from checker.core.errors import BatchError
    from checker.surfaces.batch import BatchOptions, run_batch
    from checker.surfaces.cli import cli

    text = "Our stem cells cure autism. Only $9,800!"
    client = make_app().test_client()
    assert client.post("/api/v1/check", json={"text": text}).get_json()["format"] == "2"
    v1 = client.post("/api/v1/check?format=1", json={"text": text}).get_json()
    assert v1["format"] == "1" and v1["findings"][0]["citations"][0]["credit"]
    assert client.post("/api/v1/check?format=3", json={"text": text}).status_code == 400

    runner = CliRunner()
    source = tmp_path / "ad.txt"
    source.write_text(text)
    for flag, fmt in (([], "2"), (["--result-format", "1"], "1")):
        out = runner.invoke(cli, ["check", str(source), "--format", "json", *flag])
        assert out.exit_code == 0 and json.loads(out.output)["format"] == fmt

    adverts = tmp_path / "ads.jsonl"
    adverts.write_text(json.dumps({"id": "a", "text": text}) + "\n" +
                       json.dumps({"id": "b", "text": "Hello there."}) + "\n")
    rows = tmp_path / "rows.jsonl"
    run_batch(BatchOptions(adverts, rows, workers=1))
    first = [json.loads(line) for line in rows.read_text().splitlines()]
    assert [r["result"]["format"] for r in first] == ["2", "2"]
    assert to_v1(first[0]["result"]) == json.loads(json.dumps(checker.check(text).to_dict()))
    with pytest.raises(BatchError, match="--result-format 2"):
        run_batch(BatchOptions(adverts, rows, workers=1, resume=True, result_format="1"))
