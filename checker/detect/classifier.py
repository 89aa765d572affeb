"""The claim classifier: a small, explainable scikit-learn model over sentences.

* ``load_corpus`` reads ``corpus/training/*.jsonl`` (text, labels, source, note).
* ``build_pipeline`` is a named ``Pipeline``: word 1-2-grams and character 2-5-grams (TF-IDF),
  then one-vs-rest logistic regression with sigmoid-calibrated probabilities, one per category.
* ``train`` fits it with fixed seeds, cross-validates it, picks a decision threshold per
  category, and ``save`` writes it with skops beside a model card (Markdown and JSON).
* ``ClaimModel`` loads it safely (skops, with an explicit list of trusted types), scores
  sentences, and names the n-grams that drove each score.

Nothing here downloads anything; the model is trained from our own corpus in seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from checker.core.errors import ModelError
from checker.core.paths import CORPUS_DIR, MODELS_DIR, ROOT
from checker.core.result import CATEGORIES
from checker.detect.base import Detection

log = logging.getLogger(__name__)

TRAINING_DIR = CORPUS_DIR / "training"
MODEL_FILE = "claim_classifier.skops"
CARD_JSON = "model_card.json"
CARD_MD = "MODEL_CARD.md"
SEED = 20251008  # the editorial's publication date
CODE_FILES = ("checker/classifier.py",)
REBUILD_HINT = "rebuild it with: python -m checker train"

# The only types a model file may contain; anything else is refused when loading.
TRUSTED_TYPES = [
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int",
    "builtins.float", "builtins.bool", "builtins.NoneType", "builtins.slice",
    "numpy.dtype", "numpy.float64", "numpy.int64", "numpy.int32", "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix", "scipy.sparse._csr.csr_array",
    "sklearn.pipeline.Pipeline", "sklearn.pipeline.FeatureUnion",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.preprocessing._label.MultiLabelBinarizer",
    "sklearn.utils._bunch.Bunch",
]


# -- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    source: str
    file: str


def training_files(directory: Path = TRAINING_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


def load_corpus(directory: Path = TRAINING_DIR) -> list[Example]:
    examples: list[Example] = []
    for path in training_files(directory):
        for n, line in enumerate(path.read_text(encoding="utf8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                labels = tuple(record["labels"])
                text = record["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ModelError(f"{path.name}:{n}: not a training record ({exc})") from None
            unknown = set(labels) - set(CATEGORIES)
            if unknown:
                raise ModelError(f"{path.name}:{n}: unknown label(s) {sorted(unknown)}")
            examples.append(Example(text, labels, record.get("source", ""), path.name))
    if not examples:
        raise ModelError(f"no training sentences in {directory}")
    return examples


def corpus_hash(directory: Path = TRAINING_DIR) -> str:
    digest = hashlib.sha256()
    for path in training_files(directory):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


def code_hash() -> str:
    digest = hashlib.sha256()
    for name in CODE_FILES:
        digest.update((ROOT / name).read_bytes())
    return "sha256:" + digest.hexdigest()


def label_matrix(examples: Iterable[Example]) -> np.ndarray:
    return np.array([[c in e.labels for c in CATEGORIES] for e in examples], dtype=np.int8)


# -- the model -------------------------------------------------------------------------------


def build_pipeline(seed: int = SEED):
    """The named pipeline: features, then one calibrated linear model per category."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("words", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=2,
                                  sublinear_tf=True, token_pattern=r"(?u)\b\w[\w'-]*\b",
                                  dtype=np.float64)),
        ("chars", TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(2, 5),
                                  min_df=3, sublinear_tf=True, max_features=20000,
                                  dtype=np.float64)),
    ])
    linear = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear",
                                max_iter=1000, random_state=seed)
    model = OneVsRestClassifier(
        CalibratedClassifierCV(linear, method="sigmoid", cv=3, ensemble=False))
    return Pipeline([("features", features), ("model", model)])


