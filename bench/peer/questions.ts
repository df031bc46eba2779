/**
 * Questions (a) and (b) as the peer (`@neo4j/graphql`) is asked them, and the normalisation that
 * makes its answers comparable with this API's (bench/queries.ts): the same items with the same
 * fields, under one shape. Pure functions, no I/O.
 *
 * Ordering. This API orders nested pages by lower-cased name, then id; the peer can only sort by
 * stored property values, so it is asked for name, then id (case-sensitive). Nested lists are
 * therefore compared after sorting BOTH sides by (lower-cased name, id): the check still requires
 * the same items on each page (the same page cut-off), only their order inside a nested page is
 * not compared. The top-level page of (b) is ordered the same way on both sides (releasedAt
 * descending, then id) and compared in order. Cursors are opaque and encoded differently by each
 * side, so they are left out; `hasNextPage` is compared.
 */

// ------------------------------------------------------------------ (a)

export const PEER_DEVICE_DETAIL_GRAPHQL = /* GraphQL */ `
  query PeerDeviceDetail($id: ID!) {
    devices(where: { id: { eq: $id } }) {
      id
      name
      category
      releasedAt
      componentsConnection(first: 60, sort: [{ node: { name: ASC } }, { node: { id: ASC } }]) {
        totalCount
        edges {
          properties {
            role
          }
          node {
            id
            name
            kind
            version
            vulnerabilitiesConnection(first: 20, sort: [{ node: { name: ASC } }, { node: { id: ASC } }]) {
              totalCount
              edges {
                properties {
                  versionRange
                  vexState
                }
                node {
                  id
                  name
                  cvss
                  knownExploited
                }
              }
            }
          }
        }
      }
      certificationsConnection(first: 20, sort: [{ node: { name: ASC } }, { node: { id: ASC } }]) {
        totalCount
        edges {
          properties {
            minOsVersion
            maxOsVersion
          }
          node {
            id
            name
            kind
            status
            validUntil
            issuer {
              id
              name
            }
          }
        }
      }
    }
  }
`;

// ------------------------------------------------------------------ (b)

export const PEER_DEVICE_PAGE_GRAPHQL = /* GraphQL */ `
  query PeerDevicePage($categories: [String!], $after: Date) {
    devicesConnection(where: { category: { in: $categories }, releasedAt: { gte: $after } }, sort: [{ releasedAt: DESC }, { id: ASC }], first: 20) {
      totalCount
      edges {
        cursor
        node {
          id
          name
          category
          releasedAt
          maker {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

// ------------------------------------------------------------------ normalisation

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = Record<string, unknown>;

function obj(value: unknown, where: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected an object, got ${JSON.stringify(value)}`);
  return value as Obj;
}

function arr(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

/** The value of a scalar field, `null` when absent (so both sides spell "no value" alike). */
function scalar(o: Obj, key: string): Json {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  throw new Error(`field ${key}: expected a scalar, got ${JSON.stringify(v)}`);
}

function pick(o: Obj, keys: readonly string[]): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const k of keys) out[k] = scalar(o, k);
  return out;
}

/** This API's nested order: lower-cased name, then id (src/store/projection.ts). */
const text = (v: Json | undefined): string => (typeof v === 'string' ? v : JSON.stringify(v ?? null));

export function byLowerNameThenId(x: { [key: string]: Json }, y: { [key: string]: Json }): number {
  const a = text(x.name).toLowerCase();
  const b = text(y.name).toLowerCase();
  if (a !== b) return a < b ? -1 : 1;
  const i = text(x.id);
  const j = text(y.id);
  return i < j ? -1 : i > j ? 1 : 0;
}

interface Page {
  total: Json;
  items: { [key: string]: Json }[];
}

const VULN = ['versionRange', 'vexState', 'id', 'name', 'cvss', 'knownExploited'] as const;
const COMPONENT = ['role', 'id', 'name', 'kind', 'version'] as const;
const CERT = ['minOsVersion', 'maxOsVersion', 'id', 'name', 'kind', 'status', 'validUntil'] as const;

