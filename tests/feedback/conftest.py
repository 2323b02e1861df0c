"""Customers with a spread of revenue, their contacts, and a few ideas of the `product`."""

from decimal import Decimal

import pytest

from tests.factories import ContactFactory, CustomerFactory, IdeaFactory


@pytest.fixture
def acme_corp(workspace):
    return CustomerFactory(workspace=workspace, name="Acme Corp", annual_revenue=Decimal("100000"),
                           segment="enterprise")


@pytest.fixture
def beta_ltd(workspace):
    return CustomerFactory(workspace=workspace, name="Beta Ltd", annual_revenue=Decimal("50000"), segment="smb")


@pytest.fixture
def gamma_inc(workspace):
    return CustomerFactory(workspace=workspace, name="Gamma Inc", annual_revenue=Decimal("10000"), segment="smb")


@pytest.fixture
def alice(acme_corp):
    return ContactFactory(customer=acme_corp, name="Alice", email="alice@acme.example")


@pytest.fixture
def arthur(acme_corp):
    return ContactFactory(customer=acme_corp, name="Arthur", email="arthur@acme.example")


@pytest.fixture
def bob(beta_ltd):
    return ContactFactory(customer=beta_ltd, name="Bob", email="bob@beta.example")


@pytest.fixture
def gina(gamma_inc):
    return ContactFactory(customer=gamma_inc, name="Gina", email="gina@gamma.example")


@pytest.fixture
def idea(product):
    return IdeaFactory(product=product, title="Export reports to CSV")


@pytest.fixture
def other_idea(product):
    return IdeaFactory(product=product, title="Export to CSV files")
