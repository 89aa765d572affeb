#!/bin/sh
# A complete API session with curl, as a regulator would run it. Start the server first:
#   python -m checker serve --db /tmp/demo/checker.db
# then:  sh docs/examples/api-session.sh http://127.0.0.1:8000 /tmp/demo/checker.db adverts.jsonl
set -eu
BASE=${1:-http://127.0.0.1:8000}
DB=${2:-instance/checker.db}
JOBFILE=${3:-}
PY=${PYTHON:-.venv/bin/python}

echo "## create a key (printed once; only its hash is stored)"
KEY=$($PY -m checker keys create "demo regulator" --db "$DB")
echo "key: $(echo "$KEY" | cut -c1-12)..."

echo "## one check"
curl -s "$BASE/api/v1/check" -H 'Content-Type: application/json' \
  -d '{"text": "Our umbilical cord stem cells reverse autism. No side effects!", "clinic": "Demo Clinic"}' \
  | $PY -c 'import json,sys; r=json.load(sys.stdin); print("id", r["id"], "level", r["level"], "score", r["score"], [(f["rule"], f["text"]) for f in r["findings"]])'

echo "## one batch of three"
curl -s "$BASE/api/v1/batch" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d '{"items": [
  {"id": "a", "text": "Stem cell therapy for COPD, $12,500 per infusion, financing available."},
  {"id": "b", "text": "Allogeneic stem cell transplant is a standard treatment for acute myeloid leukaemia."},
  {"id": "c", "text": "Exosome facials: look ten years younger. Only 2 spots left this week!"}]}' \
  | $PY -c 'import json,sys; print([(r["id"], r["level"], round(r["score"])) for r in json.load(sys.stdin)["results"]])'

if [ -n "$JOBFILE" ]; then
  echo "## a job from $JOBFILE"
  JOB=$(curl -s "$BASE/api/v1/jobs" -H "Authorization: Bearer $KEY" \
        -H 'Content-Type: application/x-ndjson' --data-binary @"$JOBFILE")
  echo "$JOB"
  ID=$(echo "$JOB" | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  while :; do
    STATUS=$(curl -s "$BASE/api/v1/jobs/$ID" -H "Authorization: Bearer $KEY")
    echo "$STATUS" | $PY -c 'import json,sys; s=json.load(sys.stdin); print("state", s["state"], "done", s["done"], "of", s["total"], "failed", s["failed"])'
    echo "$STATUS" | grep -q '"state":"done"' && break
    sleep 2
  done
  curl -s "$BASE/api/v1/jobs/$ID/results" -H "Authorization: Bearer $KEY" > /tmp/job-results.jsonl
  echo "results: $(wc -l < /tmp/job-results.jsonl) lines; first:"
  head -c 300 /tmp/job-results.jsonl; echo
  curl -s "$BASE/api/v1/jobs/$ID/results?format=csv" -H "Authorization: Bearer $KEY" | head -3
fi

echo "## three malformed requests"
curl -s -i "$BASE/api/v1/check" -H 'Content-Type: application/json' -d '{"text": ' | sed -n '1p;/^{/p'
curl -s -i "$BASE/api/v1/check" -H 'Content-Type: text/plain' -d 'stem cells cure MS' | sed -n '1p;/^{/p'
curl -s -i "$BASE/api/v1/batch" -H 'Content-Type: application/json' -H 'Authorization: Bearer wrong' \
  -d '{"items": [{"id": 1, "text": "x"}]}' | sed -n '1p;/^{/p'
