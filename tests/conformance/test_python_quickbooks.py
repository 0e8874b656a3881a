"""python-quickbooks (PyPI) with intuit-oauth, used as their READMEs show, against the sandbox.

The only sandbox-specific steps: intuit-oauth's `environment` is the sandbox's discovery URL
(the library accepts a URL there and reads the token endpoint from it), the client's API
base is set to the sandbox (`api_url_v3`, a class attribute the client reads per request), and
oauthlib is told plain HTTP is fine (`OAUTHLIB_INSECURE_TRANSPORT`, its switch for local tests).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from intuitlib.client import AuthClient
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks
from quickbooks.batch import batch_create
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item

from tests.support.sandbox import SandboxAdmin

pytestmark = pytest.mark.integration


def connect(company: dict[str, Any]) -> tuple[QuickBooks, AuthClient]:
    auth_client = AuthClient(
        client_id=company["client_id"],
        client_secret=company["client_secret"],
        redirect_uri="http://localhost:8000/callback",
        environment=company["discovery_url"],
    )
    client = QuickBooks(
        auth_client=auth_client,
        refresh_token=company["refresh_token"],
        company_id=company["realm_id"],
        minorversion=75,
    )
    client.api_url_v3 = f"{company['base_url']}/v3"
    return client, auth_client


@pytest.fixture(autouse=True)
def plain_http_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """oauthlib's documented switch for local testing: the sandbox speaks plain HTTP."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def qb(company: dict[str, Any]) -> QuickBooks:
    return connect(company)[0]


def readme_invoice(customer: Customer, item: Item, amount: float) -> Invoice:
    """The README's way: only what matters is set; every other field keeps its default."""
    line = SalesItemLine()
    line.Amount = amount
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = item.to_ref()
    invoice = Invoice()
    invoice.Line.append(line)
    invoice.CustomerRef = customer.to_ref()
    return invoice


def test_token_refresh_rotates_and_the_old_token_is_refused(company: dict[str, Any]) -> None:
    _client, auth_client = connect(company)
    assert auth_client.access_token
    assert auth_client.refresh_token and auth_client.refresh_token != company["refresh_token"]
    assert auth_client.expires_in == 3600
    auth_client.refresh()  # the rotated token works again, once
    with pytest.raises(AuthClientError) as caught:
        auth_client.refresh(refresh_token=company["refresh_token"])
    assert caught.value.status_code == 400
    assert "invalid_grant" in caught.value.content.decode()


def test_customers_and_items(qb: QuickBooks) -> None:
    customer = Customer()
    customer.DisplayName = "Globex Corporation"
    saved = customer.save(qb=qb)
    assert saved.Id and saved.DisplayName == "Globex Corporation"
    found = Customer.filter(DisplayName="Globex Corporation", qb=qb)
    assert [c.Id for c in found] == [saved.Id]

    item = Item()
    item.Name = "Banner"
    item.UnitPrice = 25
    item.Type = "Service"
    created = item.save(qb=qb)
    names = sorted(i.Name for i in Item.all(qb=qb))  # sends `SELECT *, Sku FROM Item`
    assert names == ["Banner", "Display Ad"]
    assert Item.get(created.Id, qb=qb).UnitPrice == 25


async def test_invoice_lifecycle(
    qb: QuickBooks, company: dict[str, Any], sandbox: SandboxAdmin
) -> None:
    customer = Customer.all(qb=qb)[0]
    item = Item.filter(Name="Display Ad", qb=qb)[0]
    created = readme_invoice(customer, item, 150.0).save(qb=qb)
    assert created.TotalAmt == 150.0 and created.SyncToken == "0"
    assert created.DocNumber == "1001"

    read = Invoice.get(created.Id, qb=qb)
    stale = copy.deepcopy(read)
    read.PrivateNote = "changed by python-quickbooks"
    read.sparse = True
    updated = read.save(qb=qb)
    assert (updated.SyncToken, updated.PrivateNote) == ("1", "changed by python-quickbooks")
    assert updated.TotalAmt == 150.0

    stale.PrivateNote = "stale"
    with pytest.raises(QuickbooksException) as caught:
        stale.save(qb=qb)
    assert caught.value.error_code == 5010

    voided = Invoice.get(created.Id, qb=qb)
    voided.void(qb=qb)
    after_void = Invoice.get(created.Id, qb=qb)
    assert after_void.TotalAmt == 0 and after_void.PrivateNote.startswith("Voided")

    after_void.delete(qb=qb)
    with pytest.raises(QuickbooksException) as gone:
        Invoice.get(created.Id, qb=qb)
    assert gone.value.error_code == 610
    assert [i["deleted"] for i in await sandbox.invoices(company["realm_id"])] == [True]


def test_query_and_count(qb: QuickBooks) -> None:
    customer = Customer.all(qb=qb)[0]
    item = Item.all(qb=qb)[0]
    ids = [readme_invoice(customer, item, 10.0 * (n + 1)).save(qb=qb).Id for n in range(4)]
    assert Invoice.count(qb=qb) == 4
    assert Invoice.count("TotalAmt > '15'", qb=qb) == 3
    page = Invoice.where("", order_by="Id DESC", start_position=2, max_results=2, qb=qb)
    assert [i.Id for i in page] == [ids[2], ids[1]]
    chosen = Invoice.choose(ids[:2], qb=qb)  # WHERE Id IN (...)
    assert sorted(i.Id for i in chosen) == sorted(ids[:2])
    liked = Customer.query("SELECT * FROM Customer WHERE DisplayName LIKE '%Media%'", qb=qb)
    assert [c.DisplayName for c in liked] == ["Acme Media"]


def test_change_data_capture(qb: QuickBooks) -> None:
    # The library drops any UTC offset (`%Y-%m-%dT%H:%M:%S`); QBO then reads the value in
    # company time, so look back a day: the realm is new, so this still means "everything".
    since = datetime.now(UTC) - timedelta(days=1)
    customer = Customer.all(qb=qb)[0]
    item = Item.all(qb=qb)[0]
    kept = readme_invoice(customer, item, 20.0).save(qb=qb)
    dropped = readme_invoice(customer, item, 30.0).save(qb=qb)
    Invoice.get(dropped.Id, qb=qb).delete(qb=qb)
    changes = change_data_capture([Invoice, Customer], since, qb=qb)
    invoices = {i.Id: i for i in changes.Invoice}
    assert set(invoices) == {kept.Id, dropped.Id}
    assert invoices[dropped.Id].status == "Deleted"


async def test_batch_create_of_readme_invoices(
    qb: QuickBooks, company: dict[str, Any], sandbox: SandboxAdmin
) -> None:
    customer = Customer.all(qb=qb)[0]
    item = Item.all(qb=qb)[0]
    result = batch_create([readme_invoice(customer, item, 5.0 * (n + 1)) for n in range(3)], qb=qb)
    assert result.faults == []
    assert sorted(i.TotalAmt for i in result.successes) == [5.0, 10.0, 15.0]
    assert len(await sandbox.invoices(company["realm_id"])) == 3
