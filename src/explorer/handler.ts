/**
 * The browser side of the API, served by the API itself with nothing fetched from elsewhere:
 *
 * - GET / (when the client accepts text/html) and GET /explorer: GraphiQL 4 (UMD bundle on React
 *   18's UMD files, all from node_modules) with the query collection (docs/queries/*.graphql,
 *   read at request time) offered as examples;
 * - GET /risk: the risk view (riskPaths / certificationLineage drawn with cytoscape);
 * - GET /explorer/assets/<name>: this folder's static files and a whitelist of files from
 *   node_modules; GET /explorer/queries.json: the query collection as JSON.
 *
 * Pages carry a Content-Security-Policy that only allows the server's own origin, so a page
 * cannot reach the internet even by mistake.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { Kind, parse } from 'graphql';

/** Where a package is installed (works for packages whose `exports` hide package.json). */
function packageDir(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = path.join(base, name);
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`explorer: package ${name} is not installed`);
}

interface Asset {
  /** Absolute file path, resolved lazily (a missing package fails the request, not startup). */
  file: () => string;
  type: string;
  /** Files from node_modules change only with a reinstall; our own files may change any time. */
  immutable: boolean;
}

const STATIC_DIR = path.join(__dirname, 'static');
const own = (name: string, type: string): Asset => ({ file: () => path.join(STATIC_DIR, name), type, immutable: false });
const dep = (pkg: string, rel: string, type: string): Asset => ({ file: () => path.join(packageDir(pkg), rel), type, immutable: true });

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

/** Everything under /explorer/assets/: nothing outside this list is ever read from disk. */
const ASSETS: Readonly<Record<string, Asset>> = {
  'react.production.min.js': dep('react', 'umd/react.production.min.js', JS),
  'react-dom.production.min.js': dep('react-dom', 'umd/react-dom.production.min.js', JS),
  'graphiql.min.js': dep('graphiql', 'graphiql.min.js', JS),
  'graphiql.min.css': dep('graphiql', 'graphiql.min.css', CSS),
  'cytoscape.min.js': dep('cytoscape', 'dist/cytoscape.min.js', JS),
  'explorer.js': own('explorer.js', JS),
  'riskModel.js': own('riskModel.js', JS),
  'risk.js': own('risk.js', JS),
  'common.js': own('common.js', JS),
  'explorer.css': own('explorer.css', CSS),
};

const PAGES: Readonly<Record<string, string>> = {
  '/explorer': 'explorer.html',
  '/explorer/': 'explorer.html',
  '/risk': 'risk.html',
  '/risk/': 'risk.html',
};

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The query collection in the checkout. */
export const QUERY_COLLECTION_DIR = path.resolve(__dirname, '../../docs/queries');

/** One operation file of the query collection. */
export interface ExampleQuery {
  /** File name without `.graphql`. */
  name: string;
  file: string;
  /** Names of the operations in the file (a file may hold several). */
  operations: string[];
  /** The leading `#` comment lines, without the `#`. */
  description: string;
  /** Variables from a `# variables: {...}` comment line or a sibling `<name>.variables.json`. */
  variables: string;
  query: string;
  /** Set when the file does not parse as GraphQL; the text is still offered. */
  error?: string;
}

