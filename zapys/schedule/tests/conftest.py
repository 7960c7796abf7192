import pytest

from tests.factories_clients import make_client
from tests.factories_schedule import make_service, make_specialist


@pytest.fixture
def spec(org, branch):
    return make_specialist(org, branch, first_name="Maria")


@pytest.fixture
def service(org, branch):
    return make_service(org, "Haircut", duration_minutes=60, price=60000, branches=[branch])


@pytest.fixture
def client_a(org):
    return make_client(org, "Koval Olena")
