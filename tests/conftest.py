"""Clinics, a user of each role, and an authenticated API client per role."""

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from clinics.models import Role
from tests.factories import ClinicFactory, UserFactory


def client_for(user) -> APIClient:
    _, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness would dominate the suite; hashing itself is Django's concern.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Back in Line Chiropractic")


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Elsewhere Spine Center")


@pytest.fixture
def chiropractor(clinic):
    return UserFactory(clinic=clinic, role=Role.CHIROPRACTOR, username="dr.palmer")


@pytest.fixture
def front_desk(clinic):
    return UserFactory(clinic=clinic, role=Role.FRONT_DESK, username="desk.jane")


@pytest.fixture
def clinic_admin(clinic):
    return UserFactory(clinic=clinic, role=Role.CLINIC_ADMIN, username="admin.alex")


@pytest.fixture
def other_admin(other_clinic):
    return UserFactory(clinic=other_clinic, role=Role.CLINIC_ADMIN, username="admin.other")


@pytest.fixture
def anonymous_client() -> APIClient:
    return APIClient()


@pytest.fixture
def chiropractor_client(chiropractor) -> APIClient:
    return client_for(chiropractor)


@pytest.fixture
def front_desk_client(front_desk) -> APIClient:
    return client_for(front_desk)


@pytest.fixture
def clinic_admin_client(clinic_admin) -> APIClient:
    return client_for(clinic_admin)


@pytest.fixture
def other_admin_client(other_admin) -> APIClient:
    return client_for(other_admin)
