"""Result format 2, and the way back to format 1 (docs/result-format-2.md).

Format 1 repeats, in every finding, each editorial quote with its credit line and each regulator
source in full, the rule's message inside its explanation, and every step's confidence before
and after it: a 717-byte advert gave 73 kB of JSON. Format 2 says each thing once:

* ``sources``: the credit line once, and each cited editorial passage (``e:<id>``), regulator
  source (``r:<id>``) and approval fact (``a:<n>``) once; findings cite them by id (``cites``).
* ``rules``: each rule a finding or a question comes from, once: category, severity, message,
  question. A finding's ``explanation`` is that message with what the trail adds (a fact a
  detector found, what softened the claim), so it is not repeated.
* A typed ``trail``: its first step says where the finding came from (``match``, ``price``,
  ``indication``, ``classifier``), then ``context`` (``near``: treatment or medical), then each
  modifier with its ``cue`` and ``factor``; what can be computed (the rule, its severity, the
  confidence before and after each step, the model's version) is not written.
* No ``id`` (it is ``f<n>`` in order), ``weight`` (severity weight x confidence), ``origin``
  (the first step says it), ``category`` (the rule's); ``severity`` only where a detector chose
  another than the rule's; a price finding names its price by index in ``prices``, an
  indication finding its condition's entry in ``indications``.

``to_v1(v2)`` rebuilds format 1 exactly (a test holds every format-2 result to its format-1
twin, byte for byte); ``to_v2(result)`` makes format 2 from a checked ``Result``.
"""

from __future__ import annotations

from typing import Any

from checker.core.result import FORMAT_VERSION as V1, Result
from checker.decide.scoring import finding_weight
from checker.decide.wording import explain

V2 = "2"
FORMATS = (1, 2)
_CONTEXT_CUES = {"treatment": "cell or regenerative treatment named nearby",
                 "medical": "medical treatment named nearby"}
_ORIGIN_STEPS = ("match", "price", "indication", "classifier")
_PRICE_FIELDS = ("amount", "currency", "usd", "unit")
_INDICATION_ENTRY_FIELDS = ("label", "system", "approvals")


def as_format(result: Result, fmt: int | str) -> dict[str, Any]:
    """The result as a dict in format ``fmt`` (1 or 2)."""
    return to_v2(result) if str(fmt) == V2 else result.to_dict()


# -- format 2 from a result -------------------------------------------------------------------


def to_v2(result: Result) -> dict[str, Any]:
    v1 = result.to_dict()
    sources: dict[str, Any] = {}
    credit = None
    approvals: dict[tuple[str, str, str, str], str] = {}

    def cite(c: dict[str, Any], regulator_id: str | None) -> str:
        nonlocal credit
        if c.get("quote"):
            credit = c["credit"]
            key = f"e:{c['passage']}"
            sources[key] = {"quote": c["quote"]}
            return key
        whole = {k: c[k] for k in ("source", "url", "title", "fact") if k in c}
        if regulator_id:
            key = f"r:{regulator_id}"
        else:
            fingerprint = tuple(whole.get(k, "") for k in ("source", "url", "title", "fact"))
            key = approvals.setdefault(fingerprint, f"a:{len(approvals) + 1}")
        sources[key] = whole
        return key

    rules: dict[str, dict[str, Any]] = {}
    findings = []
    for finding, f in zip(result.findings, v1["findings"]):
        info = result.rules[f["rule"]]
        keys = [cite(c, obj.regulator) for c, obj in zip(f["citations"], finding.citations)]
        own = info["citations"]
        if f["rule"] not in rules:
            rules[f["rule"]] = {**{k: v for k, v in info.items() if k != "citations"},
                                "cites": keys[:own]}
        out: dict[str, Any] = {"rule": f["rule"], "start": f["start"], "end": f["end"],
                               "text": f["text"], "confidence": f["confidence"]}
        if f["severity"] != info["severity"]:
            out["severity"] = f["severity"]
        if keys[own:]:
            out["cites"] = keys[own:]
        near, trail = _typed_trail(f["trail"])
        if near:
            out["near"] = near
        out["trail"] = trail
        details = _lean_details(f.get("details"), v1)
        if details:
            out["details"] = details
        if f.get("repeats"):
            out["repeats"] = f["repeats"]
        findings.append(out)
    for rule_id in result.question_rules:
        rules.setdefault(rule_id, {k: v for k, v in result.rules[rule_id].items()
                                   if k != "citations"})
    question_rules = list(result.question_rules)
    v2: dict[str, Any] = {
        "format": V2, "score": v1["score"], "level": v1["level"], "summary": v1["summary"],
        "categories": v1["categories"], "findings": findings,
        "rules": {rid: rules[rid] for rid in sorted(rules)},
        "sources": {"credit": credit, "cited": {k: sources[k] for k in sorted(sources)}}
        if sources else {"credit": None, "cited": {}},
        "questions": question_rules,
        "indications": v1["indications"], "prices": v1["prices"],
        "set_aside": v1["set_aside"],
        "versions": v1["versions"], "input": v1["input"],
    }
    for key in ("omitted", "speaker", "source", "warnings", "options"):
        if key in v1:
            v2[key] = v1[key]
    return v2


