"""Learning from the reviewers: a classifier per topic, trained on the database's own decisions.

Decisions are the reviewers' statuses: ``relevant`` and ``follow-up`` are positive examples,
``dismissed`` negative. With fewer than ``MIN_PER_CLASS`` of either, a topic stays on the rules
alone (cold start). Otherwise ``newsmon learn`` fits, in seconds and without any download,
a logistic regression over

- character 2-3-grams of the title and the start of the text (TF-IDF; characters because
  Japanese has no spaces), and
- what the rules found (crawler/scoring.py): the score against the threshold, Japan's own
  terms, structure matches, foreign and cited documents, words of other subjects,

and stores it with its training size and cross-validated precision and recall in
``relevance_models``. Its probability orders the review queue, fills the ``maybe_missed`` lane
(under the threshold, probability at least ``MAYBE_MISSED``) and flags likely false positives
(relevant by the rules, probability under ``LIKELY_FALSE_POSITIVE``). The rules' evidence is
always kept; the probability is shown beside it, never instead of it.

scikit-learn is imported only when a model is trained or applied.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .scoring import Topic, explain, normalise

#: Decisions needed of each class (relevant/follow-up, dismissed) before a topic gets a model.
MIN_PER_CLASS = 30
#: The format of stored models (``relevance_models.model``): zlib-compressed JSON, version 1.
MODEL_FORMAT = 1
#: An article under the threshold with at least this probability is "maybe missed".
MAYBE_MISSED = 0.5
#: A relevant article with a probability under this is a "likely false positive".
LIKELY_FALSE_POSITIVE = 0.2
#: The cutoff at which cross-validated precision and recall are measured.
CUTOFF = 0.5
#: Characters of the text the classifier reads after the title: the lead says what it is about,
#: and reading all of a long article would make `newsmon rescore` of 100,000 articles slow.
TEXT_CHARS = 1200
#: How much the rules' features weigh against the unit-length n-gram vector.
RULE_SCALE = 2.0
POSITIVE = ("relevant", "follow-up")
NEGATIVE = ("dismissed",)
FEATURES = (f"character 2-3-gram TF-IDF of the title and the first {TEXT_CHARS} characters, "
            "and the rules' score, own terms, structure, foreign/cited documents and other-subject words")


def classifier_text(title: str | None, text: str | None) -> str:
    """What the n-grams are taken from: the normalised title and the start of the text."""
    return normalise(title or "") + "\n" + normalise((text or "")[: TEXT_CHARS + 200])[:TEXT_CHARS]


def rule_features(score: float | None, threshold: float | None, matched_terms: Any) -> list[float]:
    """The rules' findings as numbers in [0, 1] (``matched_terms`` as stored: JSON or a list)."""
    if isinstance(matched_terms, str):
        try:
            matched_terms = json.loads(matched_terms)
        except ValueError:
            matched_terms = []
    terms = [m for m in matched_terms or [] if isinstance(m, dict)]
    limit = threshold or 6.0
    points = {kind: 0.0 for kind in ("core", "structure", "context", "against")}
    counts = {kind: 0 for kind in ("foreign", "cited")}
    for m in terms:
        kind = m.get("kind", "core")
        if kind in points:
            points[kind] += float(m.get("points") or 0.0)
        elif kind in counts:
            counts[kind] += 1
    return [
        min((score or 0.0) / limit, 3.0) / 3.0,
        1.0 if (score or 0.0) >= limit else 0.0,
        min(points["core"] / limit, 3.0) / 3.0,
        min(points["structure"] / limit, 2.0) / 2.0,
        min(points["context"], 4.0) / 4.0,
        min(-points["against"], 6.0) / 6.0,
        min(counts["foreign"], 3) / 3.0,
        min(counts["cited"], 3) / 3.0,
    ]


