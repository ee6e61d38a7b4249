"""ISO 3166-1 alpha-2 Party codes and the names people write instead of them."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

# Names seen in real registers and transparency reports that the tzdata table spells otherwise.
_ALIASES = {
    "XK": ["Kosovo"],
    "TR": ["Turkey", "Türkiye", "Turkiye"],
    "CZ": ["Czech Republic", "Czechia"],
    "GB": ["United Kingdom", "UK", "Great Britain", "United Kingdom of Great Britain and Northern Ireland"],
    "US": ["United States", "United States of America", "USA", "U.S."],
    "NL": ["Netherlands", "The Netherlands", "Netherlands, the Kingdom of the", "Kingdom of the Netherlands"],
    "KR": ["South Korea", "Korea, Republic of", "Republic of Korea", "Korea"],
    "RU": ["Russia", "Russian Federation"],
    "MD": ["Moldova", "Republic of Moldova"],
    "MK": ["North Macedonia", "Macedonia", "FYROM"],
    "BA": ["Bosnia and Herzegovina", "Bosnia & Herzegovina", "Bosnia-Herzegovina"],
    "CV": ["Cabo Verde", "Cape Verde"],
    "CI": ["Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast"],
    "VA": ["Holy See", "Vatican"],
    "TW": ["Taiwan"],
    "HK": ["Hong Kong"],
    "MO": ["Macau", "Macao"],
    "VN": ["Vietnam", "Viet Nam"],
    "LA": ["Laos"],
    "IR": ["Iran"],
    "SY": ["Syria"],
    "TZ": ["Tanzania"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TT": ["Trinidad and Tobago", "Trinidad & Tobago"],
    "AG": ["Antigua and Barbuda"],
    "KN": ["Saint Kitts and Nevis"],
    "VC": ["Saint Vincent and the Grenadines"],
    "ST": ["Sao Tome and Principe"],
    "PS": ["Palestine", "Palestinian Territories"],
    "SZ": ["Eswatini", "Swaziland"],
    "CD": ["Democratic Republic of the Congo", "Congo (Dem. Rep.)", "DR Congo"],
    "CG": ["Republic of the Congo", "Congo"],
    "BN": ["Brunei"],
    "FM": ["Micronesia"],
    "TL": ["Timor-Leste", "East Timor"],
    "MM": ["Myanmar", "Burma"],
    # labels in provider transparency reports (shared/realdata), including their typos
    "CY": ["Cypress"],
    "BH": ["Kingdom of Bahrain"],
    "AE": ["UAE", "U.A.E."],
    "SX": ["Sint Maarten"],
    "KP": ["North Korea"],
    "TC": ["Turks & Caicos Islands", "Turks and Caicos Islands"],
    "CN": ["China mainland", "Mainland China"],
}
_ALIASES["MK"].append("Macedonia (FYROM)")


def _key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(folded.replace("&", "and").lower().replace(".", "").split())


@lru_cache(maxsize=1)
def codes() -> frozenset[str]:
    return frozenset(_table()) | {"XK"}


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    text = resources.files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t", 1)
            out[code.strip()] = name.strip()
    return out


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    """Map of folded name (and code) -> ISO code."""
    out = {_key(n): c for c, n in _table().items()}
    for code, aliases in _ALIASES.items():
        for a in aliases:
            out[_key(a)] = code
    for c in codes():
        out[c.lower()] = c
    out["uk"] = "GB"
    return out


def normalise(value: str) -> str | None:
    """ISO code for a code or a known name; None when unknown (a data defect, never a guess)."""
    v = value.strip()
    if len(v) == 2 and v.upper() in codes():
        return v.upper()
    return names().get(_key(v))


def country_name(code: str) -> str:
    if code == "XK":
        return "Kosovo"
    return _table().get(code, code)
