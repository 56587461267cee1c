"""Primary and secondary landlords of a new registration (rules.md section 1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def derive_landlords(
    domicile_nis: str | None,
    chosen_nis: Sequence[str],
    company_of: Mapping[str, str],
) -> tuple[str | None, list[str]]:
    """Return ``(primary, secondaries)`` as company ids.

    Decision (rules.md section 1): the company of the domicile municipality when the candidate
    keeps that municipality among the choices; otherwise the company of the first chosen
    municipality. Secondary landlords: every other company whose area holds a chosen
    municipality, in ascending id order.
    """
    primary: str | None = None
    if domicile_nis is not None and domicile_nis in chosen_nis:
        primary = company_of.get(domicile_nis)
    if primary is None:
        for nis in chosen_nis:
            if nis in company_of:
                primary = company_of[nis]
                break
    secondaries = sorted(
        {company_of[nis] for nis in chosen_nis if nis in company_of} - {primary}
        if primary
        else set()
    )
    return primary, secondaries