def _typed_trail(trail: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]]]:
    """Where a cell treatment (or a medical one) was named nearby, if the rule asked; and the
    trail without what can be computed again."""
    near = None
    out = []
    for i, step in enumerate(trail):
        kind = step["step"]
        if i == 0 and kind in _ORIGIN_STEPS:
            drop = {"rule", "severity", "model"} | (set(_PRICE_FIELDS) if kind == "price" else set())
            if kind == "indication":
                drop |= {"condition", "status", "systems"}
            typed = {k: v for k, v in step.items() if k not in drop}
            if "features" in typed:
                typed["features"] = [[x["ngram"], x["weight"]] for x in typed["features"]]
            out.append(typed)
        elif kind == "context" and i == 1:
            near = next(n for n, cue in _CONTEXT_CUES.items() if cue == step["cue"])
        else:
            out.append({k: v for k, v in step.items() if k not in ("before", "after")})
    return near, out


def _lean_details(details: dict[str, Any] | None, v1: dict[str, Any]) -> dict[str, Any]:
    """Details without what the result holds elsewhere: a price by its index in ``prices``, an
    indication's label, system and approvals from its entry in ``indications``."""
    if not details:
        return {}
    out = dict(details)
    spans = [(p["start"], p["end"]) for p in v1["prices"]]
    if "amount" in out and (out.get("start"), out.get("end")) in spans:
        index = spans.index((out["start"], out["end"]))
        if {k: out[k] for k in v1["prices"][index]} == v1["prices"][index]:
            out = {"price": index, **{k: v for k, v in out.items() if k not in v1["prices"][index]}}
    if "amounts" in out and all((a["start"], a["end"]) in spans and
                                v1["prices"][spans.index((a["start"], a["end"]))] == a
                                for a in out["amounts"]):
        out["amounts"] = [spans.index((a["start"], a["end"])) for a in out["amounts"]]
    if "condition" in out and "label" in out:
        entry = next((e for e in v1["indications"] if e["condition"] == out["condition"]), None)
        if entry is not None and all(entry.get(k) == out.get(k) for k in _INDICATION_ENTRY_FIELDS):
            out = {k: v for k, v in out.items() if k not in _INDICATION_ENTRY_FIELDS}
    return out


# -- back to format 1 -------------------------------------------------------------------------


def to_v1(v2: dict[str, Any]) -> dict[str, Any]:
    """Format 1, exactly as the checker would have written it, from a format-2 result."""
    if v2.get("format") != V2:
        return v2
    rules, cited, credit = v2["rules"], v2["sources"]["cited"], v2["sources"]["credit"]
    model = v2["versions"]["model"]
    findings = []
    for n, f in enumerate(v2["findings"], 1):
        rule = rules[f["rule"]]
        severity = f.get("severity", rule["severity"])
        details = _full_details(f.get("details"), v2)
        trail = _full_trail(f["trail"], f.get("near"), f["rule"], severity, details, model)
        citations = []
        for key in rule.get("cites", []) + f.get("cites", []):
            source = cited[key]
            if key.startswith("e:"):
                citations.append({"source": "editorial", "passage": key[2:],
                                  "quote": source["quote"], "credit": credit})
            else:
                citations.append(dict(source))
        out = {
            "id": f"f{n}", "rule": f["rule"], "category": rule["category"],
            "severity": severity, "start": f["start"], "end": f["end"], "text": f["text"],
            "explanation": explain(rule["message"], trail, details.get("fact") if details else None),
            "citations": citations,
            "origin": "classifier" if trail[0]["step"] == "classifier" else "rule",
            "confidence": f["confidence"],
            "weight": round(finding_weight(severity, f["confidence"]), 4), "trail": trail,
        }
        if details:
            out["details"] = details
        if f.get("repeats"):
            out["repeats"] = f["repeats"]
        findings.append(out)
    v1 = {
        "format": V1, "score": v2["score"], "level": v2["level"], "summary": v2["summary"],
        "categories": v2["categories"], "findings": findings,
        "indications": v2["indications"], "prices": v2["prices"],
        "questions": [rules[r]["question"] for r in v2["questions"]],
        "set_aside": v2["set_aside"], "versions": v2["versions"], "input": v2["input"],
    }
    for key in ("omitted", "speaker", "source", "warnings", "options"):
        if key in v2:
            v1[key] = v2[key]
    return v1


