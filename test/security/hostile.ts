/**
 * Shared pieces of the hostile-input corpus (hostile-api.test.ts, hostile-imports.test.ts):
 * raw HTTP calls, the rule every answer must follow, the database digest, and the hostile strings.
 */
import { createHash } from 'node:crypto';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import type { TestApp } from '../helpers/app';

export interface Answer {
  status: number;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: { data?: unknown; errors?: { message?: unknown; extensions?: { code?: unknown } }[]; error?: unknown } | undefined;
  text: string;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** A string or bytes sent as is; anything else is JSON-encoded. */
  body?: unknown;
}

export async function call(url: string, request: RawRequest, key: string | null): Promise<Answer> {
  const method = request.method ?? 'POST';
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}), ...request.headers };
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string' || request.body instanceof Uint8Array
        ? request.body
        : JSON.stringify(request.body);
  const res = await fetch(`${url}${request.path ?? '/graphql'}`, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body });
  const text = await res.text();
  let json: Answer['json'];
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Error codes a client can act on; INTERNAL_SERVER_ERROR is not one of them. */
export const NAMED_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'PAYLOAD_TOO_LARGE',
]);

/**
 * What every hostile request must get: an HTTP 4xx, or a 200 whose errors (if any) all carry a
 * named code. Never a 5xx or INTERNAL_SERVER_ERROR. Returns a description of the violation, or ''.
 */
export function violation(answer: Answer, mustFail: boolean): string {
  const errors = answer.json?.errors ?? [];
  const codes = errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : '(no code)'));
  const unnamed = codes.filter((c) => !NAMED_CODES.has(c));
  if (answer.status >= 500) return `HTTP ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (unnamed.length > 0) return `codes ${codes.join(', ')}: ${answer.text.slice(0, 300)}`;
  if (answer.status >= 400)
    return answer.json === undefined && answer.status !== 404 && answer.status !== 405
      ? `HTTP ${answer.status} without a JSON body: ${answer.text.slice(0, 200)}`
      : '';
  if (answer.status !== 200) return `HTTP ${answer.status}`;
  if (mustFail && errors.length === 0) return `accepted: ${answer.text.slice(0, 300)}`;
  return '';
}

/** A digest of everything in the database: every node and relationship with its properties. */
export async function contentHash(t: TestApp): Promise<string> {
  const rows = await t.db.read(
    undefined,
    'hostile corpus snapshot',
    `MATCH (n) WITH n ORDER BY elementId(n)
     OPTIONAL MATCH (n)-[r]->(m)
     WITH n, r, m ORDER BY elementId(r)
     RETURN n.id AS id, labels(n) AS labels, properties(n) AS props, collect([type(r), m.id, properties(r)]) AS out`,
    {},
  );
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

/** Injection, Lucene, unicode and size attacks used in every string argument. */
export const HOSTILE_STRINGS: Record<string, string> = {
  cypher: "x' OR 1=1 WITH n MATCH (m) DETACH DELETE m //",
  cypherBrace: '"}) MATCH (n) DETACH DELETE n RETURN 1 //',
  lucene: 'AND OR NOT && || name:* [a TO z] ~2 ^3 \\ "',
  luceneKeyword: 'NOT',
  nullBytes: 'a\u0000b\u0001\u001f',
  rtl: '\u202Egnp.exe\u202D\u200F\uFEFF',
  unicode: '𝕏😀 زمان ∑ Ω̷̢ 中文 \uD800',
  huge: 'H'.repeat(9000),
  empty: '',
  json: '{"$gt": ""}',
  path: '../../../etc/passwd',
  html: '<script>alert(1)</script>',
};

const DEFAULT_SCALARS: Record<string, unknown> = {
  Int: 1,
  Float: 0.5,
  Boolean: false,
  String: 'x',
  ID: 'x',
  Date: '2024-01-01',
  DateTime: '2024-01-01T00:00:00Z',
  NonNegativeInt: 1,
};

/** A value for a required input: strings 'x', enums their first value, required fields of inputs filled. */
export function defaultValue(type: GraphQLInputType, extra: (fields: string[]) => Record<string, unknown> = () => ({})): unknown {
  const t = getNullableType(type);
  if (isListType(t)) return [defaultValue(t.ofType, extra)];
  if (isEnumType(t)) return t.getValues()[0]?.value;
  if (isScalarType(t)) return DEFAULT_SCALARS[t.name] ?? 'x';
  if (isInputObjectType(t)) {
    const out: Record<string, unknown> = {};
    const fields = t.getFields();
    for (const [name, field] of Object.entries(fields)) if (isNonNullType(field.type)) out[name] = defaultValue(field.type, extra);
    return { ...out, ...extra(Object.keys(fields)) };
  }
  return null;
}

/** Every path to a String or ID leaf in an argument (through input objects and lists, no cycles). */
export function stringLeaves(type: GraphQLInputType, seen: ReadonlySet<string> = new Set()): (string | number)[][] {
  const t = getNullableType(type);
  if (isListType(t)) return stringLeaves(t.ofType, seen).map((p) => [0, ...p]);
  if (isScalarType(t)) return t.name === 'String' || t.name === 'ID' ? [[]] : [];
  if (isInputObjectType(t) && !seen.has(t.name)) {
    const next = new Set([...seen, t.name]);
    return Object.entries(t.getFields()).flatMap(([name, field]) => stringLeaves(field.type, next).map((p) => [name, ...p]));
  }
  return [];
}

/** `value` with `leaf` set at `path` (creating objects and one-element lists on the way). */
export function setAt(value: unknown, path: (string | number)[], leaf: unknown, type: GraphQLInputType): unknown {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path;
  const t = getNullableType(type);
  if (isListType(t)) {
    const list = Array.isArray(value) && value.length > 0 ? [...(value as unknown[])] : [undefined];
    list[0] = setAt(list[0], rest, leaf, t.ofType);
    return list;
  }
  if (isInputObjectType(t) && typeof head === 'string') {
    const obj = typeof value === 'object' && value !== null ? { ...(value as Record<string, unknown>) } : {};
    const field = t.getFields()[head];
    if (!field) throw new Error(`no field ${head} on ${t.name}`);
    obj[head] = setAt(obj[head], rest, leaf, field.type);
    return obj;
  }
  throw new Error(`cannot set ${path.join('.')} in ${String(getNamedType(type))}`);
}

/** An operation calling one root field with every argument as a variable. */
export function operationFor(
  schema: GraphQLSchema,
  kind: 'query' | 'mutation',
  field: string,
  args: readonly GraphQLArgument[],
  passed: Record<string, unknown>,
): string {
  const root = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  const returnType = getNamedType(root?.getFields()[field]?.type);
  const selection = returnType && isScalarType(returnType) ? '' : isEnumType(returnType) ? '' : ' { __typename }';
  const used = args.filter((a) => a.name in passed);
  const decl = used.length > 0 ? `(${used.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')})` : '';
  const call = used.length > 0 ? `(${used.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  return `${kind}${decl} { ${field}${call}${selection} }`;
}