class RelevanceModel:
    """TF-IDF character n-grams plus the rules' features, into a logistic regression."""

    def __init__(self, c: float = 4.0, rules: bool = True) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True,
                                          max_features=80_000, dtype=np.float32)
        self.classifier = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=1000)
        #: False: the n-grams alone (bench/relevance compares; newsmon learn always uses both).
        self.rules = rules

    def _matrix(self, texts: list[str], rules: list[list[float]], fit: bool = False):
        import numpy as np
        from scipy.sparse import csr_matrix, hstack

        grams = self.vectorizer.fit_transform(texts) if fit else self.vectorizer.transform(texts)
        extra = csr_matrix(np.asarray(rules, dtype="float32") * (RULE_SCALE if self.rules else 0.0))
        return hstack([grams, extra], format="csr")

    def fit(self, texts: list[str], rules: list[list[float]], labels: list[int]) -> RelevanceModel:
        self.classifier.fit(self._matrix(texts, rules, fit=True), labels)
        return self

    def predict(self, texts: list[str], rules: list[list[float]]) -> list[float]:
        """The probability of relevance of each article."""
        if not texts:
            return []
        return [float(p) for p in self.classifier.predict_proba(self._matrix(texts, rules))[:, 1]]

    # A model is stored as data (JSON: vocabulary, idf, weights), never as a pickle: a database
    # file is passed between analysts, and unpickling one from someone else could run their code.

    def to_bytes(self) -> bytes:
        """The fitted model as zlib-compressed JSON."""
        state = {
            "format": MODEL_FORMAT, "rules": self.rules, "C": self.classifier.C,
            "vocabulary": {gram: int(i) for gram, i in self.vectorizer.vocabulary_.items()},
            "idf": [float(x) for x in self.vectorizer.idf_],
            "classes": [int(c) for c in self.classifier.classes_],
            "coef": [float(x) for x in self.classifier.coef_[0]],
            "intercept": float(self.classifier.intercept_[0]),
        }
        return zlib.compress(json.dumps(state, ensure_ascii=False).encode("utf-8"), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> RelevanceModel:
        """A model stored by :meth:`to_bytes`.

        Raises:
            ValueError: not such a model (another format, a damaged blob).
        """
        import numpy as np

        try:
            state = json.loads(zlib.decompress(data).decode("utf-8"))
        except (zlib.error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"not a stored newsmon model: {exc}") from None
        if not isinstance(state, dict) or state.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a stored newsmon model of format {MODEL_FORMAT}")
        model = cls(c=float(state["C"]), rules=bool(state["rules"]))
        model.vectorizer.set_params(vocabulary=state["vocabulary"], max_features=None)
        model.vectorizer.fit(["  "])  # fixes the vocabulary; the idf comes from the stored model
        model.vectorizer.idf_ = np.asarray(state["idf"], dtype=np.float32)
        model.classifier.classes_ = np.asarray(state["classes"])
        model.classifier.coef_ = np.asarray([state["coef"]], dtype=np.float64)
        model.classifier.intercept_ = np.asarray([state["intercept"]], dtype=np.float64)
        return model


@dataclass(frozen=True)
class Example:
    text: str
    rules: list[float]
    label: int


@dataclass(frozen=True)
class Training:
    """What one ``learn`` of one topic did."""

    topic: str
    positives: int
    negatives: int
    model_id: int | None = None          # None: cold start, not trained
    cv_precision: float | None = None
    cv_recall: float | None = None
    cv_folds: int | None = None
    seconds: float | None = None


def examples(rows: Iterable[Mapping[str, Any]], topic: str, only_topic: bool) -> list[Example]:
    """The decisions that teach ``topic``: those scored for it, and those nothing matched
    (dismissed ones teach every topic; relevant ones only when there is one topic)."""
    out = []
    for row in rows:
        label = 1 if row["status"] in POSITIVE else 0 if row["status"] in NEGATIVE else None
        if label is None or not (row["topic"] == topic or (row["topic"] is None and (only_topic or label == 0))):
            continue
        out.append(Example(classifier_text(row["title"], row["text"]),
                           rule_features(row["score"], row["threshold"], row["matched_terms"]), label))
    return out


def cross_validate(data: list[Example], folds: int = 5, seed: int = 0) -> tuple[float, float, int]:
    """Precision and recall at ``CUTOFF`` of models trained on the other folds; and the folds."""
    from sklearn.model_selection import StratifiedKFold

    labels = [e.label for e in data]
    folds = max(2, min(folds, labels.count(0), labels.count(1)))
    tp = fp = fn = 0
    for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(labels, labels):
        model = RelevanceModel().fit([data[i].text for i in train], [data[i].rules for i in train],
                                     [data[i].label for i in train])
        for i, p in zip(test, model.predict([data[i].text for i in test], [data[i].rules for i in test])):
            tp += p >= CUTOFF and data[i].label == 1
            fp += p >= CUTOFF and data[i].label == 0
            fn += p < CUTOFF and data[i].label == 1
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0), folds


