"""Who is speaking: the speaker model reads a whole text as a seller or as someone informing,
says which words made it think so, and an informing text's findings count for less. The shipped
model is the one its corpus and seed give, byte for byte, and the grouped cross-validation runs
from the command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from checker.core.errors import ModelError
from checker.core.modelfiles import file_sha256
from checker.core.paths import MODELS_DIR, ROOT
from checker.detect import speaker as spk
from checker.engine import Checker
from checker.tools import train_speaker
from checker.tools.corpus_real import records
from tests.conftest import cli

# Written for these tests: the same claim, once sold by a clinic and once reported by a newsroom.
SELLING = ("Our regenerative clinic offers stem cell therapy for knee arthritis. Most of our "
           "patients walk without pain within weeks. Book your free consultation with us today.")
REPORTING = ("Regulators said on Tuesday that the company had told patients its stem cell "
             "injections could heal knee arthritis, a claim researchers say no trial supports. "
             "Several customers told reporters that they saw no change at all.")


def test_the_shipped_model_matches_its_corpus_and_card():
    card = json.loads((MODELS_DIR / spk.SPEAKER_CARD).read_text())
    assert card["data"]["hash"] == train_speaker.corpus_hash(), \
        "corpus/real changed since the speaker model was trained: run python -m checker train"
    assert card["file_sha256"] == file_sha256(MODELS_DIR / spk.SPEAKER_FILE)
    cv = card["cross_validation"]
    assert "by web domain" in cv["scheme"] and 0.5 < cv["auc"] <= 1
    assert card["top_seller_words"] and card["top_informer_words"]
    markdown = (MODELS_DIR / spk.SPEAKER_CARD_MD).read_text()
    assert card["data"]["hash"] in markdown and f"{cv['auc']:.3f}" in markdown


def test_training_again_in_another_process_gives_the_same_file(tmp_path):
    """Same corpus, same seed: the same bytes, whatever the process's hash seed or object ids."""
    script = ("import sys; from pathlib import Path; "
              "from checker.core.modelfiles import dump_reproducibly, file_sha256; "
              "from checker.tools.train_speaker import fit; "
              "print(file_sha256(dump_reproducibly(fit(), Path(sys.argv[1]))))")
    env = dict(os.environ, PYTHONHASHSEED="12345", OPENBLAS_NUM_THREADS="3")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "speaker.skops")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    card = json.loads((MODELS_DIR / spk.SPEAKER_CARD).read_text())
    assert out.stdout.strip() == card["file_sha256"]


def test_a_clinic_reads_as_a_seller_and_a_newsroom_as_informing(checker):
    selling = checker.check(SELLING).speaker
    reporting = checker.check(REPORTING).speaker
    assert selling["reads_as"] == "seller" and not selling["informing"]
    assert reporting["reads_as"] == "informer" and reporting["informing"]
    assert selling["seller_probability"] > 0.5 > reporting["seller_probability"]
    # the words behind each reading are words of the text, pushing its way
    for block, text, sign in ((selling, SELLING, 1), (reporting, REPORTING, -1)):
        assert block["words"]
        for word, contribution in block["words"]:
            assert word.split()[0] in text.lower() and sign * contribution > 0
        assert f"\u201c{block['words'][0][0]}\u201d" in block["explanation"]


def test_an_informing_text_has_its_findings_weighed_down_and_says_why(checker):
    from checker.tools.speaker_examples import SAMPLES

    without = Checker(speaker=False)
    reported = checker.check(REPORTING)
    assert reported.score <= without.check(REPORTING).score
    blog = (SAMPLES / "pharmacist-blog.txt").read_text()      # a pharmacist answers a reader
    assert checker.check(blog).level == "low" and without.check(blog).level == "high"
    steps = [s for f in reported.findings for s in f.trail if s["step"] == "speaker"]
    steps += [s for a in reported.set_aside for s in a["trail"] if s["step"] == "speaker"]
    assert steps and all(s["factor"] == 0.1 and s["after"] < s["before"] for s in steps)


def test_a_sellers_copy_has_its_findings_weighed_up_and_says_why(checker):
    sold, sold_without = checker.check(SELLING), Checker(speaker=False).check(SELLING)
    assert sold.speaker["selling"] and sold.score >= sold_without.score
    raised = [f for f in sold.findings if any(s["step"] == "speaker" for s in f.trail)]
    assert raised
    for f in raised:
        step = next(s for s in f.trail if s["step"] == "speaker")
        assert step["factor"] == 1.5 and step["before"] < step["after"] <= 1.0
        assert "This counts for more here: the whole text reads as a seller's copy" \
            in f.explanation
    assert {f.rule for f in sold_without.findings} <= {f.rule for f in sold.findings}


def test_a_reported_price_still_counts_when_the_text_reads_as_informing(checker):
    text = ("Reporters found that clinics were charging families $25,000 for stem cell "
            "infusions for autism. Researchers said no trial supports the treatment, and the "
            "company told us it had stopped the adverts.")
    result = checker.check(text)
    assert result.speaker["informing"]
    prices = [f for f in result.findings if f.category == "price"]
    assert prices and not any(s["step"] == "speaker" for f in prices for s in f.trail)
    others = [a for a in result.set_aside if a["category"] != "price"]
    assert all(any(s["step"] == "speaker" for s in a["trail"]) for a in others
               if not any(s["step"] == "register" for s in a["trail"]))


