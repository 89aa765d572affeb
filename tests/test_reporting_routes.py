"""How to report a clinic: ``rules/reporting.yaml`` holds real, dated, sourced routes per country,
``guess_country`` reads an advert's country from its place names and prices, and the rule loader
leaves the file alone."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from checker.core.errors import DataFileError
from checker.core.paths import RULES_DIR
from checker.core.reporting import KINDS, Reporting, guess_country, load_routes
from checker.detect.rules import NON_RULE_FILES, load_rules

REQUIRED = ("US", "UK", "EU", "CA", "AU", "MX", "IN")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def reporting() -> Reporting:
    return load_routes()


def all_routes(reporting: Reporting):
    for country in reporting.countries.values():
        for route in country.routes:
            yield country.code, route
    for route in reporting.general:
        yield "general", route


def test_every_required_country_is_there(reporting):
    assert set(REQUIRED) <= set(reporting.countries)
    assert list(reporting.countries)[:len(REQUIRED)] == list(REQUIRED)  # file order is kept
    assert reporting.get("mx") is reporting.countries["MX"]
    assert reporting.get("ZZ") is None


def test_every_route_is_complete_sourced_and_recent(reporting):
    today = date.today()
    raw = (RULES_DIR / "reporting.yaml").read_text(encoding="utf8")
    for where, route in all_routes(reporting):
        label = f"{where}: {route.name}"
        assert route.kind in KINDS, label
        assert route.name.strip() and route.what.strip() and route.seen.strip(), label
        assert route.url.startswith("https://") and " " not in route.url, label
        assert route.source.startswith("https://") and " " not in route.source, label
        assert ISO_DATE.match(route.checked.isoformat()), label
        assert route.checked <= today, f"{label}: checked in the future"
        assert route.checked >= today - timedelta(days=2 * 365), f"{label}: checked too long ago"
        assert f'checked: "{route.checked.isoformat()}"' in raw  # written as an ISO date


def test_every_required_country_has_each_kind_of_route(reporting):
    for code in REQUIRED:
        kinds = {route.kind for route in reporting.countries[code].routes}
        assert kinds == set(KINDS), f"{code} lacks {set(KINDS) - kinds}"


def test_no_address_twice_for_one_kind_in_one_country(reporting):
    for country in [*reporting.countries.values()]:
        seen: set[tuple[str, str]] = set()
        for route in country.routes:
            key = (route.kind, route.url.rstrip("/").lower())
            assert key not in seen, f"{country.code}: {route.url} twice as {route.kind}"
            seen.add(key)


def test_the_general_list_has_the_who_trial_search(reporting):
    assert any("trialsearch.who.int" in route.url for route in reporting.general)
    assert all(route.kind == "trial_check" for route in reporting.general)


@pytest.mark.parametrize("text, currencies, expected", [
    ("Our clinic in Tijuana offers a full stem cell package for $5,000 USD.", ["USD"], "MX"),
    ("Exosome therapy in Cancún: MXN 90,000, hotel included.", ["MXN"], "MX"),
    ("Complete knee protocol ₹2,50,000 in Bengaluru, all inclusive.", ["INR"], "IN"),
    ("Rs. 3 lakh for the full course at our Mumbai centre.", [], "IN"),
    ("Visit us on Harley Street, £3,000 per injection.", ["GBP"], "UK"),
    ("Our Toronto clinic charges C$4,000 for PRP.", ["CAD"], "CA"),
    ("Sydney's leading regenerative clinic, from A$2,500.", ["AUD"], "AU"),
    ("Treatment in Düsseldorf for 7.000 €.", ["EUR"], "EU"),
    ("Stem cells for your joints, only $6,500!", ["USD"], "US"),   # a dollar alone: weak, but all there is
    ("Prices on request.", ["CAD"], "CA"),                          # a price's currency alone
    ("Clinics in London and Paris.", [], "UK"),                     # a tie: the first in the file
    ("Contact us today: our team will call you back.", [], None),  # "us" is not the US
    ("Stem cells repair damaged tissue naturally.", [], None),
    ("", [], None),
    # where patients come from is not where the clinic is
    ("Why patients from the USA and Canada choose our clinic in Cancun: $9,000.", ["USD"], "MX"),
    ("\"I walked again!\" - Maria, Texas. \"Life changing\" - Robert, Ontario. Book in Tijuana.",
     [], "MX"),
    ("Our Houston clinic welcomes patients from Mexico and India.", [], "US"),
])
def test_guess_country(text, currencies, expected):
    assert guess_country(text, currencies) == expected


def test_a_dollar_price_does_not_outvote_a_place(reporting):
    text = "Tijuana clinic, 20 minutes from the border. US$ 4,500, or 4,500 USD by card."
    assert guess_country(text, ["USD", "USD"], reporting=reporting) == "MX"


def write(tmp_path: Path, content: str) -> Path:
    (tmp_path / "reporting.yaml").write_text(content, encoding="utf8")
    return tmp_path


GOOD = """\
countries:
  - code: ZZ
    name: Testland
    aliases: [Zedville]
    routes:
      - kind: regulator
        name: Testland Medicines Office
        what: Report harm after a treatment here.
        url: https://example.org/report
        source: https://example.org/report
        checked: "2026-01-01"
        seen: written for this test
"""


def test_a_good_file_in_another_folder_loads(tmp_path):
    reporting = load_routes(write(tmp_path, GOOD))
    assert list(reporting.countries) == ["ZZ"]
    assert reporting.countries["ZZ"].routes[0].checked == date(2026, 1, 1)
    assert guess_country("Come to Zedville", reporting=reporting) == "ZZ"
    assert guess_country("Come to Tijuana", reporting=reporting) is None


@pytest.mark.parametrize("replace, new, problem", [
    ("countries:\n", "countries: [\n", "not valid YAML"),
    ("    name: Testland\n", "", "country ZZ.name"),
    ("      - kind: regulator", "      - kind: gossip", "is not one of"),
    ('        checked: "2026-01-01"', '        checked: "last spring"', "not an ISO date"),
    ("        seen: written for this test\n", "", "missing seen"),
    ("        seen: written for this test", "        seen: ok\n        colour: red", "unknown field colour"),
    ("        what: Report harm after a treatment here.", "        what: ''", "non-empty text"),
    ("    routes:\n", "    routes: []\n    unused:\n", "non-empty list"),
])
def test_a_broken_file_names_itself_and_the_problem(tmp_path, replace, new, problem):
    assert replace in GOOD
    with pytest.raises(DataFileError) as err:
        load_routes(write(tmp_path, GOOD.replace(replace, new)))
    assert "reporting.yaml" in str(err.value)
    assert problem in str(err.value)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        load_routes(tmp_path)


def test_the_rule_loader_skips_the_reporting_file(tmp_path):
    assert "reporting.yaml" in NON_RULE_FILES
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules_dir)
    assert (rules_dir / "reporting.yaml").exists()
    book = load_rules(rules_dir)
    assert len(book.rules) >= 30
