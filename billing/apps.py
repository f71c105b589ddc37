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

    def plan_case(self, zone) -> object:
        from billing.selectors import plan_case_document

        return plan_case_document(zone)

    def coding_to_freeze(self, visit) -> dict:
        from billing.visit_coding import frozen_coding

        return frozen_coding(visit)
