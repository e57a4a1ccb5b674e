"""Inter-coder agreement: coefficients over coded units, spans and relations.

Pure NumPy; knows nothing of the database. Every function returns a frozen result record
with the unrounded value and the parts it was computed from; inputs it cannot measure
raise :class:`AgreementError`.
"""

from app.agreement.alpha import coincidence_matrix, krippendorff_alpha
from app.agreement.bootstrap import bootstrap
from app.agreement.errors import AgreementError
from app.agreement.kappa import (
    bennett_s,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    scott_pi,
)
from app.agreement.pairwise import hubert_kappa, light_kappa
from app.agreement.percent import percent_agreement
from app.agreement.relations import RelationAgreementResult, attribute_agreement, relation_agreement
from app.agreement.reliability_data import ReliabilityData, reliability_data
from app.agreement.results import AgreementResult, AlphaResult, BootstrapResult
from app.agreement.spans import LabelScores, SpanAgreementResult, span_agreement
from app.agreement.ualpha import cu_alpha, u_alpha
from app.agreement.unitizing import CategoryUnitizing, UnitizingResult, unitizing_alpha
from app.agreement.weights import agreement_weights

__all__ = [
    "AgreementError",
    "AgreementResult",
    "AlphaResult",
    "BootstrapResult",
    "CategoryUnitizing",
    "LabelScores",
    "RelationAgreementResult",
    "ReliabilityData",
    "SpanAgreementResult",
    "UnitizingResult",
    "agreement_weights",
    "attribute_agreement",
    "bennett_s",
    "bootstrap",
    "coincidence_matrix",
    "cohen_kappa",
    "conger_kappa",
    "cu_alpha",
    "fleiss_kappa",
    "gwet_ac1",
    "gwet_ac2",
    "hubert_kappa",
    "krippendorff_alpha",
    "light_kappa",
    "percent_agreement",
    "relation_agreement",
    "reliability_data",
    "scott_pi",
    "span_agreement",
    "u_alpha",
    "unitizing_alpha",
]