def _cross_validated_probabilities(texts: list[str], y: np.ndarray, seed: int, folds: int = 5
                                   ) -> np.ndarray:
    from sklearn.model_selection import KFold

    out = np.zeros(y.shape, dtype=float)
    for train_idx, test_idx in KFold(folds, shuffle=True, random_state=seed).split(texts):
        pipe = build_pipeline(seed)
        pipe.fit([texts[i] for i in train_idx], y[train_idx])
        out[test_idx] = pipe.predict_proba([texts[i] for i in test_idx])
    return out


def _prf(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    tp = int(np.sum(gold & pred))
    fp = int(np.sum(~gold & pred))
    fn = int(np.sum(gold & ~pred))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "support": int(np.sum(gold))}


def choose_thresholds(y: np.ndarray, proba: np.ndarray, min_precision: float = 0.8
                      ) -> dict[str, float]:
    """Per category, the lowest threshold whose cross-validated precision reaches the floor.

    Lower thresholds find more claims; the floor keeps false alarms rare. Where no threshold
    reaches it, the one with the best F1 is used.
    """
    thresholds = {}
    grid = np.round(np.arange(0.30, 0.96, 0.05), 2)
    for k, category in enumerate(CATEGORIES):
        gold = y[:, k].astype(bool)
        best_f1, best_t, chosen = -1.0, 0.5, None
        for t in grid:
            m = _prf(gold, proba[:, k] >= t)
            if m["f1"] > best_f1:
                best_f1, best_t = m["f1"], float(t)
            if chosen is None and m["precision"] >= min_precision:
                chosen = float(t)
        thresholds[category] = chosen if chosen is not None else best_t
    return thresholds


@dataclass
class TrainingReport:
    card: dict[str, Any]
    pipeline: Any


def train(directory: Path = TRAINING_DIR, seed: int = SEED, folds: int = 5) -> TrainingReport:
    """Fit the pipeline on the whole corpus, with cross-validated figures for the card."""
    import sklearn

    examples = load_corpus(directory)
    texts = [e.text for e in examples]
    y = label_matrix(examples)
    started = time.perf_counter()
    proba = _cross_validated_probabilities(texts, y, seed, folds)
    thresholds = choose_thresholds(y, proba)
    cv = {c: _prf(y[:, k].astype(bool), proba[:, k] >= thresholds[c])
          for k, c in enumerate(CATEGORIES)}
    cv_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pipeline = build_pipeline(seed).fit(texts, y)
    fit_seconds = time.perf_counter() - started
    for _name, vectorizer in pipeline.named_steps["features"].transformer_list:
        # Only kept for introspection, and it lists every pruned n-gram: megabytes for nothing.
        vectorizer.stop_words_ = None
        # numpy integers would each become a file in the skops archive; plain ints are JSON.
        vectorizer.vocabulary_ = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
    counts = {c: int(y[:, k].sum()) for k, c in enumerate(CATEGORIES)}
    card = {
        "model": MODEL_FILE,
        "trained": time.strftime("%Y-%m-%d"),
        "seed": seed,
        "sklearn": sklearn.__version__,
        "data": {
            "sentences": len(examples),
            "negatives": int((y.sum(axis=1) == 0).sum()),
            "per_category": counts,
            "files": {p.name: sum(1 for e in examples if e.file == p.name)
                      for p in training_files(directory)},
            "hash": corpus_hash(directory),
        },
        "code_hash": code_hash(),
        "thresholds": thresholds,
        "cross_validation": {"folds": folds, "per_category": cv},
        "training_seconds": round(fit_seconds, 2),
        "cross_validation_seconds": round(cv_seconds, 2),
    }
    return TrainingReport(card, pipeline)


