"""A reproducible corpus of clinic adverts for the benchmarks.

Every advert is assembled from sentence templates written for this file (nothing is copied from
real pages or from ``../shared/data``), filled from small word lists with a seeded
``random.Random``, so the same seed always gives byte-for-byte the same texts. An advert mixes
what real clinic pages mix: a heading, claims of every category, hedged and neutral sentences,
bullet lists of conditions, prices, testimonials, disclaimers and the odd typographic quote or
dash. ``make_corpus(n, words)`` stops adding sentences once an advert reaches ``words`` words,
so lengths come out close to the target (about 150 and about 1,000 words in the benchmark).

    python bench/corpus.py --count 3 --words 150      # print three adverts
    python bench/corpus.py --count 1000 --words 150 -o bench/out/corpus-150.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

SEED = 20251008

CLINICS = ["Regenerative Wellness Institute", "Cellular Renewal Clinic", "Nova Stem Cell Center",
           "BioRestore Medical", "Pacific Regenerative Health", "Vital Cell Therapy Group",
           "Renew Life Clinic", "Ortho Biologics Partners", "Longevity Cell Lab",
           "Harmony Integrative Medicine"]
CITIES = ["Cancún", "Tijuana", "Panama City", "San José", "Bangkok", "Kyiv", "Nassau", "Dallas",
          "Phoenix", "Istanbul", "Belgrade", "Manila"]
TREATMENTS = ["stem cell therapy", "umbilical cord stem cells", "mesenchymal stem cells",
              "exosome therapy", "PRP injections", "bone marrow concentrate",
              "Wharton's jelly cells", "adipose-derived stem cells", "cord blood infusions",
              "regenerative cell treatment", "stem cell IV", "amniotic cell injections"]
CONDITIONS = ["autism", "multiple sclerosis", "Parkinson's disease", "ALS", "knee osteoarthritis",
              "COPD", "heart failure", "spinal cord injury", "cerebral palsy", "diabetes",
              "Alzheimer's disease", "lupus", "rheumatoid arthritis", "erectile dysfunction",
              "macular degeneration", "chronic back pain", "neuropathy", "stroke recovery",
              "hair loss", "Crohn's disease"]
BODY = ["cartilage", "nerve tissue", "damaged joints", "brain cells", "heart muscle", "myelin",
        "lung tissue", "collagen", "spinal discs", "tendons"]
PEOPLE = ["Maria", "John", "Aisha", "Tom", "Priya", "Carlos", "Linda", "Wei", "Olga", "Sam"]
CURRENCIES = [("$", ""), ("US$", ""), ("€", ""), ("£", ""), ("", " USD"), ("", " EUR")]
DAYS = ["Friday", "the end of the month", "March 31", "this weekend", "next week"]

CLAIMS = [
    "Our {treatment} cures {condition} without surgery or drugs.",
    "{treatment_cap} reverses the damage of {condition} in just weeks.",
    "Our protocol regrows {body} and restores full function.",
    "{pct}% of our patients see dramatic improvement after one treatment.",
    "Results are permanent and guaranteed, or your money back.",
    "Stem cells seek out damaged tissue and repair it at the cellular level.",
    "Because they are your own cells, there is no risk of rejection and no side effects.",
    "{treatment_cap} is 100% safe, natural and has no downtime.",
    "Our stem cells are FDA approved and processed in an FDA-registered lab.",
    "This treatment does not require FDA approval because it uses your own tissue.",
    "Clinically proven by thousands of satisfied patients worldwide.",
    "We treat over 70 conditions, from {condition} to {condition2}.",
    "Stop the progression of {condition} and avoid knee replacement surgery.",
    "Our proprietary activation protocol makes the cells up to ten times more potent.",
    "Join our patient-funded study: every participant receives the treatment.",
    "Only {few} spots left this month. Book now to secure your place!",
    "Prices go up on {day}, so act today.",
    "A non-refundable deposit of {price} holds your date.",
    "Insurance will not cover it, but financing is available with approved credit.",
    "Doctors don't want you to know about this breakthrough.",
    "Children with {condition} are talking, walking and thriving after treatment.",
    "We have never had a single serious complication in {years} years.",
    "Our lab holds an official government license for cell therapy.",
    "Exosomes turn back the clock and regenerate {body} naturally.",
]
NEUTRAL = [
    "The clinic is located {minutes} minutes from the international airport in {city}.",
    "Our bilingual staff will meet you at arrivals and take you to the hotel.",
    "Each visit begins with a consultation and a review of your medical records.",
    "Please bring a list of the medicines you take and any recent imaging.",
    "Treatment days start at 8 a.m. and most patients are finished by early afternoon.",
    "We work with partner hotels that offer discounted rates for families.",
    "Our coordinators answer messages on WhatsApp seven days a week.",
    "Parking is free for patients and their companions.",
    "Follow-up calls are scheduled at one, three and six months.",
    "The medical director trained in internal medicine and has worked in {city} since {year}.",
    "Patients usually stay between three and ten days, depending on the program.",
    "Light meals are served during the infusion; let us know about any allergies.",
]
HEDGED = [
    "Research on {treatment} for {condition} is still at an early stage.",
    "Some small studies suggest possible benefits, but results vary and are not guaranteed.",
    "Scientists are investigating whether cells might one day help with {condition}.",
    "Individual results may vary; this is not a substitute for your doctor's advice.",
    "{treatment_cap} is not approved by the FDA for {condition}.",
    "Ask your physician whether a clinical trial registered on ClinicalTrials.gov may suit you.",
    "No treatment described here is intended to diagnose, treat, cure or prevent any disease.",
    "Is it safe? Like any procedure, injections carry risks such as infection and pain.",
]
TESTIMONIALS = [
    "\u201cMy {relative} was walking again after two weeks. This clinic gave us our life back!\u201d \u2014 {person}",
    "\u201cI feel like a new person, and the pain is gone.\u201d \u2014 {person}, {age}",
    "\u201cAfter the second round our son said his first words.\u201d \u2014 {person}, mother of two",
    "\u201cThe staff were kind and everything was organised perfectly.\u201d \u2014 {person}",
]
HEADINGS = [
    "{clinic} \u2014 Heal Without Surgery",
    "{treatment_title} in {city} | {clinic}",
    "Hope for {condition_title}: {clinic}",
    "Why choose {clinic}?",
    "Frequently asked questions",
    "Pricing and packages",
    "What our patients say",
]
PRICES = [
    "The {days}-day program costs {price}, including hotel and airport transfers.",
    "A single injection is {price}; a package of three sessions is {price2}.",
    "Full payment is due in advance, and the deposit is non-refundable.",
    "Save {pct2}% when you book before {day}.",
    "Our membership includes monthly infusions for {price} per month.",
]


def _price(rng: random.Random) -> str:
    amount = rng.choice([1800, 2500, 4900, 7500, 9800, 12500, 15000, 24500, 35000, 48000])
    prefix, suffix = rng.choice(CURRENCIES)
    return f"{prefix}{amount:,}{suffix}"


def _fill(template: str, rng: random.Random) -> str:
    treatment = rng.choice(TREATMENTS)
    condition, condition2 = rng.sample(CONDITIONS, 2)
    values = {
        "treatment": treatment, "treatment_cap": treatment[0].upper() + treatment[1:],
        "treatment_title": treatment.title(), "condition": condition, "condition2": condition2,
        "condition_title": condition.title(), "body": rng.choice(BODY),
        "pct": rng.choice([78, 82, 85, 90, 94, 97]), "pct2": rng.choice([10, 15, 20, 25, 30]),
        "few": rng.choice(["3", "two", "five", "4"]), "day": rng.choice(DAYS),
        "price": _price(rng), "price2": _price(rng), "years": rng.randint(5, 15),
        "minutes": rng.choice([10, 15, 20, 30]), "city": rng.choice(CITIES),
        "year": rng.randint(2005, 2018), "clinic": rng.choice(CLINICS),
        "person": rng.choice(PEOPLE), "age": rng.randint(34, 79),
        "relative": rng.choice(["husband", "daughter", "mother", "son"]),
        "days": rng.choice([3, 5, 7, 10, 14]),
    }
    return template.format(**values)


def make_advert(rng: random.Random, words: int) -> str:
    """One advert of about ``words`` words: paragraphs, a bullet list, quotes and prices."""
    paragraphs: list[str] = [_fill(rng.choice(HEADINGS[:4]), rng)]
    count = len(paragraphs[0].split())
    while count < words - 12:
        kind = rng.random()
        if kind < 0.12 and count > 20:
            heading = _fill(rng.choice(HEADINGS[4:]), rng)
            paragraphs.append(heading)
            count += len(heading.split())
            continue
        if kind < 0.22:
            items = rng.sample(CONDITIONS, rng.randint(3, 6))
            block = "Conditions we treat:\n" + "\n".join(f"\u2022 {c[0].upper() + c[1:]}"
                                                        for c in items)
        elif kind < 0.30:
            block = _fill(rng.choice(TESTIMONIALS), rng)
        else:
            sentences = []
            for _ in range(rng.randint(2, 5)):
                bank = rng.choices([CLAIMS, NEUTRAL, HEDGED, PRICES], weights=[4, 4, 2, 1])[0]
                sentences.append(_fill(rng.choice(bank), rng))
            block = " ".join(sentences)
        paragraphs.append(block)
        count += len(block.split())
    return "\n\n".join(paragraphs) + "\n"


def make_corpus(count: int, words: int, seed: int = SEED) -> list[str]:
    """``count`` adverts of about ``words`` words each; the same arguments give the same texts."""
    rng = random.Random(f"{seed}:{words}")
    return [make_advert(rng, words) for _ in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--words", type=int, default=150)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("-o", "--output", type=Path, help="write JSON Lines (id, text) here")
    args = parser.parse_args(argv)
    texts = make_corpus(args.count, args.words, args.seed)
    if args.output is None:
        sys.stdout.write("\n---\n\n".join(texts))
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf8") as fh:
        for i, text in enumerate(texts, 1):
            fh.write(json.dumps({"id": f"ad-{args.words}-{i:06d}", "text": text},
                                ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
