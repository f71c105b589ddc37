from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Also answers treatments.visits.billing_port: a visit's coding, for the visit's own answers."""

    name = "billing"

    def visit_reads(self) -> tuple:
        from billing.selectors import VISIT_BILLING_READS

        return VISIT_BILLING_READS

    def coding_answer(self, visit, *, clinical: bool, single: bool) -> dict:
        from billing.selectors import visit_coding_answer

        return visit_coding_answer(visit, clinical=clinical, single=single)

    def coding_to_freeze(self, visit) -> dict:
        from billing.visit_coding import coding_document, derived_coding

        return coding_document(derived_coding(visit))
