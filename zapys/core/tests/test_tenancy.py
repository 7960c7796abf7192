import pytest

from tests.factories import make_branch, make_org, make_staff
from zapys.accounts.models import Branch
from zapys.core.tenancy import TenancyError, current_org, org_scope, unscoped


@pytest.mark.django_db
def test_query_without_an_organization_is_an_error():
    with pytest.raises(TenancyError):
        list(Branch.objects.all())


@pytest.mark.django_db
def test_scope_filters_every_query_to_its_organization():
    a, b = make_org("A"), make_org("B")
    with org_scope(a):
        mine = make_branch(a, "mine")
    with org_scope(b):
        theirs = make_branch(b, "theirs")
    with org_scope(a):
        assert list(Branch.objects.values_list("name", flat=True)) == ["mine"]
        with pytest.raises(Branch.DoesNotExist):
            Branch.objects.get(pk=theirs.pk)
        with org_scope(b):  # nested scopes restore the outer one
            assert current_org() == b
        assert current_org() == a
    assert Branch.objects.for_org(b).get() == theirs
    with unscoped():
        assert {x.pk for x in Branch.objects.all()} == {mine.pk, theirs.pk}
    assert current_org() is None


@pytest.mark.django_db
def test_staff_middleware_scopes_requests_and_resets_after(client):

    a = make_org("A")
    with org_scope(a):
        user = make_staff(a, "owner")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.organization == a
    assert current_org() is None