export async function readQueryCollection(dir: string): Promise<ExampleQuery[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const files = entries.filter((f) => f.endsWith('.graphql')).sort();
  const out: ExampleQuery[] = [];
  for (const file of files) {
    const query = await readFile(path.join(dir, file), 'utf8');
    const name = file.slice(0, -'.graphql'.length);
    const leading: string[] = [];
    let variables = '';
    for (const line of query.split('\n')) {
      const m = /^\s*#\s?(.*)$/.exec(line);
      if (!m) {
        if (line.trim() === '' && leading.length === 0) continue;
        break;
      }
      const text = m[1] ?? '';
      const v = /^variables\s*:\s*(.+)$/i.exec(text.trim());
      if (v) variables = v[1] ?? '';
      else leading.push(text);
    }
    let variablesFromFile: string | undefined;
    try {
      variablesFromFile = await readFile(path.join(dir, `${name}.variables.json`), 'utf8');
    } catch {
      variablesFromFile = undefined;
    }
    if (variablesFromFile !== undefined) variables = variablesFromFile.trim();
    const example: ExampleQuery = { name, file, operations: [], description: leading.join('\n').trim(), variables, query };
    try {
      const doc = parse(query);
      for (const def of doc.definitions) {
        if (def.kind === Kind.OPERATION_DEFINITION) example.operations.push(def.name?.value ?? '(anonymous)');
      }
    } catch (error) {
      example.error = error instanceof Error ? error.message : String(error);
    }
    out.push(example);
  }
  return out;
}

export interface ExplorerOptions {
  /** The query collection; read at every request so new files appear without a restart. */
  queriesDir?: string;
  /**
   * False in production: the explorer's paths answer 404 saying so, GET / from a browser is not
   * redirected to it, and the query collection (which would show the schema that introspection
   * hides) is not served to anyone. Default true.
   */
  enabled?: boolean;
}

const NOT_IN_PRODUCTION = JSON.stringify({
  error:
    'The explorer and its query collection are not served in production (NODE_ENV=production); use a development server, or send GraphQL requests to /graphql',
});

/** Handles the request and returns true, or returns false when the path is not the explorer's. */
export type ExplorerHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

function acceptsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html');
}

export function createExplorerHandler(options: ExplorerOptions = {}): ExplorerHandler {
  const queriesDir = options.queriesDir ?? QUERY_COLLECTION_DIR;

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', ...extra });
    res.end(body);
  };

  const enabled = options.enabled ?? true;

  return async (req, res, pathname) => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (!enabled) {
      const browserAtRoot = pathname === '/' && acceptsHtml(req) && (method === 'GET' || method === 'HEAD');
      if (!browserAtRoot && PAGES[pathname] === undefined && !pathname.startsWith('/explorer')) return false;
      send(res, 404, 'application/json; charset=utf-8', NOT_IN_PRODUCTION);
      return true;
    }
    let page = PAGES[pathname];
    if (pathname === '/' && acceptsHtml(req) && (method === 'GET' || method === 'HEAD')) page = 'explorer.html';
    // A browser pointed at the API itself gets the explorer instead of a CSRF refusal.
    if (pathname === '/graphql' && method === 'GET' && acceptsHtml(req) && !(req.url ?? '').includes('query=')) {
      res.writeHead(302, { location: '/explorer' });
      res.end();
      return true;
    }
    const isAsset = pathname.startsWith('/explorer/assets/');
    const isCollection = pathname === '/explorer/queries.json';
    if (page === undefined && !isAsset && !isCollection) return false;
    if (method !== 'GET' && method !== 'HEAD') {
      send(res, 405, 'application/json; charset=utf-8', JSON.stringify({ error: `${method} not allowed on ${pathname}` }), { allow: 'GET, HEAD' });
      return true;
    }
    if (page !== undefined) {
      const html = await readFile(path.join(STATIC_DIR, page));
      send(res, 200, HTML, method === 'HEAD' ? '' : html, {
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'cache-control': 'no-cache',
        'referrer-policy': 'no-referrer',
      });
      return true;
    }
    if (isCollection) {
      const collection = await readQueryCollection(queriesDir);
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify(collection), { 'cache-control': 'no-store' });
      return true;
    }
    const name = pathname.slice('/explorer/assets/'.length);
    const asset = Object.prototype.hasOwnProperty.call(ASSETS, name) ? ASSETS[name] : undefined;
    if (asset === undefined) {
      send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ error: `No explorer asset ${name}` }));
      return true;
    }
    const body = await readFile(asset.file());
    send(res, 200, asset.type, method === 'HEAD' ? '' : body, { 'cache-control': asset.immutable ? 'public, max-age=86400' : 'no-cache' });
    return true;
  };
}