def save(report: TrainingReport, models_dir: Path = MODELS_DIR) -> Path:
    import skops.io as sio

    models_dir.mkdir(parents=True, exist_ok=True)
    path = models_dir / MODEL_FILE
    # skops writes vocabularies as JSON; deflating the archive shrinks it about tenfold.
    sio.dump(report.pipeline, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    report.card["size_bytes"] = path.stat().st_size
    report.card["file_sha256"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    (models_dir / CARD_JSON).write_text(json.dumps(report.card, indent=2, sort_keys=True) + "\n")
    (models_dir / CARD_MD).write_text(card_markdown(report.card))
    return path


def card_markdown(card: dict[str, Any]) -> str:
    data = card["data"]
    lines = [
        "# Model card: claim classifier",
        "",
        "A sentence classifier that catches the claims the rules did not foresee. It is one part",
        "of the Clinic Claim Checker; its findings are marked `origin: \"classifier\"` and carry",
        "their probability and the n-grams that drove it.",
        "",
        "| | |",
        "|---|---|",
        f"| file | `models/{card['model']}` (skops; {card.get('size_bytes', 0):,} bytes) |",
        f"| trained | {card['trained']} with scikit-learn {card['sklearn']}, seed {card['seed']} |",
        f"| training time | {card['training_seconds']} s (cross-validation {card['cross_validation_seconds']} s) |",
        f"| training data | {data['sentences']:,} sentences ({data['negatives']:,} with no label), `{data['hash'][:23]}...` |",
        f"| code | `{card['code_hash'][:23]}...` (checker/classifier.py) |",
        "",
        "## Model",
        "",
        "Word 1-2-grams and character 2-5-grams (TF-IDF, sublinear), one logistic regression per",
        "category (one-vs-rest, class-balanced), probabilities calibrated with a sigmoid fitted on",
        "3-fold cross-validated scores. Explanations pair each feature with its coefficient.",
        "",
        "## Training data",
        "",
        "Written for this project (see `corpus/training/README.md`); nothing from `../shared/data`.",
        "",
        "| category | sentences |",
        "|---|---|",
    ]
    lines += [f"| {c} | {n} |" for c, n in data["per_category"].items()]
    lines += ["", "| file | sentences |", "|---|---|"]
    lines += [f"| {f} | {n} |" for f, n in data["files"].items()]
    cv = card["cross_validation"]
    lines += ["", f"## Cross-validated, {cv['folds']} folds (sentence level)", "",
              "| category | threshold | precision | recall | F1 | support |", "|---|---|---|---|---|---|"]
    for c, m in cv["per_category"].items():
        lines.append(f"| {c} | {card['thresholds'][c]:.2f} | {m['precision']:.3f} | "
                     f"{m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    dev = card.get("dev_real")
    if dev:
        lines += ["", "## On real adverts: `../shared/data/dev_real.jsonl` (document level)", "",
                  f"Measured {dev.get('measured', '')} with `python -m checker evaluate`; a",
                  "document is flagged when its level is medium or high; a category is predicted",
                  "when the document has a finding of that category.", ""]
        for mode in ("rules", "rules_and_classifier"):
            if mode not in dev:
                continue
            d = dev[mode]["document"]
            lines += [f"### {mode.replace('_', ' ')}", "",
                      f"documents {dev[mode]['documents']}: precision {d['precision']:.3f}, "
                      f"recall {d['recall']:.3f}, F1 {d['f1']:.3f}, false-positive rate "
                      f"{d['false_positive_rate']:.3f}", "",
                      "| category | precision | recall | F1 | support |", "|---|---|---|---|---|"]
            for c, m in dev[mode]["categories"].items():
                lines.append(f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | "
                             f"{m['f1']:.3f} | {m['support']} |")
            lines.append("")
    lines += ["", "## Limits", "",
              "* It reads single sentences: a claim spread over two sentences is seen in halves.",
              "* It learned from sentences we wrote; real adverts differ, so the dev-set figures",
              "  above are the honest measure, and the held-out set will differ again.",
              "* Its findings never stand alone as proof: they say which words made the model",
              "  think so, and hedges and the register of the whole text still weigh them.", ""]
    return "\n".join(lines)


# -- using the model --------------------------------------------------------------------------


@dataclass(frozen=True)
class SentenceScore:
    category: str
    probability: float
    threshold: float
    features: list[tuple[str, float]]


class FastScorer:
    """The fitted pipeline's probabilities, computed without scikit-learn's per-call overhead.

    scikit-learn validates its input at every step of every call (array checks, narwhals
    dataframe sniffing, signature inspection); for a handful of sentences that costs far more
    than the arithmetic. This class reads the fitted state of the pipeline (the vectorizers'
    analyzers, vocabularies and idf, each model's coefficients and intercept, each sigmoid
    calibrator's a and b) and repeats the very same floating-point operations, in the same
    order, on arrays of the same layout:

    * counts per n-gram, columns sorted within each row (``CountVectorizer._count_vocab``),
      the vectorizers' blocks side by side (``FeatureUnion``), counted in one pass;
    * ``log(count) + 1``, times idf, then each block of each row divided by its L2 norm, by the
      same compiled routine (``TfidfTransformer.transform``, ``normalize``);
    * the sparse product with every category's coefficients plus its intercept
      (``LogisticRegression.decision_function``), then ``expit(-(a * score + b))``
      (``_SigmoidCalibration.predict``).

    So its probabilities are equal, bit for bit, to ``pipeline.predict_proba``; a test checks
    that on thousands of sentences. The character n-grams of each word are remembered, since the
    same words come back in every advert. ``FastScorer.build`` returns None for a pipeline of
    any other shape, and the model then scores through scikit-learn.
    """

    MAX_CACHED_WORDS = 200_000

    def __init__(self, vectorizers: list[Any], coefs: list[np.ndarray],
                 intercepts: list[np.ndarray], calibrators: list[tuple[Any, Any]]) -> None:
        self.vectorizers = vectorizers
        self.offsets = [int(x) for x in np.cumsum([0] + [len(v.vocabulary_) for v in vectorizers])[:-1]]
        self.n_features = int(sum(len(v.vocabulary_) for v in vectorizers))
        # every category's coefficients as one (n_features, categories) matrix
        self.coef_matrix = np.ascontiguousarray(np.hstack([c.T for c in coefs]))
        self.intercepts = intercepts
        self.calibrators = calibrators
        self._token_patterns = [re.compile(v.token_pattern) for v in vectorizers]
        self._word_ngrams: list[dict[str, tuple[int, ...]]] = [{} for _ in vectorizers]
        # Each vectorizer's n-grams by their column in the joined matrix (FeatureUnion's order),
        # and the idf of every column, so the blocks are counted and weighed in one pass.
        self._vocabularies = [{term: column + offset for term, column in v.vocabulary_.items()}
                              for v, offset in zip(vectorizers, self.offsets)]
        self._idf = np.concatenate([v.idf_ for v in vectorizers])
        self._block_starts = np.asarray(self.offsets, dtype=np.int64)

    @classmethod
    def build(cls, pipeline: Any) -> "FastScorer | None":
        """A scorer for our pipeline's shape (see ``build_pipeline``), or None for another."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import FeatureUnion

        try:
            features = pipeline.named_steps["features"]
            model = pipeline.named_steps["model"]
            vectorizers = [v for _name, v in features.transformer_list]
            fits = (isinstance(features, FeatureUnion) and features.transformer_weights is None
                    and isinstance(model, OneVsRestClassifier) and model.multilabel_
                    and len(pipeline.steps) == 2
                    and all(type(v) is TfidfVectorizer and cls._plain(v) for v in vectorizers))
            coefs, intercepts, calibrators = [], [], []
            for estimator in model.estimators_ if fits else []:
                calibrated = estimator.calibrated_classifiers_
                inner = calibrated[0] if len(calibrated) == 1 else None
                if not (isinstance(estimator, CalibratedClassifierCV) and inner is not None
                        and inner.method == "sigmoid" and len(inner.calibrators) == 1
                        and list(inner.classes) == [0, 1]
                        and type(inner.estimator) is LogisticRegression
                        and inner.estimator.coef_.shape[0] == 1):
                    fits = False
                    break
                coefs.append(inner.estimator.coef_)
                intercepts.append(inner.estimator.intercept_)
                calibrators.append((inner.calibrators[0].a_, inner.calibrators[0].b_))
        except (AttributeError, KeyError, TypeError, IndexError):
            fits = False
        if not fits:
            log.info("the model's pipeline is not the shape FastScorer knows; using scikit-learn")
            return None
        return cls(vectorizers, coefs, intercepts, calibrators)

    @staticmethod
    def _plain(v: Any) -> bool:
        """Default text handling: content input, lower-casing, idf, sublinear tf, L2 rows."""
        return (v.input == "content" and v.lowercase and v.preprocessor is None
                and v.strip_accents is None and v.tokenizer is None and v.stop_words is None
                and not v.binary and v.use_idf and v.sublinear_tf and v.norm == "l2"
                and v.dtype is np.float64 and v.analyzer in ("word", "char_wb")
                and hasattr(v, "idf_") and hasattr(v, "vocabulary_"))

    def _columns(self, k: int, sentence: str) -> list[int]:
        """Vectorizer ``k``'s n-grams of ``sentence``, as columns of the joined matrix."""
        vectorizer = self.vectorizers[k]
        vocabulary = self._vocabularies[k]
        if vectorizer.analyzer == "word":
            # sklearn's word analyzer: lower-case, the token pattern, then n-grams joined by
            # spaces; the order of the n-grams does not matter once they are counted.
            tokens = self._token_patterns[k].findall(vectorizer.decode(sentence).lower())
            low, high = vectorizer.ngram_range
            columns: list[int] = []
            get = vocabulary.get
            for n in range(low, min(high, len(tokens)) + 1):
                grams = tokens if n == 1 else map(" ".join, zip(*(tokens[j:] for j in range(n))))
                columns.extend([c for g in grams if (c := get(g)) is not None])
            return columns
        # char_wb: n-grams never cross a word, so each word's columns can be remembered.
        cache = self._word_ngrams[k]
        if len(cache) > self.MAX_CACHED_WORDS:
            cache.clear()
        columns = []
        text = vectorizer._white_spaces.sub(" ", vectorizer.decode(sentence).lower())
        for word in text.split():
            found = cache.get(word)
            if found is None:
                found = cache[word] = tuple(vocabulary[g] for g in vectorizer._char_wb_ngrams(word)
                                            if g in vocabulary)
            columns.extend(found)
        return columns

    def features(self, sentences: list[str]) -> Any:
        """The FeatureUnion's output: each vectorizer's TF-IDF block side by side, as CSR.

        Every block is counted in one pass: each (sentence, column) pair once, with its count,
        sorted (``CountVectorizer._count_vocab``, then ``hstack``, whose order is the same since
        each block's columns follow the one before). Each block of each row is then one segment
        for the L2 normalisation, so every block is normalised on its own, over the same values
        in the same order, as ``TfidfTransformer`` does.
        """
        from scipy.sparse import csr_matrix
        from sklearn.utils.sparsefuncs_fast import _inplace_csr_row_normalize_l2

        n, width, blocks = len(sentences), self.n_features, len(self.vectorizers)
        columns: list[int] = []
        lengths: list[int] = []
        for sentence in sentences:
            before = len(columns)
            for k in range(blocks):
                columns.extend(self._columns(k, sentence))
            lengths.append(len(columns) - before)
        keys = np.repeat(np.arange(n, dtype=np.int64) * width, lengths)
        keys += np.asarray(columns, dtype=np.int64)
        keys.sort()
        # np.unique(keys, return_counts=True), without its generality
        first = np.empty(keys.size, dtype=bool)
        first[:1] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, keys.size))
        keys = keys[starts]
        bounds = (np.arange(n, dtype=np.int64)[:, None] * width + self._block_starts).ravel()
        segments = np.searchsorted(keys, np.append(bounds, n * width)).astype(np.int32)
        indices = (keys % width).astype(np.int32)
        data = counts.astype(np.float64)
        np.log(data, data)
        data += 1.0
        data *= self._idf[indices]
        _inplace_csr_row_normalize_l2(data, (n * blocks, width), indices, segments)
        return csr_matrix((data, indices, segments[::blocks]), shape=(n, width))

    def predict_proba(self, features: Any) -> np.ndarray:
        """One calibrated probability per sentence and category, as ``predict_proba``."""
        from scipy.special import expit

        # One product for all categories: scipy sums each row's terms in the same order as
        # one column at a time, so the scores are the same, bit for bit.
        scores = features @ self.coef_matrix
        out = np.empty(scores.shape)
        for k, (intercept, (a, b)) in enumerate(zip(self.intercepts, self.calibrators)):
            out[:, k] = expit(-(a * (scores[:, k] + intercept) + b))
        return out


class ClaimModel:
    """A loaded model: scores sentences and explains each score by its top features."""

    def __init__(self, pipeline: Any, card: dict[str, Any]) -> None:
        self.pipeline = pipeline
        self.card = card
        self.thresholds = {c: float(card["thresholds"][c]) for c in CATEGORIES}
        self.version = f"{card['model']}@{card['file_sha256'][7:23]}"
        features = pipeline.named_steps["features"]
        self.feature_names = np.asarray(features.get_feature_names_out())
        # The base estimator of each category's calibrated classifier holds the coefficients.
        estimators = pipeline.named_steps["model"].estimators_
        self.coef = np.vstack([e.calibrated_classifiers_[0].estimator.coef_.ravel()
                               for e in estimators])
        self._names = [str(name) for name in self.feature_names]
        self.fast = FastScorer.build(pipeline)

    @classmethod
    def load(cls, models_dir: Path = MODELS_DIR) -> "ClaimModel":
        import skops.io as sio

        path = models_dir / MODEL_FILE
        card_path = models_dir / CARD_JSON
        if not path.exists() or not card_path.exists():
            raise ModelError(f"the classifier model is missing ({path}); {REBUILD_HINT}")
        try:
            card = json.loads(card_path.read_text())
            expected = card["file_sha256"]
        except (json.JSONDecodeError, KeyError) as exc:
            raise ModelError(f"the model card {card_path} is unreadable ({exc}); {REBUILD_HINT}") from None
        actual = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise ModelError(f"the model file {path} does not match its model card "
                             f"(corrupt or replaced); {REBUILD_HINT}")
        try:
            untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
            if untrusted:
                raise ModelError(f"the model file {path} contains types we do not trust: "
                                 f"{sorted(untrusted)}; {REBUILD_HINT}")
            pipeline = sio.load(path, trusted=TRUSTED_TYPES)
        except ModelError:
            raise
        except Exception as exc:  # skops raises many kinds of errors for a damaged file
            raise ModelError(f"the model file {path} cannot be read ({type(exc).__name__}); "
                             f"{REBUILD_HINT}") from None
        return cls(pipeline, card)

    def features_and_probabilities(self, sentences: list[str]) -> tuple[Any, np.ndarray]:
        """The feature rows and the calibrated probabilities (fast path when it applies)."""
        if self.fast is not None:
            features = self.fast.features(sentences)
            return features, self.fast.predict_proba(features)
        features = self.pipeline.named_steps["features"].transform(sentences)
        return features, self.pipeline.named_steps["model"].predict_proba(features)

    def score(self, sentences: list[str], explain: bool = True, top: int = 5
              ) -> list[list[SentenceScore]]:
        """For each sentence, the categories whose probability reaches their threshold."""
        if not sentences:
            return []
        rows, features = self.score_unexplained(sentences)
        if not explain:
            return rows
        return [[replace(s, features=self.top_features(features, i, s.category, top))
                 for s in row] for i, row in enumerate(rows)]

    def score_unexplained(self, sentences: list[str]) -> tuple[list[list[SentenceScore]], Any]:
        """``score`` without the features, and the feature rows to explain a score later.

        Explaining costs more than scoring; the detector explains only the scores it keeps.
        """
        features, proba = self.features_and_probabilities(sentences)
        thresholds = [(k, category, self.thresholds[category])
                      for k, category in enumerate(CATEGORIES)]
        out: list[list[SentenceScore]] = []
        for probabilities in proba.tolist():
            out.append([SentenceScore(category, probabilities[k], t, [])
                        for k, category, t in thresholds if probabilities[k] >= t])
        return out, features

    def probabilities(self, sentences: list[str]) -> np.ndarray:
        return self.pipeline.predict_proba(sentences)

    def top_features(self, features: Any, i: int, category: str, top: int = 5
                     ) -> list[tuple[str, float]]:
        """The n-grams that pushed sentence ``i`` towards ``category`` most, with their weight."""
        k = CATEGORIES.index(category)
        a, b = features.indptr[i], features.indptr[i + 1]
        data, indices = features.data[a:b], features.indices[a:b]
        contrib = data * self.coef[k, indices]
        order = np.argsort(-contrib)[:top]
        names = self._names
        return [(names[indices[j]], round(float(contrib[j]), 4))
                for j in order if contrib[j] > 0]


# -- the classifier as a detector -------------------------------------------------------------


class ClassifierDetector:
    """A finding where the model reads a claim in a sentence (kept where no rule covered it).

    Each category's finding comes from the rule in that category's file whose detector is
    ``classifier`` (its message, severity and citations are data, like every other rule). The
    finding spans the sentence, its confidence starts at the model's probability, and its trail
    names the n-grams that drove the score. Context modifiers (the register of the whole text,
    research framing just before) still apply through ``context.weigh``.
    """

    MIN_WORDS = 3

    def __init__(self, model: ClaimModel, rules: list[Any]) -> None:
        self.model = model
        self.rule_of = {r.category: r for r in rules}

    name = "classifier"

    def analyze(self, document: Any, context: Any) -> Detection:
        """A hit for each sentence where the model reads a claim (the engine then drops those
        that a rule or another detector already found in the same category)."""
        spans = [_trimmed(document, s) for s in document.sents
                 if document.alpha_count(s.start, s.end) >= self.MIN_WORDS]
        if not spans:
            return Detection()
        scores, features = self.model.score_unexplained(
            [document.span_text(start, end) for start, end in spans])
        hits = []
        for i, ((first_token, end_token), sentence_scores) in enumerate(zip(spans, scores)):
            for s in sentence_scores:
                rule = self.rule_of.get(s.category)
                if rule is None:
                    continue
                explained = self.model.top_features(features, i, s.category)
                first = {"step": "classifier", "rule": rule.id, "severity": rule.severity,
                         "probability": round(s.probability, 4), "threshold": s.threshold,
                         "features": [{"ngram": n, "weight": w} for n, w in explained],
                         "model": self.model.version}
                hit = context.weigh(rule, first_token, end_token, first,
                                    confidence=round(s.probability, 4), whole_sentence=True)
                if hit is not None:
                    hits.append(hit)
        return Detection(hits)


def _trimmed(document: Any, sentence: Any) -> tuple[int, int]:
    """The sentence's token span without leading or trailing whitespace tokens."""
    start, end = sentence.start, sentence.end
    is_space = document.is_space
    while start < end and is_space[start]:
        start += 1
    while end > start and is_space[end - 1]:
        end -= 1
    return start, end
