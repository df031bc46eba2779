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

  var COLORS = {
    Threat: '#d92d20',
    Vulnerability: '#f79009',
    Device: '#2e90fa',
    Component: '#15b79e',
    Control: '#12b76a',
    Certification: '#7a5af8',
    Deployment: '#ee46bc',
    Organization: '#667085',
    Standard: '#b54708',
  };
  var MITIGATED = '#039855';
  var UNMITIGATED = '#d92d20';

  /** Horizontal distance between two path columns (one column per depth from the source). */
  var COLUMN_WIDTH = 260;

  function shortLabel(node) {
    return (node.__typename || 'Node') + '\n' + node.name + '\n' + node.id;
  }

  /** [name, value] rows of a node's properties for the details panel. */
  function nodeProps(node) {
    var rows = [];
    Object.keys(node).forEach(function (k) {
      if (k === 'provenance' || k === '__typename' || k === 'issuer' || k === 'assessor') return;
      rows.push([k, node[k]]);
    });
    if (node.issuer) rows.push(['issuer', node.issuer.name + ' (' + node.issuer.id + ')']);
    if (node.assessor) rows.push(['assessor', node.assessor.name + ' (' + node.assessor.id + ')']);
    return rows;
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
   * of its shortest depth on any path; an edge is a mitigated step when a control stands at the
   * node it enters on some path through it. Returns { elements, details, columns } where columns
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
        if (s.controls.length > 0) controlled[s.node.id] = true;
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
        data: { id: id, label: shortLabel(n), color: COLORS[n.__typename] || '#98a2b3', kind: n.__typename },
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
          data: { id: nodeId, label: mc.control.name + ' (' + mc.effectiveness + ')', color: COLORS.Control, kind: 'Control', step: stepId, controlId: cid },
          position: { x: base.x + 70, y: base.y + 62 + k * 46 },
          classes: 'control label-Control',
        });
        elements.push({
          group: 'edges',
          data: { id: 'ce:' + stepId + ':' + cid, source: nodeId, target: stepId, label: 'mitigates ' + Math.round(mc.effectiveness * 100) + '%' },
          classes: 'control-edge',
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
          data: { id: id, label: cert.name + '\n' + id + '\n' + (e.holds ? '✔ ' : '✘ ') + validity, color: COLORS.Certification, holds: e.holds },
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

  return {
    COLORS: COLORS,
    MITIGATED: MITIGATED,
    UNMITIGATED: UNMITIGATED,
    COLUMN_WIDTH: COLUMN_WIDTH,
    shortLabel: shortLabel,
    nodeProps: nodeProps,
    pathText: pathText,
    riskElements: riskElements,
    lineageElements: lineageElements,
  };
});
