/**
 * The risk view's pure helpers (src/explorer/static/riskModel.js) beyond drawing: the pickers'
 * options and keyboard behaviour, the URL state, the CSV and SVG exports, the lineage timeline,
 * the what-if difference, and the colour palette checked under simulated colour blindness.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

interface State {
  view: string;
  from: string;
  to: string;
  maxHops: number;
  includeMitigated: boolean;
  fail: string[];
  fleet: string;
  release: string;
  cert: string;
  asOf: string;
  path: number;
  selected: string;
}
interface Period {
  status: string;
  from: string | null;
  to: string | null;
  reason: string | null;
}
interface Timeline {
  rows: { id: string; holds: boolean; periods: Period[] }[];
  start: string;
  end: string;
  ticks: { date: string; label: string; x: number }[];
  x(date: string): number;
  date(x: number): string;
}
interface ViewModel {
  COLORS: Record<string, string>;
  SHAPES: Record<string, string>;
  MITIGATED: string;
  UNMITIGATED: string;
  CHANGED: string;
  STATUS_COLORS: Record<string, string>;
  DEFAULT_STATE: State;
  pickerOptions(hits: unknown[], picker: string): { id: string; name: string; kind: string; detail: string }[];
  looksLikeId(text: string): boolean;
  comboboxKey(
    state: { open: boolean; active: number; count: number },
    key: string,
  ): { state: { open: boolean; active: number; count: number }; action: string | null; handled: boolean; index?: number };
  encodeState(state: State): string;
  decodeState(search: string): State;
  assumeInput(state: State): unknown;
  PATH_CSV_COLUMNS: string[];
  pathCsvRows(result: unknown): Record<string, unknown>[];
  LINEAGE_CSV_COLUMNS: string[];
  lineageCsvRows(result: unknown): Record<string, unknown>[];
  toCsv(columns: string[], rows: Record<string, unknown>[]): string;
  graphSvg(graph: unknown, title?: string): string;
  dayOf(date: string): number;
  dateOf(day: number): string;
  addDays(date: string, days: number): string;
  statusPeriods(cert: unknown): Period[];
  timelineModel(result: unknown, width: number, left?: number): Timeline;
  riskElements(result: unknown): { elements: { group: string; data: { id: string }; classes: string }[] };
  riskDiff(
    before: unknown,
    after: unknown,
    whatIf?: unknown,
  ): { elements: Record<string, string>; paths: { change: string | null; before: number | null }[]; removedPaths: string[] };
}

const model = createRequire(__filename)(path.resolve(__dirname, '../../src/explorer/static/riskModel.js')) as ViewModel;

describe('pickers', () => {
  const hits = [
    { label: 'Deployment', score: 3, node: { id: 'deployment:staff', name: 'Staff iPhones' } },
    { label: 'Component', score: 2.5, node: { id: 'component:ios-18.0', name: 'iOS 18.0', componentKind: 'OS_RELEASE', version: '18.0' } },
    { label: 'Component', score: 2, node: { id: 'component:a17', name: 'A17 Pro', componentKind: 'SOC' } },
    { label: 'Threat', score: 1, node: { id: 'threat:x', name: 'X attack', threatKind: 'ATTACK_TECHNIQUE' } },
    { label: 'Threat', score: 0.5, node: { id: 'threat:x', name: 'X attack' } },
  ];

  it('offers only the kinds the picker takes, once each, with name, kind and id, in the API order', () => {
    expect(model.pickerOptions(hits, 'from')).toEqual([{ id: 'threat:x', name: 'X attack', kind: 'Threat', detail: 'ATTACK_TECHNIQUE' }]);
    expect(model.pickerOptions(hits, 'fleet').map((o) => o.id)).toEqual(['deployment:staff']);
    expect(model.pickerOptions(hits, 'to').map((o) => o.id)).toEqual(['deployment:staff', 'component:ios-18.0', 'component:a17']);
  });

  it('offers only OS releases as the release to move a fleet to', () => {
    expect(model.pickerOptions(hits, 'release')).toEqual([{ id: 'component:ios-18.0', name: 'iOS 18.0', kind: 'Component', detail: 'version 18.0' }]);
  });

  it('takes typed ids as they are (no search)', () => {
    expect(model.looksLikeId('threat:firmware-tampering')).toBe(true);
    expect(model.looksLikeId('CVE-2024-23225')).toBe(true);
    expect(model.looksLikeId('firmware')).toBe(false);
    expect(model.looksLikeId('iphone 15: pro')).toBe(false);
  });

  it('moves through the options with the arrow keys (wrapping), chooses with Enter, closes with Escape', () => {
    const closed = { open: false, active: -1, count: 3 };
    let r = model.comboboxKey(closed, 'ArrowDown');
    expect(r.state).toEqual({ open: true, active: 0, count: 3 });
    r = model.comboboxKey(r.state, 'ArrowDown');
    r = model.comboboxKey(r.state, 'ArrowDown');
    r = model.comboboxKey(r.state, 'ArrowDown');
    expect(r.state.active).toBe(0);
    r = model.comboboxKey(r.state, 'ArrowUp');
    expect(r.state.active).toBe(2);
    expect(model.comboboxKey(r.state, 'Enter')).toEqual({ state: { open: false, active: -1, count: 3 }, action: 'choose', handled: true, index: 2 });
    expect(model.comboboxKey(r.state, 'Escape')).toMatchObject({ action: 'close', handled: true, state: { open: false } });
    // Enter with no active option submits the form; Escape on a closed list is the page's.
    expect(model.comboboxKey({ open: true, active: -1, count: 3 }, 'Enter').handled).toBe(false);
    expect(model.comboboxKey(closed, 'Escape').handled).toBe(false);
    expect(model.comboboxKey({ open: false, active: -1, count: 0 }, 'ArrowDown').state.open).toBe(false);
    expect(model.comboboxKey(closed, 'a').handled).toBe(false);
  });
});

describe('the URL holds the whole state', () => {
  const risk: State = {
    ...model.DEFAULT_STATE,
    view: 'risk',
    from: 'threat:firmware-tampering',
    to: 'device:iphone-15',
    maxHops: 6,
    includeMitigated: false,
    fail: ['control:secure-boot-verification', 'control:tamper-resistance'],
    fleet: 'deployment:mod-staff-iphone-15',
    release: 'component:ios-18.0',
    asOf: '2025-06-01',
    path: 2,
    selected: 'e:TARGETS:threat:firmware-tampering->component:iboot',
  };

  it('round-trips a risk view with its what-if assumptions, chosen path and selection', () => {
    const q = model.encodeState(risk);
    expect(q).toBe(
      'from=threat%3Afirmware-tampering&to=device%3Aiphone-15&maxHops=6&includeMitigated=false' +
        '&fail=control%3Asecure-boot-verification%2Ccontrol%3Atamper-resistance&fleet=deployment%3Amod-staff-iphone-15' +
        '&release=component%3Aios-18.0&asOf=2025-06-01&path=2&selected=e%3ATARGETS%3Athreat%3Afirmware-tampering-%3Ecomponent%3Aiboot',
    );
    expect(model.decodeState(`?${q}`)).toEqual(risk);
  });

  it('round-trips a lineage view and leaves defaults out', () => {
    const lineage: State = { ...model.DEFAULT_STATE, view: 'lineage', cert: 'cert:nato-clearance-2024', asOf: '2025-06-01' };
    expect(model.encodeState(lineage)).toBe('cert=cert%3Anato-clearance-2024&asOf=2025-06-01');
    expect(model.decodeState('?cert=cert%3Anato-clearance-2024&asOf=2025-06-01')).toEqual(lineage);
    expect(model.encodeState({ ...model.DEFAULT_STATE, view: 'risk', from: 'threat:a' })).toBe('from=threat%3Aa&maxHops=5');
    expect(model.decodeState('?from=threat:a&maxHops=x&path=y')).toMatchObject({ maxHops: 5, path: -1, fail: [] });
    expect(model.decodeState('').view).toBe('');
  });

  it('turns the what-if choices into the assume argument, and nothing into null', () => {
    expect(model.assumeInput(risk)).toEqual({
      failControls: ['control:secure-boot-verification', 'control:tamper-resistance'],
      moveFleets: [{ deploymentId: 'deployment:mod-staff-iphone-15', osReleaseId: 'component:ios-18.0' }],
    });
    expect(model.assumeInput({ ...risk, fail: [], release: '' })).toBeNull();
  });
});

const node = (typename: string, id: string, name: string) => ({ __typename: typename, id, name });
const edge = (type: string, from: string, to: string, direction = 'FORWARD') => ({
  type,
  direction,
  from: { id: from },
  to: { id: to },
  relationship: { type },
});
const ctl = { control: { id: 'control:k', name: 'Secure boot' }, threat: { id: 'threat:t' }, effectiveness: 0.8, effectivenessSource: 'MITIGATES_EDGE' };
const T = node('Threat', 'threat:t', 'Boot, "firmware" attack');
const C = node('Component', 'component:c', 'Phone OS');
const D = node('Device', 'device:d', '=Phone');
const twoPaths = {
  paths: [
    {
      score: 0.8,
      baseScore: 4,
      residualFactor: 0.2,
      mitigated: true,
      blocked: false,
      target: { id: 'device:d' },
      path: { nodes: [T, D], edges: [edge('TARGETS', 'threat:t', 'device:d')] },
      steps: [
        { position: 0, node: { id: 'threat:t' }, controls: [] },
        { position: 1, node: { id: 'device:d' }, controls: [ctl] },
      ],
    },
    {
      score: 0.8,
      baseScore: 4,
      residualFactor: 0.2,
      mitigated: true,
      blocked: false,
      target: { id: 'device:d' },
      path: { nodes: [T, C, D], edges: [edge('TARGETS', 'threat:t', 'component:c'), edge('HAS_COMPONENT', 'device:d', 'component:c', 'BACKWARD')] },
      steps: [
        { position: 0, node: { id: 'threat:t' }, controls: [] },
        { position: 1, node: { id: 'component:c' }, controls: [] },
        { position: 2, node: { id: 'device:d' }, controls: [ctl] },
      ],
    },
  ],
};

describe('export', () => {
  it('writes one CSV row per path step, quoting what needs it and defusing spreadsheet formulas', () => {
    const csv = model.toCsv(model.PATH_CSV_COLUMNS, model.pathCsvRows(twoPaths));
    expect(csv.split('\r\n')).toEqual([
      'path,score,baseScore,residualFactor,mitigated,blocked,target,position,nodeId,nodeKind,nodeName,enteredBy,direction,controls',
      '1,0.8,4,0.2,true,false,device:d,0,threat:t,Threat,"Boot, ""firmware"" attack",,,',
      "1,0.8,4,0.2,true,false,device:d,1,device:d,Device,'=Phone,TARGETS,FORWARD,control:k (0.8)",
      '2,0.8,4,0.2,true,false,device:d,0,threat:t,Threat,"Boot, ""firmware"" attack",,,',
      '2,0.8,4,0.2,true,false,device:d,1,component:c,Component,Phone OS,TARGETS,FORWARD,',
      "2,0.8,4,0.2,true,false,device:d,2,device:d,Device,'=Phone,HAS_COMPONENT,BACKWARD,control:k (0.8)",
      '',
    ]);
    expect(model.toCsv(['a'], [{ a: -1.5 }, { a: 'line\nbreak' }])).toBe('a\r\n-1.5\r\n"line\nbreak"\r\n');
  });

  it('writes one CSV row per certification of a lineage', () => {
    const rows = model.lineageCsvRows({
      asOf: '2026-06-01',
      entries: [
        {
          depth: 0,
          holds: false,
          certification: { id: 'cert:a', name: 'A', status: 'ACTIVE', issuedAt: '2025-01-01', validUntil: '2026-01-01' },
          findings: [{ reason: 'EXPIRED' }, { reason: 'BASIS_NOT_VALID' }],
        },
      ],
    });
    expect(model.toCsv(model.LINEAGE_CSV_COLUMNS, rows)).toBe(
      'certificationId,name,depth,status,issuedAt,validUntil,holds,asOf,findings\r\ncert:a,A,0,ACTIVE,2025-01-01,2026-01-01,false,2026-06-01,EXPIRED; BASIS_NOT_VALID\r\n',
    );
  });

  it('draws the graph as a standalone SVG with every node and edge, escaping text', () => {
    const svg = model.graphSvg(
      {
        nodes: [
          { id: 'a<&>', x: 0, y: 0, w: 30, h: 30, label: 'Threat\nA & B', color: '#D55E00', shape: 'diamond' },
          { id: 'b', x: 200, y: 50, w: 30, h: 30, label: 'Device', color: '#0072B2', shape: 'ellipse', faded: true },
        ],
        edges: [{ x1: 0, y1: 0, x2: 200, y2: 50, label: 'TARGETS', color: '#D55E00', width: 2.5, dashed: true }],
      },
      'Paths <x>',
    );
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
    expect(svg).toContain('<title>Paths &lt;x&gt;</title>');
    expect(svg).toContain('data-id="a&lt;&amp;&gt;"');
    expect(svg).toContain('<tspan x="80.0" dy="14">A &amp; B</tspan>'.replace('80.0', svg.match(/<tspan x="([\d.]+)" dy="14">/)?.[1] ?? ''));
    expect(svg).toContain('stroke-dasharray="8 5"');
    expect(svg).toContain('<g class="node" data-id="b" opacity="0.15">');
    expect((svg.match(/<g class="edge"/g) ?? []).length).toBe(1);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });
});

describe('lineage timeline', () => {
  it('counts days in UTC', () => {
    expect(model.dayOf('1970-01-02')).toBe(1);
    expect(model.dateOf(model.dayOf('2024-02-28') + 1)).toBe('2024-02-29');
    expect(model.addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(Number.isNaN(model.dayOf('nope'))).toBe(true);
  });

  it('draws one period from issue to expiry without a status history', () => {
    expect(model.statusPeriods({ status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2026-12-31' })).toEqual([
      { status: 'ACTIVE', from: '2024-01-01', to: '2026-12-31', reason: null },
    ]);
  });

  it('splits the bar at each status change of the history, in date order, ending at validUntil', () => {
    const periods = model.statusPeriods({
      status: 'ACTIVE',
      issuedAt: '2024-01-01',
      validUntil: '2026-12-31',
      statusHistory: [
        { status: 'ACTIVE', effectiveFrom: '2025-03-01', reason: 'reinstated' },
        { status: 'SUSPENDED', effectiveFrom: '2025-01-10', reason: 'under review' },
      ],
    });
    expect(periods).toEqual([
      { status: 'ACTIVE', from: '2024-01-01', to: '2025-01-09', reason: null },
      { status: 'SUSPENDED', from: '2025-01-10', to: '2025-02-28', reason: 'under review' },
      { status: 'ACTIVE', from: '2025-03-01', to: '2026-12-31', reason: 'reinstated' },
    ]);
  });

  it('lays rows out on a whole-year axis covering every bar and the as-of date; x and date are inverse', () => {
    const tm = model.timelineModel(
      {
        asOf: '2031-06-01',
        entries: [
          {
            depth: 0,
            holds: true,
            findings: [],
            certification: { id: 'cert:a', name: 'A', status: 'ACTIVE', issuedAt: '2025-01-01', validUntil: '2030-12-31' },
          },
          {
            depth: 1,
            holds: false,
            findings: [{ reason: 'EXPIRED' }],
            certification: { id: 'cert:b', name: 'B', status: 'ACTIVE', issuedAt: '2024-05-01', validUntil: '2026-12-31' },
          },
        ],
      },
      700,
      100,
    );
    expect(tm.rows.map((r) => [r.id, r.holds])).toEqual([
      ['cert:a', true],
      ['cert:b', false],
    ]);
    expect([tm.start, tm.end]).toEqual(['2024-01-01', '2032-01-01']);
    expect(tm.ticks.map((t) => t.label)).toEqual(['2024', '2025', '2026', '2027', '2028', '2029', '2030', '2031', '2032']);
    expect(tm.x('2024-01-01')).toBe(100);
    expect(tm.x('2032-01-01')).toBe(800);
    expect(tm.date(tm.x('2027-07-15'))).toBe('2027-07-15');
    // Dragging past either end stops at the axis.
    expect(tm.date(-50)).toBe('2024-01-01');
    expect(tm.date(5000)).toBe('2032-01-01');
  });
});

describe('what-if difference', () => {
  it('marks what appeared, disappeared or changed mitigation, and the paths whose score changed', () => {
    const after = JSON.parse(JSON.stringify(twoPaths)) as typeof twoPaths;
    // The control failed: the second path is no longer mitigated, the first one disappeared
    // (mitigated paths hidden), and a new step through a new node appeared.
    after.paths = [after.paths[1] as (typeof twoPaths.paths)[number]];
    const p = after.paths[0];
    if (!p) throw new Error('fixture');
    p.score = 4;
    p.mitigated = false;
    p.steps[2] = { position: 2, node: { id: 'device:d' }, controls: [] };
    const diff = model.riskDiff(twoPaths, after);
    expect(diff.elements).toEqual({
      'e:HAS_COMPONENT:device:d->component:c': 'changed',
      'e:TARGETS:threat:t->device:d': 'removed',
    });
    expect(diff.paths).toEqual([{ change: 'changed', before: 0.8 }]);
    expect(diff.removedPaths).toEqual(['threat:t>device:d']);
    expect(model.riskDiff(twoPaths, twoPaths).elements).toEqual({});
  });

  it('treats a failed control (effectiveness 0) as standing there without mitigating', () => {
    const failed = JSON.parse(JSON.stringify(twoPaths)) as typeof twoPaths;
    for (const p of failed.paths) for (const st of p.steps) for (const c of st.controls) c.effectiveness = 0;
    const drawnFailed = model.riskElements({ ...failed, source: T });
    const cls = (id: string) => drawnFailed.elements.find((e) => e.data.id === id)?.classes;
    expect(cls('e:TARGETS:threat:t->device:d')).toBe('path-edge unmitigated');
    expect(cls('ctl:device:d:control:k')).toBe('control label-Control failed');
    expect(cls('ce:device:d:control:k')).toBe('control-edge failed');
    expect(model.riskDiff(twoPaths, failed).elements).toEqual({
      'e:TARGETS:threat:t->device:d': 'changed',
      'e:HAS_COMPONENT:device:d->component:c': 'changed',
    });
  });

  it("takes the path verdicts from the API's whatIf when there is one", () => {
    const ids = (...xs: string[]) => ({ path: { nodes: xs.map((id) => ({ id })) } });
    const whatIf = {
      appeared: [ids('threat:t', 'device:d')],
      disappeared: [ids('threat:t', 'component:x', 'device:d')],
      lostMitigation: [
        { before: { score: 0.8, ...ids('threat:t', 'component:c', 'device:d') }, after: { score: 4, ...ids('threat:t', 'component:c', 'device:d') } },
      ],
      gainedMitigation: [],
      scoreChanged: [],
    };
    const diff = model.riskDiff(twoPaths, twoPaths, whatIf);
    expect(diff.paths).toEqual([
      { change: 'added', before: null },
      { change: 'changed', before: 0.8 },
    ]);
    expect(diff.removedPaths).toEqual(['threat:t>component:x>device:d']);
  });
});

describe('palette: distinguishable for colour-blind readers', () => {
  // Colour-vision deficiency simulation: Machado, Oliveira & Fernandes (2009), severity 1.0,
  // applied to linear sRGB; distances are CIE76 ΔE in CIELAB (D65). ΔE ≥ 15 is clearly
  // distinguishable side by side; the old palette's closest pair was ΔE 4.7 under deuteranopia.
  const SIMULATIONS: Record<string, number[][]> = {
    'normal vision': [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
    protanopia: [
      [0.152286, 1.052583, -0.204868],
      [0.114503, 0.786281, 0.099216],
      [-0.003882, -0.048116, 1.051998],
    ],
    deuteranopia: [
      [0.367322, 0.860646, -0.227968],
      [0.280085, 0.672501, 0.047413],
      [-0.01182, 0.04294, 0.968881],
    ],
  };
  const linear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  function lab(hex: string, m: number[][]): [number, number, number] {
    const rgb = [1, 3, 5].map((i) => linear(parseInt(hex.slice(i, i + 2), 16) / 255));
    const [r, g, b] = m.map((row) =>
      Math.min(1, Math.max(0, (row[0] ?? 0) * (rgb[0] ?? 0) + (row[1] ?? 0) * (rgb[1] ?? 0) + (row[2] ?? 0) * (rgb[2] ?? 0))),
    ) as [number, number, number];
    const X = 0.4124 * r + 0.3576 * g + 0.1805 * b;
    const Y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const Z = 0.0193 * r + 0.1192 * g + 0.9505 * b;
    const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
    const fx = f(X / 0.95047);
    const fy = f(Y);
    const fz = f(Z / 1.08883);
    return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
  }
  function closest(palette: Record<string, string>, m: number[][]): { pair: string; deltaE: number } {
    const entries = Object.entries(palette);
    let best = { pair: '', deltaE: Infinity };
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const [ka, va] = entries[i] ?? ['', ''];
        const [kb, vb] = entries[j] ?? ['', ''];
        const a = lab(va, m);
        const b = lab(vb, m);
        const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
        if (d < best.deltaE) best = { pair: `${ka}/${kb}`, deltaE: d };
      }
    }
    return best;
  }

  it.each(Object.keys(SIMULATIONS))('keeps every pair of node colours, status colours and step colours apart under %s', (name) => {
    const m = SIMULATIONS[name] ?? [];
    expect(closest(model.COLORS, m).deltaE).toBeGreaterThanOrEqual(15);
    expect(closest(model.STATUS_COLORS, m).deltaE).toBeGreaterThanOrEqual(15);
    expect(closest({ mitigated: model.MITIGATED, unmitigated: model.UNMITIGATED }, m).deltaE).toBeGreaterThanOrEqual(40);
  });

  it('fails a palette that is not safe (the check can fail)', () => {
    // The previous palette's Threat red and Standard brown merge under deuteranopia.
    expect(closest({ Threat: '#d92d20', Standard: '#b54708' }, SIMULATIONS.deuteranopia ?? []).deltaE).toBeLessThan(15);
  });

  it('gives every label its own shape, so colour is never the only cue', () => {
    expect(Object.keys(model.SHAPES).sort()).toEqual(Object.keys(model.COLORS).sort());
    const shapes = Object.entries(model.SHAPES).filter(([k]) => k !== 'Control');
    expect(new Set(shapes.map(([, v]) => v)).size).toBe(shapes.length);
  });
});
