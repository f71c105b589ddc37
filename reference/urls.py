from django.urls import path

from reference.views import Icd10CodeView, Icd10SearchView

app_name = "reference"

urlpatterns = [
    path("icd10/", Icd10SearchView.as_view(), name="icd10-search"),
    path("icd10/<str:code>/", Icd10CodeView.as_view(), name="icd10-code"),
]
