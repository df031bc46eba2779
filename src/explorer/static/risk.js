/* The risk view: riskPaths and certificationLineage drawn with cytoscape. */
'use strict';
(function () {
  var AG = window.AssuranceGraph;
  var $ = function (id) {
    return document.getElementById(id);
  };

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

  var NODE_FIELDS =
    '__typename id name description classification stale provenance { source sourceRef assertedAt assertedBy } ' +
    '... on Threat { threatKind: kind severity likelihood externalId tactics platforms revoked deprecated } ' +
    '... on Vulnerability { cvss knownExploited publishedAt vendor product kevDateAdded } ' +
    '... on Device { category releasedAt } ' +
    '... on Component { componentKind: kind version purl cpe releasedAt supportEndsAt } ' +
    '... on Control { framework family controlId statement withdrawn effectiveness } ' +
    '... on Certification { certificationKind: kind status issuedAt validUntil scope reference } ' +
    '... on Deployment { deviceCount osVersion environment } ' +
    '... on Organization { organizationKind: kind country } ' +
    '... on Standard { publisher version url }';

  var RISK_QUERY =
    'query RiskView($from: ID!, $to: ID, $maxHops: Int, $includeMitigated: Boolean, $first: Int) {\n' +
    '  riskPaths(from: $from, to: $to, maxHops: $maxHops, includeMitigated: $includeMitigated, first: $first) {\n' +
    '    source { ...ViewNode } totalCount truncated maxHops\n' +
    '    paths {\n' +
    '      score baseScore residualFactor mitigated blocked target { id }\n' +
    '      path { length nodes { ...ViewNode } edges { type direction from { id } to { id } relationship { type classification role evidence effectiveness versionRange vexState vexJustification scope minOsVersion maxOsVersion provenance { source sourceRef assertedAt assertedBy } } } }\n' +
    '      steps { position node { id } controls { effectiveness effectivenessSource threat { id name } control { ...ViewNode } } }\n' +
    '    }\n' +
    '  }\n' +
    '}\n' +
    'fragment ViewNode on Node { ' + NODE_FIELDS + ' }\n';

  var LINEAGE_QUERY =
    'query LineageView($id: ID!, $asOf: Date) {\n' +
    '  certificationLineage(certificationId: $id, asOf: $asOf) {\n' +
    '    asOf holds truncated root { id }\n' +
    '    entries { depth holds findings { reason explanation relatedCertification { id } } certification { ...ViewNode issuer { id name } assessor { id name } } }\n' +
    '    links { type holds from { id } to { id } }\n' +
    '  }\n' +
    '}\n' +
    'fragment ViewNode on Node { ' + NODE_FIELDS + ' }\n';

  // Exposed so that tests can validate them against the schema.
  AG.queries = { risk: RISK_QUERY, lineage: LINEAGE_QUERY };

  var cy = null;
  var details = {}; // element id -> {title, props, provenance, extra}

  // ---- messages --------------------------------------------------------------------------

  function showMessage(kind, text) {
    var el = $('message');
    el.hidden = false;
    el.setAttribute('data-kind', kind);
    el.textContent = text;
  }
  function hideMessage() {
    var el = $('message');
    el.hidden = true;
    el.removeAttribute('data-kind');
  }
  function clearGraph() {
    if (cy) cy.elements().remove();
    details = {};
    $('summary').textContent = '';
    $('summary').removeAttribute('data-nodes');
    $('paths').textContent = '';
    $('details').innerHTML = '<p class="ag-muted">Click a node or an edge to see its properties and provenance.</p>';
  }

  // ---- headers ---------------------------------------------------------------------------

  function readHeaders() {
    var text = $('headers').value.trim();
    if (text === '') return {};
    var parsed = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('Headers must be a JSON object');
    return parsed;
  }

  // ---- cytoscape -------------------------------------------------------------------------

  function ensureCy() {
    if (cy) return cy;
    var style = [
      {
        selector: 'node',
        style: {
          'background-color': 'data(color)',
          label: 'data(label)',
          'text-wrap': 'wrap',
          'text-max-width': '150px',
          'font-size': '10px',
          'text-valign': 'bottom',
          'text-margin-y': '4px',
          color: '#1f2933',
          width: 34,
          height: 34,
          'border-width': 2,
          'border-color': '#ffffff',
        },
      },
      { selector: 'node.source', style: { shape: 'diamond', width: 44, height: 44 } },
      { selector: 'node.target', style: { 'border-color': '#101828', 'border-width': 4 } },
      { selector: 'node.control', style: { shape: 'round-rectangle', width: 26, height: 18, 'font-size': '9px', color: MITIGATED } },
      { selector: 'node.cert', style: { 'text-halign': 'right', 'text-valign': 'center', 'text-margin-x': '10px', 'text-justification': 'left', 'text-max-width': '220px' } },
      { selector: 'node.cert-ok', style: { 'border-color': MITIGATED, 'border-width': 5 } },
      { selector: 'node.cert-bad', style: { 'border-color': UNMITIGATED, 'border-width': 5, 'border-style': 'dashed' } },
      { selector: 'node:selected', style: { 'overlay-color': '#7f56d9', 'overlay-opacity': 0.25 } },
      {
        selector: 'edge',
        style: {
          width: 2.5,
          'curve-style': 'bezier',
          'target-arrow-shape': 'triangle',
          label: 'data(label)',
          'font-size': '9px',
          'text-rotation': 'autorotate',
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.85,
          'text-background-padding': '2px',
        },
      },
      { selector: 'edge.unmitigated', style: { 'line-color': UNMITIGATED, 'target-arrow-color': UNMITIGATED, 'line-style': 'solid' } },
      { selector: 'edge.mitigated', style: { 'line-color': MITIGATED, 'target-arrow-color': MITIGATED, 'line-style': 'dashed' } },
      { selector: 'edge.control-edge', style: { 'line-color': MITIGATED, 'target-arrow-color': MITIGATED, 'line-style': 'dotted', width: 1.5, 'target-arrow-shape': 'tee', color: MITIGATED } },
      { selector: 'edge.based-on', style: { 'line-color': '#475467', 'target-arrow-color': '#475467' } },
      { selector: 'edge.supersedes', style: { 'line-color': '#7a5af8', 'target-arrow-color': '#7a5af8', 'line-style': 'dashed' } },
      { selector: 'edge.not-holding', style: { opacity: 0.55, 'line-color': UNMITIGATED, 'target-arrow-color': UNMITIGATED } },
      { selector: '.faded', style: { opacity: 0.15 } },
    ];
    cy = cytoscape({ container: $('cy'), style: style, wheelSensitivity: 0.3, minZoom: 0.2, maxZoom: 3 });
    cy.on('tap', 'node, edge', function (evt) {
      showDetails(evt.target.id());
    });
    window.agCy = cy; // for tests and for the curious in the console
    return cy;
  }

  function shortLabel(node) {
    return (node.__typename || 'Node') + '\n' + node.name + '\n' + node.id;
  }

  // ---- details panel ---------------------------------------------------------------------

  function table(rows) {
    var t = document.createElement('table');
    rows.forEach(function (r) {
      if (r[1] === undefined || r[1] === null || r[1] === '') return;
      var tr = document.createElement('tr');
      var th = document.createElement('th');
      th.textContent = r[0];
      var td = document.createElement('td');
      td.textContent = Array.isArray(r[1]) ? r[1].join(', ') : String(r[1]);
      tr.appendChild(th);
      tr.appendChild(td);
      t.appendChild(tr);
    });
    return t;
  }

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

  function provRows(p) {
    if (!p) return [];
    return [
      ['source', p.source],
      ['sourceRef', p.sourceRef],
      ['assertedAt', p.assertedAt],
      ['assertedBy', p.assertedBy],
    ];
  }

  function showDetails(id) {
    var d = details[id];
    var box = $('details');
    box.textContent = '';
    if (!d) return;
    box.setAttribute('data-selected', id);
    var h = document.createElement('h2');
    h.style.fontSize = '15px';
    h.textContent = d.title;
    box.appendChild(h);
    if (d.badge) {
      var badge = document.createElement('span');
      badge.className = 'ag-badge ' + d.badge.kind;
      badge.textContent = d.badge.text;
      box.appendChild(badge);
    }
    var h3 = document.createElement('h3');
    h3.textContent = 'Properties';
    box.appendChild(h3);
    box.appendChild(table(d.props));
    (d.sections || []).forEach(function (s) {
      var sh = document.createElement('h3');
      sh.textContent = s.title;
      box.appendChild(sh);
      if (s.items.length === 0) {
        var p = document.createElement('p');
        p.className = 'ag-muted';
        p.textContent = s.empty || 'None.';
        box.appendChild(p);
      } else {
        var ul = document.createElement('ul');
        s.items.forEach(function (item) {
          var li = document.createElement('li');
          li.textContent = item;
          ul.appendChild(li);
        });
        box.appendChild(ul);
      }
    });
    var ph = document.createElement('h3');
    ph.textContent = 'Provenance';
    box.appendChild(ph);
    box.appendChild(table(provRows(d.provenance)));
  }

  // ---- risk paths ------------------------------------------------------------------------

  function edgeKey(e) {
    return 'e:' + e.type + ':' + e.from.id + '->' + e.to.id;
  }

  function drawRisk(result, vars) {
    clearGraph();
    var c = ensureCy();
    var paths = result.paths;
    if (paths.length === 0) {
      var msg = 'No risk path from ' + result.source.id + (vars.to ? ' to ' + vars.to : ' to any device') + ' within ' + result.maxHops + ' hops';
      if (!vars.includeMitigated) msg += ' (mitigated paths are hidden)';
      showMessage('empty', msg + '.');
      $('summary').textContent = '0 paths.';
      $('summary').setAttribute('data-nodes', '0');
      return;
    }
    hideMessage();
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
        positions[id] = { x: Number(d) * 260 + (i % 2) * 110, y: (i - (ids.length - 1) / 2) * rowHeight };
      });
    });

    Object.keys(nodes).forEach(function (id) {
      var n = nodes[id].node;
      var classes = ['path-node', 'label-' + n.__typename];
      if (id === result.source.id) classes.push('source');
      if (paths.some(function (p) { return p.target.id === id; })) classes.push('target');
      elements.push({ group: 'nodes', data: { id: id, label: shortLabel(n), color: COLORS[n.__typename] || '#98a2b3', kind: n.__typename }, position: positions[id], classes: classes.join(' ') });
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
        elements.push({ group: 'edges', data: { id: 'ce:' + stepId + ':' + cid, source: nodeId, target: stepId, label: 'mitigates ' + Math.round(mc.effectiveness * 100) + '%' }, classes: 'control-edge' });
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
        data: { id: k, source: src, target: dst, label: e.type + (e.direction === 'BACKWARD' ? ' ⟲' : ''), mitigated: rec.mitigated, paths: rec.paths.join(',') },
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

    c.add(elements);
    c.fit(undefined, 40);

    var pathNodes = c.nodes('.path-node').length;
    var pathEdges = c.edges('.path-edge').length;
    var mitigatedEdges = c.edges('.path-edge.mitigated').length;
    var summary = $('summary');
    summary.textContent =
      paths.length + ' of ' + result.totalCount + ' path(s)' + (result.truncated ? ' (enumeration truncated)' : '') + ': ' + pathNodes + ' nodes, ' + pathEdges + ' edges, ' + mitigatedEdges + ' mitigated step(s), ' + c.nodes('.control').length + ' control(s) shown.';
    summary.setAttribute('data-nodes', String(pathNodes));
    summary.setAttribute('data-edges', String(pathEdges));
    summary.setAttribute('data-mitigated-edges', String(mitigatedEdges));

    var list = $('paths');
    paths.forEach(function (p, pi) {
      var li = document.createElement('li');
      li.setAttribute('data-path', String(pi));
      li.textContent =
        '#' + (pi + 1) + ' score ' + p.score + ' (base ' + p.baseScore + ' × ' + p.residualFactor + ')' + (p.blocked ? ', blocked' : p.mitigated ? ', mitigated' : ', unmitigated') + ': ' +
        p.path.nodes.map(function (n) { return n.id; }).join(' → ');
      li.addEventListener('click', function () {
        var selected = li.getAttribute('aria-selected') === 'true';
        Array.prototype.forEach.call(list.children, function (x) { x.removeAttribute('aria-selected'); });
        c.elements().removeClass('faded');
        if (selected) return;
        li.setAttribute('aria-selected', 'true');
        var keep = {};
        p.path.nodes.forEach(function (n) { keep[n.id] = true; });
        c.nodes('.path-node').forEach(function (n) { if (!keep[n.id()]) n.addClass('faded'); });
        c.nodes('.control').forEach(function (n) { if (!keep[n.data('step')]) n.addClass('faded'); });
        c.edges('.path-edge').forEach(function (e) {
          if (String(e.data('paths')).split(',').indexOf(String(pi)) < 0) e.addClass('faded');
        });
        c.edges('.control-edge').forEach(function (e) { if (!keep[e.target().id()]) e.addClass('faded'); });
      });
      list.appendChild(li);
    });
  }

  // ---- lineage ---------------------------------------------------------------------------

  function drawLineage(result) {
    clearGraph();
    var c = ensureCy();
    if (result.entries.length === 0) {
      showMessage('empty', 'The certification has no visible lineage.');
      return;
    }
    hideMessage();
    // Rank: a certification sits below what it rests on (BASED_ON) or replaces (SUPERSEDES).
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
        var validity = e.holds ? 'valid on ' + result.asOf : 'not valid on ' + result.asOf + ': ' + e.findings.map(function (f) { return f.reason; }).join(', ');
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
          sections: [{ title: 'Why it does not hold', empty: 'It holds on ' + result.asOf + '.', items: e.findings.map(function (f) { return f.reason + ': ' + f.explanation; }) }],
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
        badge: l.holds ? { kind: 'ok', text: l.type === 'SUPERSEDES' ? 'replacement in effect' : 'basis holds' } : { kind: 'bad', text: l.type === 'SUPERSEDES' ? 'replacement not yet in effect' : 'basis does not hold' },
        props: [['type', l.type], ['holds on ' + result.asOf, l.holds]],
        provenance: null,
      };
    });
    c.add(elements);
    c.fit(undefined, 50);
    var holding = result.entries.filter(function (e) { return e.holds; }).length;
    var summary = $('summary');
    summary.textContent =
      result.root.id + (result.holds ? ' holds' : ' does not hold') + ' on ' + result.asOf + '. ' + result.entries.length + ' certification(s), ' + holding + ' valid; ' + result.links.length + ' link(s).' + (result.truncated ? ' (truncated)' : '');
    summary.setAttribute('data-nodes', String(c.nodes().length));
    summary.setAttribute('data-edges', String(c.edges().length));
  }

  // ---- running ---------------------------------------------------------------------------

  function errorText(errors) {
    return errors
      .map(function (e) {
        var code = e.extensions && e.extensions.code ? ' [' + e.extensions.code + ']' : '';
        return e.message + code;
      })
      .join('; ');
  }

  var running = 0;
  function run(kind, vars) {
    var headers;
    try {
      headers = readHeaders();
    } catch (err) {
      clearGraph();
      showMessage('error', 'Headers are not valid JSON: ' + err.message);
      return Promise.resolve();
    }
    AG.saveHeaders(headers);
    var ticket = ++running;
    document.body.setAttribute('data-state', 'loading');
    showMessage('info', 'Loading…');
    var query = kind === 'risk' ? RISK_QUERY : LINEAGE_QUERY;
    return AG.graphql(query, vars, headers)
      .then(function (body) {
        if (ticket !== running) return;
        if (body.errors && body.errors.length > 0) {
          clearGraph();
          showMessage('error', 'The API refused: ' + errorText(body.errors));
          return;
        }
        if (kind === 'risk') drawRisk(body.data.riskPaths, vars);
        else drawLineage(body.data.certificationLineage);
      })
      .catch(function (err) {
        if (ticket !== running) return;
        clearGraph();
        showMessage('error', 'Request failed: ' + (err && err.message ? err.message : String(err)));
      })
      .then(function () {
        if (ticket === running) document.body.setAttribute('data-state', 'done');
      });
  }

  function today() {
    return new Date().toISOString().slice(0, 10);
  }

  function setUrl(params) {
    var q = new URLSearchParams(params);
    window.history.replaceState(null, '', '/risk?' + q.toString());
  }

  $('risk-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var from = $('from').value.trim();
    var to = $('to').value.trim();
    if (from === '') {
      showMessage('error', 'Enter the id of a threat or vulnerability.');
      return;
    }
    var hops = parseInt($('maxHops').value, 10);
    var vars = { from: from, to: to === '' ? null : to, maxHops: isNaN(hops) ? 5 : hops, includeMitigated: $('includeMitigated').checked, first: 100 };
    var p = { from: from, maxHops: String(vars.maxHops) };
    if (to !== '') p.to = to;
    if (!vars.includeMitigated) p.includeMitigated = 'false';
    setUrl(p);
    run('risk', vars);
  });

  $('lineage-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var id = $('cert').value.trim();
    if (id === '') {
      showMessage('error', 'Enter the id of a certification.');
      return;
    }
    var asOf = $('asOf').value || today();
    setUrl({ cert: id, asOf: asOf });
    run('lineage', { id: id, asOf: asOf });
  });

  $('headers').addEventListener('change', function () {
    try {
      AG.saveHeaders(readHeaders());
    } catch (e) {
      /* shown when a graph is drawn */
    }
  });

  // Legend
  (function () {
    var legend = $('legend');
    var html = '<strong>Legend</strong><br />';
    Object.keys(COLORS).forEach(function (k) {
      html += '<span class="swatch" style="background:' + COLORS[k] + '"></span>' + k + ' ';
    });
    html +=
      '<br /><span class="line" style="border-top:3px solid ' + UNMITIGATED + '"></span>unmitigated step' +
      '<br /><span class="line" style="border-top:3px dashed ' + MITIGATED + '"></span>mitigated step (a control at the node it enters)' +
      '<br /><span class="line" style="border-top:2px dotted ' + MITIGATED + '"></span>control on its step' +
      '<br />◆ source, thick border = target; lineage: green border valid, red dashed not valid.';
    legend.innerHTML = html;
  })();

  // Initial state from the URL (?from=&to=&maxHops= or ?cert=&asOf=) and the stored headers.
  var stored = AG.loadHeaders();
  $('headers').value = Object.keys(stored).length > 0 ? JSON.stringify(stored) : '';
  var params = new URLSearchParams(window.location.search);
  $('asOf').value = params.get('asOf') || today();
  if (params.get('from')) {
    $('from').value = params.get('from');
    $('to').value = params.get('to') || '';
    if (params.get('maxHops')) $('maxHops').value = params.get('maxHops');
    $('includeMitigated').checked = params.get('includeMitigated') !== 'false';
    $('risk-form').requestSubmit();
  } else if (params.get('cert')) {
    $('cert').value = params.get('cert');
    $('lineage-form').requestSubmit();
  }
})();
