"""Outcome measures recorded through the REST API, as the FHIR tests read them back."""

NDI_ANSWERS = [2, 1, 3, 2, None, 1, 2, 0, 1, 2]  # 14 of 45: 31.1 %
ODI_ANSWERS = [3, 2, 2, 1, 3, 2, 1, 0, 2, 2]  # 18 of 50: 36.0 %


def record(client, patient_id: object, **body) -> str:
    """Record a measure for the patient (the server scores it); its id."""
    response = client.post(f"/api/v1/patients/{patient_id}/outcomes/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]
