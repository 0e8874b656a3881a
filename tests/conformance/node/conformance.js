// node-quickbooks (npm) used as its README shows, against the QuickBooks sandbox.
// The only sandbox-specific step: the library's endpoint constants (QuickBooks.TOKEN_URL,
// QuickBooks.V3_ENDPOINT_BASE_URL, public static properties) point at the sandbox.
// Input (environment): QBO_BASE_URL, QBO_CLIENT_ID, QBO_CLIENT_SECRET, QBO_REALM_ID,
// QBO_REFRESH_TOKEN, QBO_ITEM_ID, QBO_CUSTOMER_ID. Prints one line per passed check;
// exits 1 on the first failure.
'use strict';

const assert = require('node:assert/strict');
const QuickBooks = require('node-quickbooks');

const env = process.env;
QuickBooks.TOKEN_URL = `${env.QBO_BASE_URL}/oauth2/v1/tokens/bearer`;
QuickBooks.V3_ENDPOINT_BASE_URL = `${env.QBO_BASE_URL}/v3/company/`;

function client(accessToken, refreshToken) {
  return new QuickBooks(
    env.QBO_CLIENT_ID,
    env.QBO_CLIENT_SECRET,
    accessToken,
    false, // no token secret for OAuth 2.0
    env.QBO_REALM_ID,
    true, // use the sandbox
    false, // debug
    75, // minorversion
    '2.0',
    refreshToken,
  );
}

// Calls a callback-style method; resolves { err, data, res } (never rejects).
function call(qbo, method, ...args) {
  return new Promise((resolve) => {
    qbo[method](...args, (err, data, res) => resolve({ err, data, res }));
  });
}

async function ok(qbo, method, ...args) {
  const { err, data, res } = await call(qbo, method, ...args);
  if (err) {
    const body = res && res.data ? JSON.stringify(res.data) : String(err);
    throw new Error(`${method} failed: ${body}`);
  }
  return data;
}

function faultCode(outcome) {
  const body = outcome.data && outcome.data.Fault ? outcome.data : outcome.res && outcome.res.data;
  assert.ok(outcome.err, 'expected a fault');
  return body.Fault.Error[0].code;
}

function invoiceBody(amount) {
  return {
    CustomerRef: { value: env.QBO_CUSTOMER_ID },
    Line: [
      {
        Amount: amount,
        DetailType: 'SalesItemLineDetail',
        SalesItemLineDetail: { ItemRef: { value: env.QBO_ITEM_ID }, Qty: 1, UnitPrice: amount },
      },
    ],
  };
}

const checks = [];
function check(name, fn) {
  checks.push([name, fn]);
}

let qbo;

check('token refresh rotates; the old refresh token is invalid_grant', async () => {
  qbo = client(null, env.QBO_REFRESH_TOKEN);
  const tokens = await ok(qbo, 'refreshAccessToken');
  assert.equal(tokens.token_type, 'bearer');
  assert.notEqual(qbo.refreshToken, env.QBO_REFRESH_TOKEN);
  // refreshAccessToken calls back (err, response, body) on failure.
  const replay = await call(client(null, env.QBO_REFRESH_TOKEN), 'refreshAccessToken');
  assert.equal(replay.data.status, 400);
  assert.equal(replay.data.data.error, 'invalid_grant');
});

check('customers and items', async () => {
  const customer = await ok(qbo, 'createCustomer', { DisplayName: 'Initech' });
  assert.equal(customer.SyncToken, '0');
  const found = await ok(qbo, 'findCustomers', { DisplayName: 'Initech' });
  assert.deepEqual(found.QueryResponse.Customer.map((c) => c.Id), [customer.Id]);
  const item = await ok(qbo, 'createItem', { Name: 'Newsletter slot', Type: 'Service', UnitPrice: 40 });
  const read = await ok(qbo, 'getItem', item.Id);
  assert.equal(read.UnitPrice, 40);
  const items = await ok(qbo, 'findItems', [{ field: 'Name', value: '%slot%', operator: 'LIKE' }]);
  assert.deepEqual(items.QueryResponse.Item.map((i) => i.Name), ['Newsletter slot']);
});

