"""The claim classifier at use: load it safely, score sentences, name the n-grams behind a score.

``ClaimModel.load`` reads ``models/claim_classifier.skops`` with skops and an explicit list of
trusted types (anything else is refused), checks it against its model card, and scores sentences
either with scikit-learn or with ``FastScorer``, which gives the same probabilities bit for bit
from one sparse product (tests/test_fast_paths.py). Training is checker.tools.train's.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from checker.core.modelfiles import load_verified
from checker.core.paths import CORPUS_DIR, MODELS_DIR
from checker.core.result import CATEGORIES

log = logging.getLogger(__name__)

TRAINING_DIR = CORPUS_DIR / "training"
MODEL_FILE = "claim_classifier.skops"
CARD_JSON = "model_card.json"
CARD_MD = "MODEL_CARD.md"
SEED = 20251008  # the editorial's publication date
CODE_FILES = ("checker/detect/claim_model.py", "checker/tools/train.py")

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
        pipeline, card = load_verified(models_dir / MODEL_FILE, models_dir / CARD_JSON,
                                       TRUSTED_TYPES)
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