def glance(result: dict[str, Any]) -> dict[str, Any]:
    """What summaries read of a result (format 1 or 2), in format 1's shape: level, score,
    summary, category counts, and each finding's rule, category, severity, text and place;
    indications and prices as they are. A result in format 2 is read directly (its rules give
    each finding's category and severity), without rebuilding every explanation and citation as
    ``to_v1`` does: a dashboard of 1,000 adverts builds in about a second. Format 1 is returned
    as it is."""
    if str(result.get("format")) != V2:
        return result
    rules = result["rules"]
    findings = [{"rule": f["rule"], "category": rules[f["rule"]]["category"],
                 "severity": f.get("severity", rules[f["rule"]]["severity"]),
                 "text": f["text"], "start": f["start"], "end": f["end"]}
                for f in result["findings"]]
    return {"level": result["level"], "score": result["score"], "summary": result["summary"],
            "categories": result["categories"], "findings": findings,
            "indications": result.get("indications", []), "prices": result.get("prices", [])}


def _full_details(details: dict[str, Any] | None, v2: dict[str, Any]) -> dict[str, Any] | None:
    if not details:
        return details
    out = dict(details)
    if "price" in out:
        index = out.pop("price")
        out = {**v2["prices"][index], **out}
    if "amounts" in out and all(isinstance(a, int) for a in out["amounts"]):
        out["amounts"] = [v2["prices"][i] for i in out["amounts"]]
    if "condition" in out and "label" not in out:
        entry = next(e for e in v2["indications"] if e["condition"] == out["condition"])
        rebuilt = {}
        for key in ("condition", "label", "system", "status", "fact", "approvals"):
            if key in out:
                rebuilt[key] = out[key]
            elif key in _INDICATION_ENTRY_FIELDS:
                rebuilt[key] = entry[key]
        rebuilt.update({k: v for k, v in out.items() if k not in rebuilt})
        out = rebuilt
    return out


def _full_trail(trail: list[dict[str, Any]], near: str | None, rule_id: str, severity: str,
                details: dict[str, Any] | None, model: str) -> list[dict[str, Any]]:
    """The format-1 trail: the origin step whole again, the context step's words, and each
    modifier's confidence before and after it (computed as the weighing computed them)."""
    details = details or {}
    out: list[dict[str, Any]] = []
    confidence = 1.0
    for i, step in enumerate(trail):
        kind = step["step"]
        if i == 0 and kind in _ORIGIN_STEPS:
            whole = {"step": kind, "rule": rule_id, "severity": severity}
            if kind == "price":
                whole.update({k: details[k] for k in _PRICE_FIELDS})
            elif kind == "indication" and "systems" in details:
                whole["systems"] = details["systems"]
            elif kind == "indication":
                whole.update({"condition": details["condition"], "status": details["status"]})
            whole.update({k: v for k, v in step.items() if k != "step"})
            if kind == "classifier":
                whole["features"] = [{"ngram": n, "weight": w} for n, w in step["features"]]
                whole["model"] = model
                confidence = step["probability"]
            out.append(whole)
            if near:
                out.append({"step": "context", "cue": _CONTEXT_CUES[near], "factor": 1.0})
        elif "factor" in step:
            before = confidence
            confidence = round(min(1.0, confidence * step["factor"]), 4)  # as weighing caps
            out.append({**step, "before": before, "after": confidence})
        else:
            out.append(dict(step))
    return out