def test_a_finding_the_register_cue_already_weighed_is_not_weighed_twice():
    from checker.core.hits import RuleHit

    class Rule:
        id, category = "x", "efficacy"

    hit = RuleHit(rule=Rule(), severity="high", start_char=0, end_char=1, text="x",
                  confidence=0.5, trail=[{"step": "rule"},
                                         {"step": "register", "cue": "study", "factor": 0.5}])
    fresh = RuleHit(rule=Rule(), severity="high", start_char=0, end_char=1, text="x",
                    confidence=0.5, trail=[{"step": "rule"}])
    from checker.decide.findings import weigh_by_speaker

    weigh_by_speaker([hit, fresh], {"words": [["said", -1.0]], "seller_probability": 0.1,
                                    "informing": True, "selling": False})
    assert hit.confidence == 0.5
    assert fresh.confidence == 0.05 and fresh.trail[-1]["cue"] == "said"


def test_the_result_carries_the_speaker_in_both_formats(checker, validate):
    from checker.formats import to_v1, to_v2

    result = checker.check(REPORTING)
    for payload in (to_v2(result), to_v1(to_v2(result)), result.to_dict()):
        validate(REPORTING, payload)
        assert payload["speaker"]["reads_as"] == "informer"
    assert result.versions["speaker"].startswith(spk.SPEAKER_FILE + "@")


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_missing_or_corrupt_speaker_model_is_a_clear_error(tmp_path, damage):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    if damage == "missing":
        (models / spk.SPEAKER_FILE).unlink()
    else:
        data = bytearray((models / spk.SPEAKER_FILE).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (models / spk.SPEAKER_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="python -m checker train"):
        Checker(models_dir=models)
    assert Checker(models_dir=models, speaker=False).check(SELLING).speaker is None


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """A corpus/real/ of 40 domains (a few hundred records), enough for five grouped folds."""
    rows = list(records())
    domains = sorted({r["domain"] for r in rows})[:: max(1, len(rows) // 900)][:40]
    keep = [r for r in rows if r["domain"] in set(domains)]
    folder = tmp_path_factory.mktemp("real")
    for kind, name in (("snippet", "snippets.jsonl"), ("page", "pages.jsonl")):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in keep
                                           if r["kind"] == kind))
    return folder, keep


def test_evaluate_cv_prints_the_grouped_cross_validation(small_corpus):
    folder, keep = small_corpus
    out = cli("evaluate", "--cv", str(folder), "--format", "json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["records"] == len(keep)
    assert report["domains"] == len({r["domain"] for r in keep})
    for side in ("without_speaker", "with_speaker"):
        all_ = report[side]["all"]
        assert all_["tp"] + all_["fp"] + all_["fn"] + all_["tn"] == len(keep)
        assert all_["tp"] + all_["fn"] == sum(r["should_flag"] for r in keep)
        assert set(report[side]["category_recall"]) >= {"efficacy", "price"}
    text = cli("evaluate", "--cv", str(folder))
    assert text.returncode == 0 and b"Grouped cross-validation" in text.stdout
    assert b"careful texts in the sellers' words" in text.stdout


def test_evaluate_cv_on_a_folder_that_is_not_a_corpus_is_a_usage_error(tmp_path):
    out = cli("evaluate", "--cv", str(tmp_path))
    assert out.returncode == 2 and b"not a corpus folder" in out.stderr
    assert b"Traceback" not in out.stderr


def test_a_user_reads_how_the_text_reads_on_the_page_in_the_reports_and_the_cli(client):
    from tests.conftest import submit

    page = client.get(submit(client, REPORTING).headers["Location"])
    body = page.get_data(as_text=True)
    assert 'id="reads-heading"' in body and "reads as someone informing" in body
    assert "read as reported or quoted" in body          # the summary says why nothing counts
    location = submit(client, SELLING).headers["Location"]
    for suffix in ("/report.md", "/report.html"):
        report = client.get(location + suffix).get_data(as_text=True)
        assert "This text reads as a seller" in report and "speaker speaker.skops@" in report
    out = cli("check", "--format", "text", stdin=REPORTING)
    assert out.returncode == 0 and b"reads as someone informing" in out.stdout


def test_the_speaker_examples_page_is_up_to_date(checker):
    from checker.core.paths import DOCS_DIR
    from checker.tools.speaker_examples import examples_markdown

    expected = examples_markdown(checker, Checker(speaker=False))
    assert (DOCS_DIR / "speaker-examples.md").read_text() == expected, \
        "run: python -m checker docs (regenerates docs/speaker-examples.md)"
    assert expected.count("\n## ") >= 5 + 1     # five changed verdicts, and the rest


def test_the_fast_reading_is_the_pipelines_arithmetic():
    """read() scores on plain dicts for speed; it must give the pipeline's probabilities and
    the same words behind them."""
    import numpy as np

    model = spk.SpeakerModel.load()
    rows = list(records())[::10]
    texts = train_speaker.texts_of(rows) + [SELLING, REPORTING, "", "Zzz qqq."]
    fast = np.array([model.read(t)[0] for t in texts])
    slow = model.pipeline.predict_proba(texts)[:, 1]
    assert np.abs(fast - slow).max() <= 5e-5          # read() rounds to 4 places
    row = model.vectorizer.transform([SELLING])
    exact = {model.names[j]: model.coef[j] * v for j, v in zip(row.indices, row.data)}
    for word, contribution in model.read(SELLING, top=10)[1]:
        assert abs(exact[word] - contribution) < 1e-4
