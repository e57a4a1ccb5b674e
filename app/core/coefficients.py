"""The names of the agreement coefficients as people read them.

The report (:mod:`app.services.agreement.report`) names a coefficient by its key, e.g.
``krippendorff_alpha``; the window's tables, ``loupe agreement`` and the Excel export
show these names instead. Pure Python.
"""

from __future__ import annotations

#: Short names, for the window's tables and the command line's columns.
COEFFICIENT_NAMES: dict[str, str] = {
    "krippendorff_alpha": "alpha",
    "fleiss_kappa": "Fleiss' kappa",
    "gwet_ac1": "Gwet's AC1",
    "percent_agreement": "% agreement",
    "cohen_kappa": "Cohen's kappa",
    "unitizing_alpha": "alpha_U",
    "gamma": "gamma",
    "gamma_cat": "gamma-cat",
    "gamma_k": "gamma-k",
    "f1": "F1",
    "f1_micro": "micro F1",
    "f1_macro": "macro F1",
}

#: Spelt-out names, for the sheets of the Excel export.
COEFFICIENT_TITLES: dict[str, str] = {
    **COEFFICIENT_NAMES,
    "krippendorff_alpha": "Krippendorff's alpha",
    "percent_agreement": "percent agreement",
}
