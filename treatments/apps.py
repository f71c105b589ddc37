from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    """Also answers patients.treatments_port: whether a patient's plan is under way."""

    name = "treatments"

    def open_plan(self, patient):
        from treatments.plans.services import patient_has_open_plan

        return patient_has_open_plan(patient)