check('invoice create, read, sparse update, stale update, void, delete', async () => {
  const created = await ok(qbo, 'createInvoice', invoiceBody(120));
  assert.equal(created.TotalAmt, 120);
  const read = await ok(qbo, 'getInvoice', created.Id);
  assert.equal(read.SyncToken, '0');
  const updated = await ok(qbo, 'updateInvoice', {
    Id: read.Id, SyncToken: read.SyncToken, sparse: true, PrivateNote: 'from node-quickbooks',
  });
  assert.equal(updated.SyncToken, '1');
  assert.equal(updated.PrivateNote, 'from node-quickbooks');
  const stale = await call(qbo, 'updateInvoice', {
    Id: read.Id, SyncToken: read.SyncToken, sparse: true, PrivateNote: 'stale',
  });
  assert.equal(faultCode(stale), '5010');
  const voided = await ok(qbo, 'voidInvoice', created.Id);
  assert.equal(voided.Invoice.TotalAmt, 0);
  const deleted = await ok(qbo, 'deleteInvoice', created.Id);
  assert.equal(deleted.Invoice.status, 'Deleted');
  const gone = await call(qbo, 'getInvoice', created.Id);
  assert.equal(faultCode(gone), '610');
});

check('query and count', async () => {
  const ids = [];
  for (const amount of [10, 20, 30, 40]) {
    ids.push((await ok(qbo, 'createInvoice', invoiceBody(amount))).Id);
  }
  const counted = await ok(qbo, 'findInvoices', { count: true });
  assert.equal(counted.QueryResponse.totalCount, 4);
  const big = await ok(qbo, 'findInvoices', [{ field: 'TotalAmt', value: '15', operator: '>' }]);
  assert.equal(big.QueryResponse.Invoice.length, 3);
  const page = await ok(qbo, 'findInvoices', { desc: 'Id', limit: 2, offset: 2 });
  assert.deepEqual(page.QueryResponse.Invoice.map((i) => i.Id), [ids[2], ids[1]]);
  const chosen = await ok(qbo, 'findInvoices', [{ field: 'Id', value: ids.slice(0, 2), operator: 'IN' }]);
  assert.deepEqual(chosen.QueryResponse.Invoice.map((i) => i.Id).sort(), ids.slice(0, 2).sort());
});

check('change data capture', async () => {
  const since = new Date(Date.now() - 60 * 60 * 1000);
  const data = await ok(qbo, 'changeDataCapture', ['Invoice', 'Customer'], since);
  const [invoices, customers] = data.CDCResponse[0].QueryResponse;
  const deleted = invoices.Invoice.filter((i) => i.status === 'Deleted');
  assert.equal(deleted.length, 1);
  assert.equal(invoices.Invoice.length, 5);
  assert.deepEqual(customers.Customer.map((c) => c.DisplayName).sort(), ['Acme Media', 'Initech']);
});

check('batch: creates and a query, items independent', async () => {
  const bad = invoiceBody(5);
  bad.Line[0].SalesItemLineDetail.ItemRef.value = '999999';
  const data = await ok(qbo, 'batch', [
    { bId: 'b1', operation: 'create', Invoice: invoiceBody(7) },
    { bId: 'b2', operation: 'create', Invoice: bad },
    { bId: 'b3', Query: 'select count(*) from Invoice' },
  ]);
  const byId = Object.fromEntries(data.BatchItemResponse.map((r) => [r.bId, r]));
  assert.equal(byId.b1.Invoice.TotalAmt, 7);
  assert.equal(byId.b2.Fault.Error[0].code, '2500');
  assert.equal(typeof byId.b3.QueryResponse.totalCount, 'number');
});

(async () => {
  for (const [name, fn] of checks) {
    try {
      await fn();
      console.log(`ok - ${name}`);
    } catch (error) {
      console.log(`not ok - ${name}: ${error && error.stack ? error.stack : error}`);
      process.exit(1);
    }
  }
})();
