/**
 * The answer check before the peer comparison (bench/peer/questions.ts, pure): this API's and
 * `@neo4j/graphql`'s answers to question (a) and (b) normalise to the same value when they hold
 * the same items, whatever the peer's case-sensitive order inside a nested page; any other
 * difference (an item, a field, the order of the top-level page, a total) is reported.
 */
import { firstDifference, normaliseDeviceDetail, normaliseDevicePage } from '../../bench/peer/questions';

const vuln = (id: string, name: string) => ({ id, name, cvss: 7.5, knownExploited: false });
const ours = () => ({
  device: {
    id: 'd1',
    name: 'Phone',
    category: 'PHONE',
    releasedAt: '2024-01-01',
    components: {
      totalCount: 2,
      edges: [
        {
          via: { role: 'os' },
          node: {
            id: 'c2',
            name: 'apple',
            kind: 'OS_RELEASE',
            version: '1',
            vulnerabilities: {
              totalCount: 2,
              edges: [
                { via: { versionRange: '< 2', vexState: null }, node: vuln('v1', 'alpha') },
                { via: { versionRange: null, vexState: 'AFFECTED' }, node: vuln('v2', 'Beta') },
              ],
            },
          },
        },
        { via: { role: null }, node: { id: 'c1', name: 'Zed', kind: 'LIBRARY', version: null, vulnerabilities: { totalCount: 0, edges: [] } } },
      ],
    },
    certifications: {
      totalCount: 1,
      edges: [
        {
          via: { minOsVersion: '17', maxOsVersion: null },
          node: { id: 'x1', name: 'FIPS', kind: 'CERTIFICATE', status: 'ACTIVE', validUntil: null, issuer: { id: 'o1', name: 'NIST' } },
        },
      ],
    },
  },
});
// the same answer as the peer gives it: other field names, case-sensitive order (Z < a, B < a)
const peer = () => ({
  devices: [
    {
      id: 'd1',
      name: 'Phone',
      category: 'PHONE',
      releasedAt: '2024-01-01',
      componentsConnection: {
        totalCount: 2,
        edges: [
          {
            properties: { role: null },
            node: { id: 'c1', name: 'Zed', kind: 'LIBRARY', version: null, vulnerabilitiesConnection: { totalCount: 0, edges: [] } },
          },
          {
            properties: { role: 'os' },
            node: {
              id: 'c2',
              name: 'apple',
              kind: 'OS_RELEASE',
              version: '1',
              vulnerabilitiesConnection: {
                totalCount: 2,
                edges: [
                  { properties: { versionRange: null, vexState: 'AFFECTED' }, node: vuln('v2', 'Beta') },
                  { properties: { versionRange: '< 2', vexState: null }, node: vuln('v1', 'alpha') },
                ],
              },
            },
          },
        ],
      },
      certificationsConnection: {
        totalCount: 1,
        edges: [
          {
            properties: { minOsVersion: '17', maxOsVersion: null },
            node: { id: 'x1', name: 'FIPS', kind: 'CERTIFICATE', status: 'ACTIVE', validUntil: null, issuer: { id: 'o1', name: 'NIST' } },
          },
        ],
      },
    },
  ],
});

describe('question (a)', () => {
  it('normalises both sides to the same value when they hold the same items', () => {
    expect(firstDifference(normaliseDeviceDetail(ours(), 'ours'), normaliseDeviceDetail(peer(), 'peer'))).toBeUndefined();
  });

  it('reports a differing field, a missing item and a differing total, with where', () => {
    const p1 = peer();
    const c2 = p1.devices[0]?.componentsConnection.edges[1]?.node;
    if (!c2) throw new Error('fixture');
    c2.vulnerabilitiesConnection.edges[0] = { properties: { versionRange: null, vexState: 'FIXED' }, node: vuln('v2', 'Beta') };
    expect(firstDifference(normaliseDeviceDetail(ours(), 'ours'), normaliseDeviceDetail(p1, 'peer'))).toMatch(/vexState: "AFFECTED" vs "FIXED"/);

    const p2 = peer();
    p2.devices[0]?.componentsConnection.edges.pop();
    expect(firstDifference(normaliseDeviceDetail(ours(), 'ours'), normaliseDeviceDetail(p2, 'peer'))).toMatch(/components\.items: lengths 2 vs 1/);

    const p3 = peer();
    const cert = p3.devices[0]?.certificationsConnection;
    if (!cert) throw new Error('fixture');
    cert.totalCount = 2;
    expect(firstDifference(normaliseDeviceDetail(ours(), 'ours'), normaliseDeviceDetail(p3, 'peer'))).toMatch(/certifications\.total: 1 vs 2/);
  });

  it('a missing device on one side only is a difference', () => {
    expect(firstDifference(normaliseDeviceDetail({ device: null }, 'ours'), normaliseDeviceDetail(peer(), 'peer'))).toBeDefined();
    expect(normaliseDeviceDetail({ devices: [] }, 'peer')).toBeNull();
  });
});

describe('question (b)', () => {
  const node = (id: string) => ({ id, name: id, category: 'PHONE', releasedAt: '2024-01-01', maker: { id: 'o1', name: 'Maker' } });
  const oursPage = (ids: string[]) => ({
    devices: { totalCount: 3, edges: ids.map((id) => ({ cursor: `ours-${id}`, node: node(id) })), pageInfo: { hasNextPage: true, endCursor: 'x' } },
  });
  const peerPage = (ids: string[]) => ({
    devicesConnection: { totalCount: 3, edges: ids.map((id) => ({ cursor: `peer-${id}`, node: node(id) })), pageInfo: { hasNextPage: true, endCursor: 'y' } },
  });

  it('compares the page in order, without the cursors', () => {
    expect(firstDifference(normaliseDevicePage(oursPage(['a', 'b']), 'ours'), normaliseDevicePage(peerPage(['a', 'b']), 'peer'))).toBeUndefined();
    expect(firstDifference(normaliseDevicePage(oursPage(['a', 'b']), 'ours'), normaliseDevicePage(peerPage(['b', 'a']), 'peer'))).toMatch(/items\[0\]\.id/);
  });
});
