/**
 * The explorer in real headless Chromium: served from node_modules only (no request leaves
 * 127.0.0.1), schema docs and autocompletion from introspection, the query collection offered
 * as examples, a query run with an API key from the headers editor.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, createExplorerHandler, type ExampleQuery } from '../../src/explorer/handler';
import { cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import type { Page } from 'playwright-core';
import { externalRequests, openBrowser, SLOW_MACHINE, type TestBrowser } from './browser';

/** The text of GraphiQL's query editor (CodeMirror 5 keeps its instance on the wrapper element). */
function queryEditorText(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): { CodeMirror?: { getValue(): string } } | null } }).document;
    return doc.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.getValue() ?? null;
  });
}

describe('explorer (headless Chromium)', () => {
  let t: TestApp;
  let url: string;
  let opened: TestBrowser | undefined;
  const current = (): TestBrowser => {
    if (!opened) throw new Error('the browser did not start');
    return opened;
  };
  const prefix = uniquePrefix('explorer');

  beforeAll(async () => {
    t = await startTestApp(SLOW_MACHINE);
    url = await t.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await cleanup(t.db, prefix);
    await t.close();
  });
  beforeEach(async () => {
    opened = await openBrowser();
  });
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('loads at / from the server alone: docs, autocompletion and the query collection work', async () => {
    const b = current();
    const { page } = b;
    await page.goto(`${url}/`);
    await page.locator('.graphiql-container').waitFor();
    // The Examples panel is open on first visit and lists docs/queries/*.graphql, read now.
    const collectionDir = path.resolve(__dirname, '../../docs/queries');
    const expected = readdirSync(collectionDir)
      .filter((f) => f.endsWith('.graphql'))
      .sort();
    await page.locator('.ag-examples-panel').waitFor();
    await page
      .locator('.ag-examples-panel .ag-muted', { hasText: /Click one|No example/ })
      .first()
      .waitFor();
    if (expected.length > 0) {
      await page.locator('.ag-example').first().waitFor();
      const files = await page.locator('.ag-example-file').allTextContents();
      expect(files).toEqual(expected);
      // Clicking an example opens its text in a new tab.
      const first = expected[0] ?? '';
      const text = readFileSync(path.join(collectionDir, first), 'utf8');
      const tabsBefore = await page.locator('.graphiql-tab').count();
      await page.locator('.ag-example').first().click();
      // Wait for the editor to hold the example (no fixed sleep): the page signals it, or the wait times out.
      await page
        .waitForFunction(
          (expected) => {
            const doc = (globalThis as unknown as { document: { querySelector(s: string): { CodeMirror?: { getValue(): string } } | null } }).document;
            return doc.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.getValue() === expected;
          },
          text,
          { timeout: 15000 },
        )
        .catch(() => undefined);
      expect(await queryEditorText(page)).toBe(text);
      expect(await page.locator('.graphiql-tab').count()).toBe(tabsBefore + 1);
    } else {
      await expect(page.getByText('No example operations yet').isVisible()).resolves.toBe(true);
    }
    await b.screenshot('explorer-examples');

    // Schema docs: the Docs plugin shows the root types from introspection.
    await page.getByRole('button', { name: /Show Documentation Explorer/i }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().click();
    await page.locator('.graphiql-doc-explorer-title', { hasText: 'Query' }).waitFor();
    await expect(
      page.locator('.graphiql-doc-explorer').getByText('riskPaths').or(page.locator('.graphiql-doc-explorer').getByText('devices')).first().isVisible(),
    ).resolves.toBe(true);

    // Autocompletion: typing a field prefix offers the schema's fields.
    const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ devi');
    await page.locator('.CodeMirror-hint', { hasText: 'devices' }).first().waitFor();
    const hints = await page.locator('.CodeMirror-hint').allTextContents();
    expect(hints).toEqual(expect.arrayContaining(['device', 'devices']));
    await b.screenshot('explorer-autocomplete');

    expect(externalRequests(b.requests)).toEqual([]);
    expect(b.requests.some((u) => u.endsWith('/explorer/assets/graphiql.min.js'))).toBe(true);
    expect(b.requests.some((u) => u.endsWith('/graphql'))).toBe(true);
    expect(b.errors).toEqual([]);
  });

  it('runs a query with the API key from the headers editor and shows its data', async () => {
    const b = current();
    const id = `${prefix}dev-1`;
    const seeded = await t.run('mutation($input: DeviceInput!) { upsertDevice(input: $input) { id } }', {
      input: { id, name: 'Explorer Test Phone', category: 'PHONE', classification: 'SECRET', provenance: { source: 'test' } },
    });
    expect(seeded.errors).toBeUndefined();
    const { page } = b;
    const sent: { url: string; apiKey: string | undefined }[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql')) sent.push({ url: request.url(), apiKey: request.headers()['x-api-key'] });
    });
    const query = `query OneDevice {\n  device(id: "${id}") {\n    id\n    name\n    classification\n  }\n}\n`;
    await page.goto(`${url}/explorer?query=${encodeURIComponent(query)}`);
    await page.locator('.graphiql-container').waitFor();
    // The device is SECRET: anonymous callers see null, the viewer key (SECRET clearance) sees it.
    await page.getByRole('button', { name: /^Headers$/ }).click();
    const headers = page.locator('.graphiql-editor-tool .CodeMirror').last();
    await headers.click();
    await page.keyboard.type(`{"x-api-key": "${KEYS.viewer}"`);
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.result-window');
    await response.getByText('Explorer Test Phone').waitFor();
    const text = (await response.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain(`"id": "${id}"`);
    expect(text).toContain('"classification": "SECRET"');
    expect(sent.some((s) => s.apiKey === KEYS.viewer)).toBe(true);
    await b.screenshot('explorer-query-result');
    expect(externalRequests(b.requests)).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});

describe('explorer routes (HTTP)', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await startTestApp(SLOW_MACHINE);
    url = await t.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves pages with a same-origin CSP, whitelisted assets only, and leaves /graphql to Apollo with CSRF prevention', async () => {
    for (const p of ['/explorer', '/risk']) {
      const res = await fetch(`${url}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    const home = await fetch(`${url}/`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(await home.text()).toContain('/explorer/assets/graphiql.min.js');
    for (const asset of [
      'graphiql.min.js',
      'graphiql.min.css',
      'react.production.min.js',
      'react-dom.production.min.js',
      'cytoscape.min.js',
      'explorer.js',
      'risk.js',
    ]) {
      const res = await fetch(`${url}/explorer/assets/${asset}`);
      expect([asset, res.status]).toEqual([asset, 200]);
    }
    for (const bad of ['../handler.ts', '..%2Fhandler.ts', 'package.json', '%2e%2e/%2e%2e/package.json']) {
      const res = await fetch(`${url}/explorer/assets/${bad}`);
      expect([bad, res.status]).toEqual([bad, 404]);
    }
    // A GraphQL GET at / without text/html still reaches Apollo.
    const apolloGet = await fetch(`${url}/?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await apolloGet.json()).toEqual({ data: { __typename: 'Query' } });
    // CSRF prevention is intact for the API: a simple (form-like) request is refused.
    const csrf = await fetch(`${url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(csrf.status).toBe(400);
    expect(await csrf.text()).toMatch(/CSRF/);
    // A browser opening /graphql is sent to the explorer.
    const redirect = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/explorer');
  });

  it('reads the query collection at request time, so new files appear without a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ag-queries-'));
    const handler = createExplorerHandler({ queriesDir: dir });
    const server = http.createServer((req, res) => {
      void handler(req, res, new URL(req.url ?? '/', 'http://x').pathname).then((handled) => {
        if (!handled) {
          res.writeHead(404);
          res.end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const list = async (): Promise<ExampleQuery[]> => (await (await fetch(`${base}/explorer/queries.json`)).json()) as ExampleQuery[];
      expect(await list()).toEqual([]);
      writeFileSync(
        path.join(dir, 'b-devices.graphql'),
        '# Devices by name.\n# variables: {"first": 3}\nquery Devices($first: Int) { devices(first: $first) { totalCount } }\n',
      );
      writeFileSync(path.join(dir, 'notes.txt'), 'not a query');
      const one = await list();
      expect(one).toEqual([
        {
          name: 'b-devices',
          file: 'b-devices.graphql',
          operations: ['Devices'],
          description: 'Devices by name.',
          variables: '{"first": 3}',
          query: expect.stringContaining('query Devices'),
        },
      ]);
      writeFileSync(path.join(dir, 'a-broken.graphql'), 'query Broken {');
      writeFileSync(path.join(dir, 'a-broken.variables.json'), '{"x": 1}\n');
      const two = await list();
      expect(two.map((e) => e.file)).toEqual(['a-broken.graphql', 'b-devices.graphql']);
      expect(two[0]?.error).toMatch(/Syntax Error/);
      expect(two[0]?.variables).toBe('{"x": 1}');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
