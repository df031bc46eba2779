/*
 * The risk view's model: a riskPaths or certificationLineage result turned into graph elements
 * (nodes with their positions and classes, edges, control nodes) and the details shown when one
 * is clicked. No DOM and no cytoscape: risk.js draws what this returns. In the browser it is
 * window.AssuranceGraph.riskModel (load it after common.js); under Node it is module.exports,
 * so it is unit-tested without a browser (test/unit/riskModel.test.ts).
 */
(function (root, factory) {
  var model = factory();
  if (typeof module === 'object' && module.exports) {
    module.exports = model;
  } else {
    root.AssuranceGraph = root.AssuranceGraph || {};
    root.AssuranceGraph.riskModel = model;
  }
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  /*
   * Colours: the Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008; the eight
   * colours of https://jfly.uni-koeln.de/color/), chosen to stay distinguishable for readers
   * with protanopia or deuteranopia, plus a neutral grey. test/unit/riskModel.test.ts simulates
   * both (Machado et al. 2009) and checks the colour distance of every pair. Colour is never the
   * only cue: labels have their own node shape, and mitigated steps are dashed.
   */
  var COLORS = {
    Threat: '#D55E00', // vermillion
    Vulnerability: '#E69F00', // orange
    Device: '#0072B2', // blue
    Component: '#56B4E9', // sky blue
    Control: '#009E73', // bluish green
    Certification: '#CC79A7', // reddish purple
    Deployment: '#F0E442', // yellow
    Organization: '#555555', // dark grey (Okabe-Ito's grey is too close to reddish purple under deuteranopia)
    Standard: '#000000', // black
  };
  /** One cytoscape node shape per label, so colour is not the only cue. */
  var SHAPES = {
    Threat: 'diamond',
    Vulnerability: 'triangle',
    Device: 'ellipse',
    Component: 'round-rectangle',
    Control: 'round-rectangle',
    Certification: 'round-tag',
    Deployment: 'hexagon',
    Organization: 'octagon',
    Standard: 'barrel',
  };
  var MITIGATED = '#0072B2'; // blue, drawn dashed
  var UNMITIGATED = '#D55E00'; // vermillion, drawn solid
  /** What a what-if assumption changed: a thick reddish-purple outline and a marker in the label. */
  var CHANGED = '#CC79A7';
  /** Certification status colours on the timeline (with the status written on the bar). */
  var STATUS_COLORS = {
    ACTIVE: '#009E73',
    PENDING: '#56B4E9',
    SUSPENDED: '#E69F00',
    REVOKED: '#D55E00',
    EXPIRED: '#CCCCCC',
    WITHDRAWN: '#000000',
  };

  /** Horizontal distance between two path columns (one column per depth from the source). */
  var COLUMN_WIDTH = 340;

  function shortLabel(node) {
    return (node.__typename || 'Node') + '\n' + node.name + '\n' + node.id;
  }

  /** [name, value] rows of a node's properties for the details panel. */
  function nodeProps(node) {
    var rows = [];
    Object.keys(node).forEach(function (k) {
      if (k === 'provenance' || k === '__typename' || k === 'issuer' || k === 'assessor' || k === 'statusHistory') return;
      rows.push([k, node[k]]);
    });
    if (node.issuer) rows.push(['issuer', node.issuer.name + ' (' + node.issuer.id + ')']);
    if (node.assessor) rows.push(['assessor', node.assessor.name + ' (' + node.assessor.id + ')']);
    return rows;
  }

  /** A control mitigates only with an effectiveness above 0 (a failed control, assumed 0, does not). */
  function effective(mc) {
    return mc.effectiveness > 0;
  }

  function edgeKey(e) {
    return 'e:' + e.type + ':' + e.from.id + '->' + e.to.id;
  }

  /** One line of the path list: score, whether it is mitigated, and its node ids. */
  function pathText(p, pi) {
    return (
      '#' +
      (pi + 1) +
      ' score ' +
      p.score +
      ' (base ' +
      p.baseScore +
      ' × ' +
      p.residualFactor +
      ')' +
      (p.blocked ? ', blocked' : p.mitigated ? ', mitigated' : ', unmitigated') +
      ': ' +
      p.path.nodes
        .map(function (n) {
          return n.id;
        })
        .join(' → ')
    );
  }

  /**
   * A riskPaths result (with at least one path) as graph elements. Every node sits in the column
   * of its shortest depth on any path; an edge is a mitigated step when a control with an
   * effectiveness above 0 stands at the node it enters on some path through it (a control failed
   * by a what-if assumption stands there with 0 and is drawn, classed `failed`, without
   * mitigating). Returns { elements, details, columns } where columns
   * maps a depth to the ids of the path nodes in it (sorted, top to bottom).
   */
  function riskElements(result) {
    var paths = result.paths;
    var details = {}; // element id -> {title, badge, props, provenance, sections}
    var nodes = {}; // id -> {node, depth}
    var edges = {}; // key -> {edge, mitigated, paths:[]}
    var controls = {}; // stepId -> {controlId -> [mc]}
    paths.forEach(function (p, pi) {
      p.path.nodes.forEach(function (n, i) {
        if (!nodes[n.id] || nodes[n.id].depth > i) nodes[n.id] = { node: n, depth: i };
      });
      var controlled = {};
      p.steps.forEach(function (s) {
        if (s.controls.some(effective)) controlled[s.node.id] = true;
        s.controls.forEach(function (mc) {
          var byControl = (controls[s.node.id] = controls[s.node.id] || {});
          (byControl[mc.control.id] = byControl[mc.control.id] || []).push(mc);
        });
      });
      p.path.edges.forEach(function (e, i) {
        var k = edgeKey(e);
        var entered = p.path.nodes[i + 1];
        var rec = (edges[k] = edges[k] || { edge: e, mitigated: false, paths: [] });
        if (entered && controlled[entered.id]) rec.mitigated = true;
        rec.paths.push(pi);
      });
    });

    // Layout: one column per depth, path nodes spread vertically, controls under their step.
    var columns = {};
    Object.keys(nodes).forEach(function (id) {
      var d = nodes[id].depth;
      (columns[d] = columns[d] || []).push(id);
    });
    var elements = [];
    var positions = {};
    Object.keys(columns).forEach(function (d) {
      var ids = columns[d].sort();
      var rowHeight = 120;
      ids.forEach(function (id) {
        var n = Object.keys(controls[id] || {}).length;
        rowHeight = Math.max(rowHeight, 110 + n * 48);
      });
      ids.forEach(function (id, i) {
        // Every other node of a column is nudged right so an edge inside a column does not run through labels.
        positions[id] = { x: Number(d) * COLUMN_WIDTH + (i % 2) * 110, y: (i - (ids.length - 1) / 2) * rowHeight };
      });
    });

    Object.keys(nodes).forEach(function (id) {
      var n = nodes[id].node;
      var classes = ['path-node', 'label-' + n.__typename];
      if (id === result.source.id) classes.push('source');
      if (
        paths.some(function (p) {
          return p.target.id === id;
        })
      )
        classes.push('target');
      elements.push({
        group: 'nodes',
        data: { id: id, label: shortLabel(n), color: COLORS[n.__typename] || '#98a2b3', shape: SHAPES[n.__typename] || 'ellipse', kind: n.__typename },
        position: positions[id],
        classes: classes.join(' '),
      });
      var stepControls = controls[id] || {};
      details[id] = {
        title: n.__typename + ' ' + n.name,
        props: nodeProps(n),
        provenance: n.provenance,
        sections: [
          {
            title: 'Mitigating controls at this step',
            empty: id === result.source.id ? 'The source of the paths.' : 'No control implemented here mitigates the path’s threats.',
            items: Object.keys(stepControls).map(function (cid) {
              var mc = stepControls[cid][0];
              return mc.control.name + ' (' + cid + '): effectiveness ' + mc.effectiveness + ' (' + mc.effectivenessSource + ') against ' + mc.threat.id;
            }),
          },
        ],
      };
    });

    Object.keys(controls).forEach(function (stepId) {
      Object.keys(controls[stepId]).forEach(function (cid, k) {
        var mc = controls[stepId][cid][0];
        var nodeId = 'ctl:' + stepId + ':' + cid;
        var base = positions[stepId] || { x: 0, y: 0 };
        elements.push({
          group: 'nodes',
          data: {
            id: nodeId,
            label: mc.control.name + ' (' + mc.effectiveness + ')',
            color: COLORS.Control,
            shape: SHAPES.Control,
            kind: 'Control',
            step: stepId,
            controlId: cid,
          },
          position: { x: base.x + 70, y: base.y + 62 + k * 46 },
          classes: 'control label-Control' + (effective(mc) ? '' : ' failed'),
        });
        elements.push({
          group: 'edges',
          data: { id: 'ce:' + stepId + ':' + cid, source: nodeId, target: stepId, label: 'mitigates ' + Math.round(mc.effectiveness * 100) + '%' },
          classes: 'control-edge' + (effective(mc) ? '' : ' failed'),
        });
        details[nodeId] = {
          title: 'Control ' + mc.control.name,
          badge: { kind: 'ok', text: 'mitigates ' + mc.threat.id + ' at ' + stepId },
          props: nodeProps(mc.control).concat([
            ['effectiveness on this path', mc.effectiveness],
            ['effectiveness from', mc.effectivenessSource],
          ]),
          provenance: mc.control.provenance,
        };
        details['ce:' + stepId + ':' + cid] = details[nodeId];
      });
    });

    Object.keys(edges).forEach(function (k) {
      var rec = edges[k];
      var e = rec.edge;
      // Draw in the direction risk flows: a BACKWARD crossing is drawn from `to` to `from`.
      var src = e.direction === 'BACKWARD' ? e.to.id : e.from.id;
      var dst = e.direction === 'BACKWARD' ? e.from.id : e.to.id;
      elements.push({
        group: 'edges',
        data: {
          id: k,
          source: src,
          target: dst,
          label: e.type + (e.direction === 'BACKWARD' ? ' ⟲' : ''),
          mitigated: rec.mitigated,
          paths: rec.paths.join(','),
        },
        classes: 'path-edge ' + (rec.mitigated ? 'mitigated' : 'unmitigated'),
      });
      var r = e.relationship;
      details[k] = {
        title: e.type + ' ' + e.from.id + ' → ' + e.to.id,
        badge: rec.mitigated ? { kind: 'ok', text: 'mitigated step' } : { kind: 'bad', text: 'unmitigated step' },
        props: [
          ['type', r.type],
          ['crossed', e.direction],
          ['classification', r.classification],
          ['role', r.role],
          ['evidence', r.evidence],
          ['effectiveness', r.effectiveness],
          ['versionRange', r.versionRange],
          ['vexState', r.vexState],
          ['vexJustification', r.vexJustification],
          ['scope', r.scope],
          ['minOsVersion', r.minOsVersion],
          ['maxOsVersion', r.maxOsVersion],
        ],
        provenance: r.provenance,
      };
    });

    return { elements: elements, details: details, columns: columns };
  }

  /**
   * A certificationLineage result (with at least one entry) as graph elements: a certification
   * sits one row below the lowest of what it rests on (BASED_ON) or replaces (SUPERSEDES), so
   * row 0 holds the certifications that point at nothing. Returns { elements, details, rows }
   * where rows maps a row number to its certification ids (sorted, left to right).
   */
  function lineageElements(result) {
    var details = {};
    var out = {};
    result.links.forEach(function (l) {
      (out[l.from.id] = out[l.from.id] || []).push(l.to.id);
    });
    var rank = {};
    function rankOf(id, guard) {
      if (rank[id] !== undefined) return rank[id];
      if (guard > 64) return 0; // a cycle in bad data: stop rather than loop
      var r = 0;
      (out[id] || []).forEach(function (t) {
        r = Math.max(r, rankOf(t, guard + 1) + 1);
      });
      rank[id] = r;
      return r;
    }
    var known = {};
    result.entries.forEach(function (e) {
      known[e.certification.id] = e;
    });
    Object.keys(known).forEach(function (id) {
      rankOf(id, 0);
    });
    var rows = {};
    Object.keys(known).forEach(function (id) {
      (rows[rank[id]] = rows[rank[id]] || []).push(id);
    });
    var elements = [];
    Object.keys(rows).forEach(function (r) {
      var ids = rows[r].sort();
      ids.forEach(function (id, i) {
        var e = known[id];
        var cert = e.certification;
        var validity = e.holds
          ? 'valid on ' + result.asOf
          : 'not valid on ' +
            result.asOf +
            ': ' +
            e.findings
              .map(function (f) {
                return f.reason;
              })
              .join(', ');
        elements.push({
          group: 'nodes',
          data: {
            id: id,
            label: cert.name + '\n' + id + '\n' + (e.holds ? '✔ ' : '✘ ') + validity,
            color: COLORS.Certification,
            shape: SHAPES.Certification,
            holds: e.holds,
          },
          position: { x: (i - (ids.length - 1) / 2) * 340, y: Number(r) * 140 },
          classes: 'path-node cert ' + (e.holds ? 'cert-ok' : 'cert-bad') + (id === result.root.id ? ' source' : ''),
        });
        details[id] = {
          title: 'Certification ' + cert.name,
          badge: e.holds ? { kind: 'ok', text: 'valid on ' + result.asOf } : { kind: 'bad', text: 'not valid on ' + result.asOf },
          props: nodeProps(cert).concat([['depth from ' + result.root.id, e.depth]]),
          provenance: cert.provenance,
          sections: [
            {
              title: 'Why it does not hold',
              empty: 'It holds on ' + result.asOf + '.',
              items: e.findings.map(function (f) {
                return f.reason + ': ' + f.explanation;
              }),
            },
            {
              title: 'Status history',
              empty: 'No status change recorded: ' + cert.status + ' since issue.',
              items: (cert.statusHistory || []).map(function (h) {
                return 'from ' + h.effectiveFrom + ': ' + h.status + (h.reason ? ' (' + h.reason + ')' : '');
              }),
            },
          ],
        };
      });
    });
    result.links.forEach(function (l) {
      if (!known[l.from.id] || !known[l.to.id]) return;
      var id = 'l:' + l.type + ':' + l.from.id + '->' + l.to.id;
      elements.push({
        group: 'edges',
        data: { id: id, source: l.from.id, target: l.to.id, label: l.type },
        classes: 'path-edge ' + (l.type === 'SUPERSEDES' ? 'supersedes' : 'based-on') + (l.holds ? '' : ' not-holding'),
      });
      details[id] = {
        title: l.type + ' ' + l.from.id + ' → ' + l.to.id,
        badge: l.holds
          ? { kind: 'ok', text: l.type === 'SUPERSEDES' ? 'replacement in effect' : 'basis holds' }
          : { kind: 'bad', text: l.type === 'SUPERSEDES' ? 'replacement not yet in effect' : 'basis does not hold' },
        props: [
          ['type', l.type],
          ['holds on ' + result.asOf, l.holds],
        ],
        provenance: null,
      };
    });
    return { elements: elements, details: details, rows: rows };
  }

  // ---- pickers (type-ahead over the API's full-text search) -------------------------------

  /**
   * What each picker offers: the labels passed to `search(labels:)`, and for the release picker
   * a component kind the hits must have (search filters by label only).
   */
  var PICKERS = {
    from: { labels: ['Threat', 'Vulnerability'] },
    to: { labels: ['Device', 'Deployment', 'Certification', 'Component'] },
    cert: { labels: ['Certification'] },
    fleet: { labels: ['Deployment'] },
    release: { labels: ['Component'], componentKind: 'OS_RELEASE' },
    control: { labels: ['Control'] },
  };

  /** Search hits ({label, node}) as picker options {id, name, kind, detail}, filtered to the picker's kinds. */
  function pickerOptions(hits, picker) {
    var spec = PICKERS[picker] || { labels: [] };
    var seen = {};
    var out = [];
    (hits || []).forEach(function (h) {
      if (!h || !h.node || seen[h.node.id]) return;
      if (spec.labels.indexOf(h.label) < 0) return;
      if (spec.componentKind && h.node.componentKind !== spec.componentKind) return;
      seen[h.node.id] = true;
      out.push({
        id: h.node.id,
        name: h.node.name,
        kind: h.label,
        detail: h.node.version ? 'version ' + h.node.version : h.node.componentKind || h.node.certificationKind || h.node.threatKind || '',
      });
    });
    return out;
  }

  /** Whether typed text is an id as it is (ids are accepted without choosing from the list). */
  function looksLikeId(text) {
    var t = String(text || '').trim();
    return /^[a-z][a-z0-9_-]*:\S+$/i.test(t) || /^CVE-\d{4}-\d+$/i.test(t);
  }

  /**
   * The combobox's keyboard behaviour (WAI-ARIA combobox with a listbox popup): given the state
   * {open, active (index or -1), count} and a key, the next state and what to do
   * ('choose' the active option, 'close', or null). Keys it does not handle return handled: false.
   */
  function comboboxKey(state, key) {
    var open = state.open && state.count > 0;
    var active = state.active;
    if (key === 'ArrowDown') {
      if (state.count === 0) return { state: state, action: null, handled: true };
      return { state: { open: true, active: !open || active < 0 ? 0 : (active + 1) % state.count, count: state.count }, action: null, handled: true };
    }
    if (key === 'ArrowUp') {
      if (state.count === 0) return { state: state, action: null, handled: true };
      return {
        state: { open: true, active: !open || active <= 0 ? state.count - 1 : active - 1, count: state.count },
        action: null,
        handled: true,
      };
    }
    if (key === 'Enter') {
      if (open && active >= 0) return { state: { open: false, active: -1, count: state.count }, action: 'choose', handled: true, index: active };
      return { state: state, action: null, handled: false };
    }
    if (key === 'Escape') {
      if (open) return { state: { open: false, active: -1, count: state.count }, action: 'close', handled: true };
      return { state: state, action: null, handled: false };
    }
    return { state: state, action: null, handled: false };
  }

  // ---- the URL holds the whole state ------------------------------------------------------

  var DEFAULT_STATE = {
    view: '',
    from: '',
    to: '',
    maxHops: 5,
    includeMitigated: true,
    fail: [],
    fleet: '',
    release: '',
    cert: '',
    asOf: '',
    path: -1,
    selected: '',
  };

  /** The page's state as URL query parameters (defaults left out, so links stay short). */
  function encodeState(state) {
    var p = [];
    function add(k, v) {
      p.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
    }
    if (state.view === 'risk') {
      add('from', state.from);
      if (state.to) add('to', state.to);
      add('maxHops', String(state.maxHops));
      if (state.includeMitigated === false) add('includeMitigated', 'false');
      if (state.fail && state.fail.length > 0) add('fail', state.fail.join(','));
      if (state.fleet) add('fleet', state.fleet);
      if (state.release) add('release', state.release);
      if (state.fleet && state.asOf) add('asOf', state.asOf);
      if (state.path >= 0) add('path', String(state.path));
    } else if (state.view === 'lineage') {
      add('cert', state.cert);
      if (state.asOf) add('asOf', state.asOf);
    }
    if (state.selected) add('selected', state.selected);
    return p.join('&');
  }

  /** The page's state from a URL query string (`?from=…` or `?cert=…`); unknown keys are ignored. */
  function decodeState(search) {
    var q = new URLSearchParams(search || '');
    var s = JSON.parse(JSON.stringify(DEFAULT_STATE));
    var hops = parseInt(q.get('maxHops') || '', 10);
    if (q.get('from')) {
      s.view = 'risk';
      s.from = q.get('from');
      s.to = q.get('to') || '';
      if (!isNaN(hops)) s.maxHops = hops;
      s.includeMitigated = q.get('includeMitigated') !== 'false';
      s.fail = (q.get('fail') || '')
        .split(',')
        .map(function (x) {
          return x.trim();
        })
        .filter(Boolean);
      s.fleet = q.get('fleet') || '';
      s.release = q.get('release') || '';
      var path = parseInt(q.get('path') || '', 10);
      s.path = isNaN(path) ? -1 : path;
    } else if (q.get('cert')) {
      s.view = 'lineage';
      s.cert = q.get('cert');
    }
    // For a risk view the date a moved fleet's scope is judged on; for a lineage its as-of date.
    s.asOf = q.get('asOf') || '';
    s.selected = q.get('selected') || '';
    return s;
  }

  /** The `assume` argument of a what-if request, or null when nothing is assumed. */
  function assumeInput(state) {
    var a = {};
    if (state.fail && state.fail.length > 0) a.failControls = state.fail.slice();
    if (state.fleet && state.release) a.moveFleets = [{ deploymentId: state.fleet, osReleaseId: state.release }];
    return Object.keys(a).length > 0 ? a : null;
  }

  // ---- export ----------------------------------------------------------------------------

  var PATH_CSV_COLUMNS = [
    'path',
    'score',
    'baseScore',
    'residualFactor',
    'mitigated',
    'blocked',
    'target',
    'position',
    'nodeId',
    'nodeKind',
    'nodeName',
    'enteredBy',
    'direction',
    'controls',
  ];

  /** One row per step of each path: the path's scores, the node, the edge entering it, the controls there. */
  function pathCsvRows(result) {
    var rows = [];
    (result.paths || []).forEach(function (p, pi) {
      var controlsAt = {};
      (p.steps || []).forEach(function (s) {
        controlsAt[s.position] = s.controls
          .map(function (mc) {
            return mc.control.id + ' (' + mc.effectiveness + ')';
          })
          .join('; ');
      });
      p.path.nodes.forEach(function (n, i) {
        var e = i > 0 ? p.path.edges[i - 1] : null;
        rows.push({
          path: pi + 1,
          score: p.score,
          baseScore: p.baseScore,
          residualFactor: p.residualFactor,
          mitigated: p.mitigated,
          blocked: p.blocked,
          target: p.target.id,
          position: i,
          nodeId: n.id,
          nodeKind: n.__typename,
          nodeName: n.name,
          enteredBy: e ? e.type : '',
          direction: e ? e.direction : '',
          controls: controlsAt[i] || '',
        });
      });
    });
    return rows;
  }

  var LINEAGE_CSV_COLUMNS = ['certificationId', 'name', 'depth', 'status', 'issuedAt', 'validUntil', 'holds', 'asOf', 'findings'];

  /** One row per certification of a lineage. */
  function lineageCsvRows(result) {
    return result.entries.map(function (e) {
      return {
        certificationId: e.certification.id,
        name: e.certification.name,
        depth: e.depth,
        status: e.certification.status,
        issuedAt: e.certification.issuedAt,
        validUntil: e.certification.validUntil,
        holds: e.holds,
        asOf: result.asOf,
        findings: e.findings
          .map(function (f) {
            return f.reason;
          })
          .join('; '),
      };
    });
  }

  /** RFC 4180 CSV (CRLF line ends, fields quoted when they hold a comma, quote or line break). */
  function toCsv(columns, rows) {
    function cell(v) {
      var s = v === null || v === undefined ? '' : String(v);
      // A leading = + - @ would be run as a formula by spreadsheets: prefix it with a quote.
      if (/^[=+\-@]/.test(s) && !/^-?\d/.test(s)) s = "'" + s;
      return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    }
    var lines = [columns.map(cell).join(',')];
    rows.forEach(function (r) {
      lines.push(
        columns
          .map(function (c) {
            return cell(r[c]);
          })
          .join(','),
      );
    });
    return lines.join('\r\n') + '\r\n';
  }

  function xmlEscape(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }[c];
    });
  }

  /**
   * A drawn graph as a standalone SVG document. `graph` is what is on screen:
   * {nodes: [{id, x, y, w, h, label, color, border, borderWidth, dashed, shape, faded}],
   *  edges: [{x1, y1, x2, y2, label, color, width, dashed, dotted, faded}]} in model coordinates.
   */
  function graphSvg(graph, title) {
    var pad = 60;
    var minX = Infinity;
    var minY = Infinity;
    var maxX = -Infinity;
    var maxY = -Infinity;
    graph.nodes.forEach(function (n) {
      minX = Math.min(minX, n.x - n.w / 2 - 80);
      maxX = Math.max(maxX, n.x + n.w / 2 + 80);
      minY = Math.min(minY, n.y - n.h / 2);
      maxY = Math.max(maxY, n.y + n.h / 2 + 50);
    });
    if (!isFinite(minX)) {
      minX = 0;
      minY = 0;
      maxX = 100;
      maxY = 100;
    }
    var w = Math.ceil(maxX - minX + 2 * pad);
    var h = Math.ceil(maxY - minY + 2 * pad);
    var ox = pad - minX;
    var oy = pad - minY;
    var out = [];
    out.push('<?xml version="1.0" encoding="UTF-8"?>');
    out.push(
      '<svg xmlns="http://www.w3.org/2000/svg" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + ' ' + h + '" font-family="sans-serif" font-size="12">',
    );
    out.push('<title>' + xmlEscape(title || 'Assurance Graph risk view') + '</title>');
    out.push('<rect width="100%" height="100%" fill="#ffffff"/>');
    out.push(
      '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>',
    );
    graph.edges.forEach(function (e) {
      var dash = e.dashed ? ' stroke-dasharray="8 5"' : e.dotted ? ' stroke-dasharray="2 4"' : '';
      out.push(
        '<g class="edge"' +
          (e.faded ? ' opacity="0.15"' : '') +
          '><line x1="' +
          (e.x1 + ox).toFixed(1) +
          '" y1="' +
          (e.y1 + oy).toFixed(1) +
          '" x2="' +
          (e.x2 + ox).toFixed(1) +
          '" y2="' +
          (e.y2 + oy).toFixed(1) +
          '" stroke="' +
          xmlEscape(e.color) +
          '" stroke-width="' +
          (e.width || 2) +
          '"' +
          dash +
          ' marker-end="url(#arrow)"/>' +
          (e.label
            ? '<text x="' +
              ((e.x1 + e.x2) / 2 + ox).toFixed(1) +
              '" y="' +
              ((e.y1 + e.y2) / 2 + oy - 4).toFixed(1) +
              '" text-anchor="middle" font-size="10" fill="#1f2933">' +
              xmlEscape(e.label) +
              '</text>'
            : '') +
          '</g>',
      );
    });
    graph.nodes.forEach(function (n) {
      var x = n.x + ox;
      var y = n.y + oy;
      var stroke =
        ' stroke="' + xmlEscape(n.border || '#ffffff') + '" stroke-width="' + (n.borderWidth || 2) + '"' + (n.dashed ? ' stroke-dasharray="6 4"' : '');
      var shape =
        n.shape === 'ellipse'
          ? '<ellipse cx="' +
            x.toFixed(1) +
            '" cy="' +
            y.toFixed(1) +
            '" rx="' +
            n.w / 2 +
            '" ry="' +
            n.h / 2 +
            '" fill="' +
            xmlEscape(n.color) +
            '"' +
            stroke +
            '/>'
          : n.shape === 'diamond'
            ? '<polygon points="' +
              [
                [x, y - n.h / 2],
                [x + n.w / 2, y],
                [x, y + n.h / 2],
                [x - n.w / 2, y],
              ]
                .map(function (pt) {
                  return pt[0].toFixed(1) + ',' + pt[1].toFixed(1);
                })
                .join(' ') +
              '" fill="' +
              xmlEscape(n.color) +
              '"' +
              stroke +
              '/>'
            : '<rect x="' +
              (x - n.w / 2).toFixed(1) +
              '" y="' +
              (y - n.h / 2).toFixed(1) +
              '" width="' +
              n.w +
              '" height="' +
              n.h +
              '" rx="4" fill="' +
              xmlEscape(n.color) +
              '"' +
              stroke +
              '/>';
      var lines = String(n.label || '').split('\n');
      var text = lines
        .map(function (line, i) {
          return '<tspan x="' + x.toFixed(1) + '" dy="' + (i === 0 ? 0 : 14) + '">' + xmlEscape(line) + '</tspan>';
        })
        .join('');
      out.push(
        '<g class="node" data-id="' +
          xmlEscape(n.id) +
          '"' +
          (n.faded ? ' opacity="0.15"' : '') +
          '>' +
          shape +
          '<text x="' +
          x.toFixed(1) +
          '" y="' +
          (y + n.h / 2 + 16).toFixed(1) +
          '" text-anchor="middle" fill="#1f2933">' +
          text +
          '</text></g>',
      );
    });
    out.push('</svg>');
    return out.join('\n') + '\n';
  }

  // ---- lineage timeline ------------------------------------------------------------------

  var DAY = 86400000;

  /** Days since 1970-01-01 of a YYYY-MM-DD date (UTC), or NaN. */
  function dayOf(date) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(date || ''));
    if (!m) return NaN;
    return Math.round(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY);
  }

  /** The YYYY-MM-DD date of a day number. */
  function dateOf(day) {
    return new Date(Math.round(day) * DAY).toISOString().slice(0, 10);
  }

  /** The date `days` days after a YYYY-MM-DD date. */
  function addDays(date, days) {
    return dateOf(dayOf(date) + days);
  }

  /**
   * The status periods of one certification, from its issue to its expiry: from its status
   * history when it has one ([{status, effectiveFrom, reason}], retracted entries already left
   * out by the API), otherwise one period with its recorded status. A period ends where the next
   * change takes effect; the last one ends at validUntil (the last valid day), after which the
   * certification is EXPIRED whatever was recorded.
   */
  function statusPeriods(cert) {
    var start = cert.issuedAt || null;
    var end = cert.validUntil || null;
    var history = (cert.statusHistory || []).slice().sort(function (a, b) {
      return a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0;
    });
    if (history.length === 0) return [{ status: cert.status, from: start, to: end, reason: null }];
    var periods = [];
    if (start && history[0].effectiveFrom > start) periods.push({ status: cert.status, from: start, to: addDays(history[0].effectiveFrom, -1), reason: null });
    history.forEach(function (h, i) {
      var next = history[i + 1];
      var to = next ? addDays(next.effectiveFrom, -1) : end;
      if (end && to && to > end) to = end;
      if (end && h.effectiveFrom > end) {
        periods.push({ status: h.status, from: h.effectiveFrom, to: next ? addDays(next.effectiveFrom, -1) : h.effectiveFrom, reason: h.reason || null });
        return;
      }
      if (next && next.effectiveFrom === h.effectiveFrom) return; // same day: the later one wins
      periods.push({ status: h.status, from: h.effectiveFrom, to: to, reason: h.reason || null });
    });
    return periods;
  }

  /**
   * A lineage result as a timeline: one row per certification (in the API's order: depth, then
   * id), each with its status periods; the date range covering every bar and the as-of date;
   * and year ticks. x(date) and date(x) map between dates and pixels for a plot `width` wide
   * starting at `left`.
   */
  function timelineModel(result, width, left) {
    left = left || 0;
    var lo = Infinity;
    var hi = -Infinity;
    var rows = result.entries.map(function (e) {
      var c = e.certification;
      var periods = statusPeriods(c);
      periods.forEach(function (p) {
        if (p.from) lo = Math.min(lo, dayOf(p.from));
        if (p.to) hi = Math.max(hi, dayOf(p.to));
      });
      return {
        id: c.id,
        name: c.name,
        depth: e.depth,
        holds: e.holds,
        issuedAt: c.issuedAt || null,
        validUntil: c.validUntil || null,
        findings: e.findings.map(function (f) {
          return f.reason;
        }),
        periods: periods,
      };
    });
    var asOfDay = dayOf(result.asOf);
    if (!isNaN(asOfDay)) {
      lo = Math.min(lo, asOfDay);
      hi = Math.max(hi, asOfDay);
    }
    if (!isFinite(lo)) lo = asOfDay - 365;
    if (!isFinite(hi)) hi = asOfDay + 365;
    // Whole years around everything, so the axis starts and ends on a tick.
    var y0 = Number(dateOf(lo).slice(0, 4));
    var y1 = Number(dateOf(hi).slice(0, 4)) + 1;
    var startDay = dayOf(y0 + '-01-01');
    var endDay = dayOf(y1 + '-01-01');
    var span = endDay - startDay;
    function x(date) {
      return left + ((dayOf(date) - startDay) / span) * width;
    }
    function date(px) {
      var d = startDay + ((px - left) / width) * span;
      return dateOf(Math.max(startDay, Math.min(endDay, d)));
    }
    var ticks = [];
    for (var y = y0; y <= y1; y++) ticks.push({ date: y + '-01-01', label: String(y), x: x(y + '-01-01') });
    return { rows: rows, start: dateOf(startDay), end: dateOf(endDay), asOf: result.asOf, ticks: ticks, x: x, date: date };
  }

  // ---- what-if: before and after ----------------------------------------------------------

  /**
   * Which path elements differ between the answer without the assumption (before) and with it
   * (after): paths are matched by their node ids. Returns, by node/edge key, whether it appears
   * only after ('added'), only before ('removed'), or in both with a different mitigation on
   * the step ('changed'), and for each path of `after` whether its score changed (with the old score).
   * With `whatIf` (riskPaths' whatIf part: appeared, disappeared, lost/gained mitigation, score
   * changed), the path verdicts are the API's; without it they are worked out here.
   */
  function riskDiff(before, after, whatIf) {
    function pathKey(p) {
      return p.path.nodes
        .map(function (n) {
          return n.id;
        })
        .join('>');
    }
    function index(result) {
      var paths = {};
      var edges = {};
      var nodes = {};
      (result ? result.paths : []).forEach(function (p) {
        paths[pathKey(p)] = p;
        p.path.nodes.forEach(function (n) {
          nodes[n.id] = true;
        });
        var controlled = {};
        p.steps.forEach(function (s) {
          if (s.controls.some(effective)) controlled[s.node.id] = true;
        });
        p.path.edges.forEach(function (e, i) {
          var k = edgeKey(e);
          var entered = p.path.nodes[i + 1];
          edges[k] = Boolean(edges[k] || (entered && controlled[entered.id]));
        });
      });
      return { paths: paths, edges: edges, nodes: nodes };
    }
    var b = index(before);
    var a = index(after);
    var elements = {};
    Object.keys(a.nodes).forEach(function (id) {
      if (!b.nodes[id]) elements[id] = 'added';
    });
    Object.keys(b.nodes).forEach(function (id) {
      if (!a.nodes[id]) elements[id] = 'removed';
    });
    Object.keys(a.edges).forEach(function (k) {
      if (!(k in b.edges)) elements[k] = 'added';
      else if (a.edges[k] !== b.edges[k]) elements[k] = 'changed';
    });
    Object.keys(b.edges).forEach(function (k) {
      if (!(k in a.edges)) elements[k] = 'removed';
    });
    var paths;
    var removedPaths;
    if (whatIf) {
      // The API's own verdict on each path (riskPaths' whatIf): appeared, lost or gained mitigation, score changed.
      var verdict = {};
      whatIf.appeared.forEach(function (p) {
        verdict[pathKey(p)] = { change: 'added', before: null };
      });
      whatIf.lostMitigation
        .concat(whatIf.gainedMitigation)
        .concat(whatIf.scoreChanged)
        .forEach(function (c) {
          verdict[pathKey(c.after)] = { change: 'changed', before: c.before.score };
        });
      paths = (after ? after.paths : []).map(function (p) {
        var k = pathKey(p);
        return verdict[k] || { change: null, before: b.paths[k] ? b.paths[k].score : null };
      });
      removedPaths = whatIf.disappeared.map(pathKey);
    } else {
      paths = (after ? after.paths : []).map(function (p) {
        var old = b.paths[pathKey(p)];
        if (!old) return { change: 'added', before: null };
        if (old.score !== p.score || old.mitigated !== p.mitigated) return { change: 'changed', before: old.score };
        return { change: null, before: old.score };
      });
      removedPaths = Object.keys(b.paths).filter(function (k) {
        return !a.paths[k];
      });
    }
    return { elements: elements, paths: paths, removedPaths: removedPaths };
  }

  return {
    COLORS: COLORS,
    SHAPES: SHAPES,
    MITIGATED: MITIGATED,
    UNMITIGATED: UNMITIGATED,
    CHANGED: CHANGED,
    STATUS_COLORS: STATUS_COLORS,
    PICKERS: PICKERS,
    pickerOptions: pickerOptions,
    looksLikeId: looksLikeId,
    comboboxKey: comboboxKey,
    DEFAULT_STATE: DEFAULT_STATE,
    encodeState: encodeState,
    decodeState: decodeState,
    assumeInput: assumeInput,
    PATH_CSV_COLUMNS: PATH_CSV_COLUMNS,
    pathCsvRows: pathCsvRows,
    LINEAGE_CSV_COLUMNS: LINEAGE_CSV_COLUMNS,
    lineageCsvRows: lineageCsvRows,
    toCsv: toCsv,
    graphSvg: graphSvg,
    dayOf: dayOf,
    dateOf: dateOf,
    addDays: addDays,
    statusPeriods: statusPeriods,
    timelineModel: timelineModel,
    riskDiff: riskDiff,
    COLUMN_WIDTH: COLUMN_WIDTH,
    shortLabel: shortLabel,
    nodeProps: nodeProps,
    pathText: pathText,
    riskElements: riskElements,
    lineageElements: lineageElements,
  };
});
