"""The synthetic migration input: deterministic, schema-valid, and full of the planned anomalies."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import belgica
import pytest
from jsonschema import Draft202012Validator
from stdnum.be import bis, nn

from cir.synthetic.legacy import ANOMALY_RATES, PROFILES, generate_legacy, iter_jsonl


def _valid(insz: str) -> bool:
    return nn.is_valid(insz) or bis.is_valid(insz)


def _number_birth(insz: str) -> date | None:
    return nn.get_birth_date(insz) if _valid(insz) else None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("legacy") / "demo"
    calls: list[tuple[str, int, int | None]] = []
    summary = generate_legacy(out, "demo", seed=1, progress=lambda *a: calls.append(a))
    assert calls[0] == ("households", 0, PROFILES["demo"])
    assert calls[-1] == ("households", PROFILES["demo"], PROFILES["demo"])
    assert len(calls) < 10
    return out, summary


@pytest.fixture(scope="module")
def loaded(demo: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    out, _ = demo
    return {
        "areas": json.loads((out / "operating_areas.json").read_bytes()),
        "landlords": json.loads((out / "landlords.json").read_bytes()),
        "population": list(iter_jsonl(out / "population.jsonl")),
        "dossiers": [d for f in sorted((out / "dossiers").glob("*.jsonl")) for d in iter_jsonl(f)],
    }


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_same_seed_gives_byte_identical_files(
    demo: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, summary = demo
    again = generate_legacy(tmp_path / "again", "demo", seed=1)
    assert again == summary
    assert _tree(tmp_path / "again") == _tree(out)
    other = generate_legacy(tmp_path / "other", "demo", seed=2)
    assert _tree(tmp_path / "other")["population.jsonl"] != _tree(out)["population.jsonl"]
    assert other["households"] == summary["households"]


def test_layout_and_summary(demo: tuple[Path, dict[str, Any]], loaded: dict[str, Any]) -> None:
    out, summary = demo
    assert sorted(summary["files"]) == sorted(_tree(out))
    assert summary["households"] == PROFILES["demo"]
    assert summary["legacy_dossiers"] == len(loaded["dossiers"])
    assert summary["persons"] == len(loaded["population"])
    assert 1.8 < summary["legacy_dossiers"] / summary["households"] < 2.8


def test_every_line_validates(
    loaded: dict[str, Any], validator: Callable[[str], Draft202012Validator]
) -> None:
    validator("operating-areas").validate(loaded["areas"])
    validator("landlords").validate(loaded["landlords"])
    person = validator("person")
    for record in loaded["population"]:
        person.validate(record)
    dossier = validator("legacy-dossier")
    for record in loaded["dossiers"]:
        dossier.validate(record)


def test_landlords(loaded: dict[str, Any]) -> None:
    areas = loaded["areas"]
    assert len(areas) == 42
    landlords = loaded["landlords"]
    ids = [ll["landlord_id"] for ll in landlords]
    assert len(set(ids)) == len(ids)
    per_company = Counter(ll["company_id"] for ll in landlords if ll["type"] != "LB")
    assert set(per_company) == {a["company_id"] for a in areas}
    assert all(2 <= n <= 4 for n in per_company.values())
    flemish = {m["id"] for m in belgica.municipalities() if m["region"] == "02000"}
    local = [ll for ll in landlords if ll["type"] == "LB"]
    assert len(local) == 60
    assert all(ll["municipality"] in flemish for ll in local)
    assert {ll["type"] for ll in landlords} == {"SHM", "SVK", "LB"}
    # every landlord holds dossiers through realistic volumes, the big ones most
    held = Counter(d["landlord_id"] for d in loaded["dossiers"])
    assert sum(held[i] for i in ids) > 0.99 * len(loaded["dossiers"])


def test_dates_and_numbering(loaded: dict[str, Any]) -> None:
    per_day: Counter[tuple[str, str]] = Counter()
    for d in loaded["dossiers"]:
        registered = date.fromisoformat(d["registration_date"])
        assert date(2005, 1, 1) <= registered <= date(2023, 12, 31)
        assert d["last_modified"] >= d["registration_date"]
        per_day[d["landlord_id"], d["registration_date"]] += 1
    assert max(per_day.values()) < 100


def test_preferences_near_domicile(loaded: dict[str, Any]) -> None:
    company_of = {nis: a["company_id"] for a in loaded["areas"] for nis in a["municipalities"]}
    domicile = {p["insz"]: p["domicile_nis"] for p in loaded["population"]}
    near = total = 0
    for d in loaded["dossiers"]:
        assert d["preferences"]["municipalities"] and d["preferences"]["dwelling_types"]
        assert all(nis in company_of for nis in d["preferences"]["municipalities"])
        applicant = next((m["insz"] for m in d["members"] if m["role"] == "applicant"), None)
        home = domicile.get(applicant or "")
        if home in company_of:
            total += 1
            chosen = {company_of[nis] for nis in d["preferences"]["municipalities"]}
            near += company_of[home] in chosen
    assert near / total > 0.6


def test_demo_contains_every_anomaly_kind(
    demo: tuple[Path, dict[str, Any]], loaded: dict[str, Any]
) -> None:
    _, summary = demo
    assert set(summary["anomalies"]) == set(ANOMALY_RATES)
    assert all(n >= 1 for n in summary["anomalies"].values()), summary["anomalies"]
    assert all(n >= 1 for n in summary["features"].values()), summary["features"]

    population = {p["insz"]: p for p in loaded["population"]}
    landlords = {ll["landlord_id"] for ll in loaded["landlords"]}
    flemish = {m["id"] for m in belgica.municipalities() if m["region"] == "02000"}
    dossiers = loaded["dossiers"]
    found: Counter[str] = Counter()

    keys = Counter((d["landlord_id"], d["dossier_id"]) for d in dossiers)
    found["duplicate_dossier"] = sum(n > 1 for n in keys.values())
    kh_sets: dict[str, set[frozenset[str]]] = defaultdict(set)
    roles: dict[str, set[str]] = defaultdict(set)
    for d in dossiers:
        registered = d["registration_date"]
        found["unknown_landlord"] += d["landlord_id"] not in landlords
        applicants = [m for m in d["members"] if m["role"] == "applicant"]
        found["bad_members"] += len(applicants) != 1
        kh = frozenset(m["insz"] for m in d["members"] if m["role"] != "co_resident")
        for member in d["members"]:
            insz, role = member["insz"], member["role"]
            roles[insz].add(role)
            if role != "co_resident":
                kh_sets[insz].add(kh)
            if not _valid(insz):
                kind = "co_resident" if role == "co_resident" else "candidate"
                found[f"invalid_insz_{kind}"] += 1
            elif insz not in population:
                found["not_in_population"] += 1
            birth = _number_birth(insz)
            since = member.get("member_since")
            if since and birth and date.fromisoformat(since) < birth:
                found["impossible_dates"] += 1
            if since and since > registered and role == "partner":
                found["member_since_after_registration"] += 1
        premium = d.get("rent_premium")
        if premium:
            assert premium["claimant_insz"] in kh
            found["rent_premium"] += 1
    for p in population.values():
        if _number_birth(p["insz"]) != date.fromisoformat(p["birth_date"]):
            found["insz_birth_date_mismatch"] += 1
        if p["domicile_nis"] is None:
            found["domicile_unknown"] += 1
        elif p["domicile_nis"] not in flemish:
            found["domicile_outside_flanders"] += 1
    identities = Counter(
        (p["first_name"], p["last_name"], p["birth_date"]) for p in population.values()
    )
    found["same_identity_different_insz"] = sum(
        bis.is_valid(p["insz"]) and identities[p["first_name"], p["last_name"], p["birth_date"]] > 1
        for p in population.values()
    )
    # split-makers: the same candidate with different applicant/partner sets
    found["different_kh_sets"] = sum(len(s) > 1 for s in kh_sets.values())
    found["candidate_and_co_resident"] = sum(
        "co_resident" in r and len(r) > 1 for r in roles.values()
    )
    expected = [
        *ANOMALY_RATES,
        "member_since_after_registration",
        "rent_premium",
        "different_kh_sets",
        "candidate_and_co_resident",
    ]
    assert [kind for kind in expected if found[kind] < 1] == []
    # kinds that nothing else can produce by accident are counted exactly in the summary
    for kind in ("duplicate_dossier", "unknown_landlord", "same_identity_different_insz"):
        assert found[kind] == summary["anomalies"][kind], kind


def test_the_generate_command_bar_follows_the_households_done(tmp_path, monkeypatch):
    """The generator reports how many households are done so far; a bar that added those up
    showed 100 % after a tenth of the work."""
    from django.core.management import call_command
    from rich.progress import Progress

    import cir.synthetic.legacy as legacy

    monkeypatch.setattr(legacy, "_PROGRESS_EVERY", 100)
    seen: list[tuple[str, float, float | None]] = []
    update = Progress.update

    def recording(self: Progress, task_id: Any, **kwargs: Any) -> None:
        update(self, task_id, **kwargs)
        task = self._tasks[task_id]
        seen.append((task.description, task.completed, task.total))

    monkeypatch.setattr(Progress, "update", recording)
    call_command("generate_legacy", str(tmp_path / "demo"), "--profile", "demo")
    total = PROFILES["demo"]
    assert {description for description, _, _ in seen} == {"huishoudens"}
    done = [completed for _, completed, _ in seen]
    assert done == sorted(done)
    assert max(done) == total
    assert sum(1 for d in done if 0 < d < total) >= 3  # the bar moved through the run
    assert all(t == total for _, _, t in seen)
