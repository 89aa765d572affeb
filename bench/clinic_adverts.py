"""Adverts from a number of clinics, for the dashboard's tests and figures.

``generate(count, clinics, seed)`` gives records ``{"id", "clinic", "url", "text"}``: each clinic
has a name, a web domain, a city and a temper (how far its copy goes), and its adverts are
assembled by bench/corpus.py's templates (written for the benchmarks, nothing copied), longer
and bolder for bolder clinics, with some informing pages (a hospital's, a charity's) among
them so that every level occurs. The same seed always gives the same records.

    python bench/clinic_adverts.py --count 1000 --clinics 20 -o bench/out/clinics-1000.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import make_advert  # noqa: E402

SEED = 20261205
FIRST = ["Nueva Vida", "Renew", "Stemcore", "BioGenesis", "Vital", "Ageless", "Cellular Hope",
         "Pacific", "Harmony", "Phoenix", "Aurora", "Golden Gate", "Meridian", "Lotus",
         "Summit", "Evergreen", "Horizon", "Sapphire", "Atlas", "Coral"]
SECOND = ["Stem Cell Institute", "Regenerative Clinic", "Cell Therapy Center", "Wellness Spa",
          "Longevity Lab", "Ortho Biologics", "Medical Tourism Group", "Exosome Studio"]
CITIES = ["Tijuana", "Cancún", "Guadalajara", "Mumbai", "Bengaluru", "London", "Toronto",
          "Sydney", "Miami", "Scottsdale", "Panama City", "Bangkok"]
INFORMING = [
    "The hospital's haematology team explains when a bone marrow transplant is offered, what the "
    "risks are and how patients are followed up. Stem cell treatments sold by private clinics for "
    "other conditions have not been shown to work, and regulators warn against them.",
    "Our charity answers questions from families about stem cell clinics. Ask whether a treatment "
    "is part of a registered clinical trial, and talk to your own specialist before you pay.",
]


def clinics(count: int, rng: random.Random) -> list[dict[str, object]]:
    out = []
    for i in range(count):
        name = f"{FIRST[i % len(FIRST)]} {rng.choice(SECOND)}"
        domain = name.lower().replace(" ", "") + rng.choice([".com", ".mx", ".clinic", ".health"])
        out.append({"name": name, "domain": domain, "city": rng.choice(CITIES),
                    "temper": rng.random()})
    return out


def generate(count: int = 1000, n_clinics: int = 20, seed: int = SEED) -> list[dict[str, str]]:
    rng = random.Random(seed)
    places = clinics(n_clinics, rng)
    records = []
    for i in range(count):
        clinic = places[i % n_clinics]
        temper = float(clinic["temper"])  # type: ignore[arg-type]
        if rng.random() < 0.45 * (1.0 - temper) ** 2:
            text = rng.choice(INFORMING)
        else:
            words = int(25 + 350 * temper * rng.random())
            text = f"{clinic['name']}, {clinic['city']}\n\n" + make_advert(rng, words)
        records.append({"id": f"ad-{i:04d}", "clinic": str(clinic["name"]),
                        "url": f"https://www.{clinic['domain']}/page-{i % 37}", "text": text})
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--clinics", type=int, default=20)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("-o", "--output", type=Path, default=None)
    args = parser.parse_args(argv)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n"
                    for r in generate(args.count, args.clinics, args.seed))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