def learn(db, topics: Mapping[str, Topic], *, min_per_class: int = MIN_PER_CLASS,
          now: str | None = None) -> list[Training]:
    """Train a model per topic from the database's decisions and store it (cold start: none)."""
    from storage import queries

    rows = list(queries.decisions(db))
    out = []
    for key in topics:
        data = examples(rows, key, len(topics) == 1)
        pos, neg = sum(e.label for e in data), sum(1 - e.label for e in data)
        if pos < min_per_class or neg < min_per_class:
            out.append(Training(key, pos, neg))
            continue
        import sklearn

        started = time.monotonic()
        precision, recall, folds = cross_validate(data)
        model = RelevanceModel().fit([e.text for e in data], [e.rules for e in data], [e.label for e in data])
        seconds = time.monotonic() - started
        model_id = queries.save_model(db, {
            "topic": key, "trained_at": now or datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "positives": pos, "negatives": neg, "cv_folds": folds, "cv_precision": round(precision, 4),
            "cv_recall": round(recall, 4), "cutoff": CUTOFF, "flag_below": LIKELY_FALSE_POSITIVE,
            "features": FEATURES, "library": f"scikit-learn {sklearn.__version__}",
            "train_seconds": round(seconds, 3), "model": model.to_bytes()})
        out.append(Training(key, pos, neg, model_id, precision, recall, folds, seconds))
    return out


# --- applying --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Loaded:
    """A stored model, ready to predict."""

    id: int
    topic: str
    model: RelevanceModel
    cutoff: float
    flag_below: float


def load_models(db) -> dict[str, Loaded]:
    """The newest model of each topic; a model this scikit-learn cannot read is left out
    (``newsmon learn`` trains it again)."""
    from storage import queries

    if "relevance_models" not in db.table_names():
        return {}
    out = {}
    for topic, row in queries.latest_models(db).items():
        try:
            model = RelevanceModel.from_bytes(row["model"])
        except ValueError:  # another format (a newer newsmon's): newsmon learn trains it again
            continue
        out[topic] = Loaded(row["id"], topic, model, row["cutoff"], row["flag_below"])
    return out


_CACHE: dict[tuple[int, str], tuple[int | None, dict[str, Loaded]]] = {}


def current_models(db) -> dict[str, Loaded]:
    """:func:`load_models`, cached per connection until a newer model is stored."""
    from storage import queries

    latest = queries.latest_model_id(db)
    key = (id(db.conn), db.execute("PRAGMA database_list").fetchone()[2])
    cached = _CACHE.get(key)
    if cached is None or cached[0] != latest:
        cached = (latest, load_models(db) if latest is not None else {})
        _CACHE[key] = cached
    return cached[1]


def flag(relevant: bool | int, p: float | None, model: Loaded | None = None) -> str | None:
    """What the probability suggests about the rules' decision."""
    if p is None:
        return None
    below = model.flag_below if model else LIKELY_FALSE_POSITIVE
    if relevant and p < below:
        return "likely-false-positive"
    if not relevant and p >= MAYBE_MISSED:
        return "maybe-missed"
    return None


def candidate(row: Mapping[str, Any]) -> bool:
    """Whether the classifier reads the article: only when the rules matched something of a
    topic (``topic`` set), so that rescoring a large archive stays fast; an article that names
    nothing of any topic is left out."""
    return row.get("topic") is not None


def classify(rows: list[Mapping[str, Any]],
             models: Mapping[str, Loaded]) -> list[tuple[int, float | None, int | None, str | None]]:
    """``(id, probability, model id, flag)`` of each row (id, title, text, topic, score,
    threshold, relevant, matched_terms); probability None without a model or candidate."""
    out: list[tuple[int, float | None, int | None, str | None]] = []
    if not models:
        return [(row["id"], None, None, None) for row in rows]
    by_model: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        if not candidate(row):
            out.append((row["id"], None, None, None))
        elif row["topic"] in models:
            by_model.setdefault(row["topic"], []).append(row)
        else:
            out.append((row["id"], None, None, None))
    # Each row is read by its own topic's model only (its group).
    for key, group in by_model.items():
        model = models[key]
        probs = model.model.predict([classifier_text(r["title"], r["text"]) for r in group],
                                    [rule_features(r["score"], r["threshold"], r["matched_terms"]) for r in group])
        out.extend((row["id"], round(p, 4), model.id, flag(row["relevant"], p, model)) for row, p in zip(group, probs))
    return out


def apply(db, models: Mapping[str, Loaded] | None = None, batch: int = 2000) -> dict[str, int]:
    """Recompute every article's probability and flag with the newest models; counts."""
    from storage import queries

    models = load_models(db) if models is None else models
    counts = {"classified": 0, "maybe-missed": 0, "likely-false-positive": 0}
    last = 0
    while True:
        rows = list(db.query(
            "SELECT id, title, text, topic, score, threshold, relevant, matched_terms, status FROM articles "
            "WHERE id > ? ORDER BY id LIMIT ?", [last, batch]))
        if not rows:
            return counts
        updates = classify(rows, models)
        queries.update_relevance(db, updates)
        unreviewed = {row["id"] for row in rows if row["status"] == "new"}
        for article_id, p, _, flagged in updates:
            counts["classified"] += p is not None
            if flagged and article_id in unreviewed:
                # As status and the desk count them: a reviewed article is in no lane.
                counts[flagged] += 1
        last = rows[-1]["id"]