/** A connection's items as flat rows (edge properties + node fields), sorted by (lower(name), id). */
function nestedPage(connection: unknown, edgeKey: 'via' | 'properties', where: string, row: (edge: Obj, node: Obj) => { [key: string]: Json }): Page {
  const c = obj(connection, where);
  const items = arr(c.edges, `${where}.edges`).map((e, i) => {
    const edge = obj(e, `${where}.edges[${i}]`);
    return row(
      edge[edgeKey] === null || edge[edgeKey] === undefined ? {} : obj(edge[edgeKey], `${where}.edges[${i}].${edgeKey}`),
      obj(edge.node, `${where}.edges[${i}].node`),
    );
  });
  return { total: scalar(c, 'totalCount'), items: items.sort(byLowerNameThenId) };
}

function normaliseDevice(device: Obj, side: 'ours' | 'peer'): Json {
  const edgeKey = side === 'ours' ? 'via' : 'properties';
  const components = side === 'ours' ? device.components : device.componentsConnection;
  const certifications = side === 'ours' ? device.certifications : device.certificationsConnection;
  const componentPage = nestedPage(components, edgeKey, 'components', (edge, node) => {
    const vulns = side === 'ours' ? node.vulnerabilities : node.vulnerabilitiesConnection;
    const vulnPage = nestedPage(vulns, edgeKey, `components.${String(node.id)}.vulnerabilities`, (ve, vn) => ({ ...pick({ ...vn, ...ve }, VULN) }));
    return { ...pick({ ...node, ...edge }, COMPONENT), vulnerabilities: vulnPage as unknown as Json };
  });
  const certPage = nestedPage(certifications, edgeKey, 'certifications', (edge, node) => {
    const issuer = node.issuer === null || node.issuer === undefined ? null : pick(obj(node.issuer, 'issuer'), ['id', 'name']);
    return { ...pick({ ...node, ...edge }, CERT), issuer };
  });
  return {
    ...pick(device, ['id', 'name', 'category', 'releasedAt']),
    components: componentPage as unknown as Json,
    certifications: certPage as unknown as Json,
  };
}

/** Question (a): this API's `data` (`device`) or the peer's (`devices`, exactly one). */
export function normaliseDeviceDetail(data: unknown, side: 'ours' | 'peer'): Json {
  const d = obj(data, side);
  if (side === 'ours') return d.device === null ? null : normaliseDevice(obj(d.device, 'device'), side);
  const list = arr(d.devices, 'devices');
  if (list.length > 1) throw new Error(`peer: ${list.length} devices with one id`);
  return list.length === 0 ? null : normaliseDevice(obj(list[0], 'devices[0]'), side);
}

/** Question (b): the page in order, with the total and hasNextPage; cursors left out. */
export function normaliseDevicePage(data: unknown, side: 'ours' | 'peer'): Json {
  const d = obj(data, side);
  const c = obj(side === 'ours' ? d.devices : d.devicesConnection, 'devices');
  const items = arr(c.edges, 'edges').map((e, i) => {
    const node = obj(obj(e, `edges[${i}]`).node, `edges[${i}].node`);
    const maker = node.maker === null || node.maker === undefined ? null : pick(obj(node.maker, 'maker'), ['id', 'name']);
    return { ...pick(node, ['id', 'name', 'category', 'releasedAt']), maker };
  });
  return { total: scalar(c, 'totalCount'), hasNextPage: scalar(obj(c.pageInfo, 'pageInfo'), 'hasNextPage'), items };
}

/** The first difference between two normalised answers, as a path and both values; undefined when equal. */
export function firstDifference(a: unknown, b: unknown, where = '$'): string | undefined {
  if (a === b) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${where}: lengths ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${where}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Obj)[k], (b as Obj)[k], `${where}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return `${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}