def annotate(db, record: dict[str, Any]) -> None:
    """Add the classifier's probability and flag to an article about to be stored (a crawl,
    an ingest): nothing when no model is trained."""
    models = current_models(db)
    if not models:
        return
    row = {"id": 0, **{k: record.get(k) for k in ("title", "text", "topic", "score", "threshold",
                                                 "relevant", "matched_terms")}}
    (_, p, model_id, flagged), = classify([row], models)
    record.update(relevance_p=p, relevance_model_id=model_id, relevance_flag=flagged)


# --- reporting -------------------------------------------------------------------------------

def decision_counts(db) -> tuple[int, int]:
    """(positive, negative) decisions in the database, all topics."""
    row = db.execute(
        "SELECT sum(status IN ('relevant', 'follow-up')), sum(status = 'dismissed') FROM articles").fetchone()
    return int(row[0] or 0), int(row[1] or 0)


def status_lines(db, min_per_class: int = MIN_PER_CLASS) -> list[str]:
    """One line per topic model for ``newsmon status``; a cold-start line when there is none."""
    from storage import queries

    if "relevance_models" not in db.table_names():
        return []
    models = queries.latest_models(db, with_blob=False)
    if not models:
        pos, neg = decision_counts(db)
        return [f"classifier: rules only (cold start): {pos} relevant/follow-up and {neg} dismissed decisions, "
                f"{min_per_class} of each needed; then run newsmon learn"]
    lines = []
    for topic, row in models.items():
        flags = dict(db.execute(
            "SELECT relevance_flag, count(*) FROM articles WHERE relevance_model_id = ? AND status = 'new' "
            "AND relevance_flag IS NOT NULL GROUP BY relevance_flag", [row["id"]]).fetchall())
        lines.append(
            f"classifier {topic}: trained {row['trained_at'][:16].replace('T', ' ')} on "
            f"{row['positives'] + row['negatives']} decisions ({row['positives']} relevant, {row['negatives']} "
            f"dismissed); cross-validated precision {row['cv_precision']:.2f}, recall {row['cv_recall']:.2f}; "
            f"{flags.get('maybe-missed', 0)} maybe missed, {flags.get('likely-false-positive', 0)} "
            "likely false positives")
    return lines


def explain_article(db, article_id: int, topics: Mapping[str, Topic]) -> dict[str, Any]:
    """The scoring trace of a stored article (:func:`crawler.scoring.explain`) with what is
    stored for it and the classifier's view; for ``newsmon explain`` and the review UI.

    Raises:
        storage.exceptions.ArticleNotFound: no article has ``article_id``.
    """
    from storage.exceptions import ArticleNotFound

    rows = list(db.query(
        "SELECT id, url, title, text, outlet, topic, score, threshold, relevant, status, matched_terms, "
        "relevance_p, relevance_model_id, relevance_flag FROM articles WHERE id = ?", [article_id]))
    if not rows:
        raise ArticleNotFound(f"no article has id {article_id}")
    row = rows[0]
    from .scoring import score_article
    from .store import matched_term

    # Cached: the review UI explains on every article page view, and rebuilding a model from
    # its blob takes ~190 ms at an 80k vocabulary.
    models = current_models(db)
    trace = explain(row["title"], row["text"] or "", topics)
    probabilities: dict[str, float] = {}
    for entry in trace["topics"]:
        model = models.get(entry["topic"])
        if model is None:
            continue
        score, = score_article(row["title"], row["text"] or "", {entry["topic"]: topics[entry["topic"]]})
        matched = [matched_term(m) for m in score.matches]
        p, = model.model.predict([classifier_text(row["title"], row["text"])],
                                 [rule_features(score.score, score.threshold, matched)])
        probabilities[entry["topic"]] = round(p, 4)
        entry["probability"] = round(p, 4)
        entry["model"] = {"id": model.id, "cutoff": model.cutoff, "flag_below": model.flag_below}
    trace["article"] = {k: row[k] for k in ("id", "url", "title", "outlet", "status")}
    trace["stored"] = {k: row[k] for k in ("topic", "score", "threshold", "relevant", "relevance_p",
                                           "relevance_model_id", "relevance_flag")}
    trace["flag"] = None
    if trace["topics"]:
        top = trace["topics"][0]
        top_p = top.get("probability")
        trace["flag"] = flag(top["relevant"], top_p, models.get(top["topic"])) if top_p is not None else None
    return trace
