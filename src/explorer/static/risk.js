/* The risk view: riskPaths and certificationLineage drawn with cytoscape (elements from riskModel.js). */
'use strict';
(function () {
  var AG = window.AssuranceGraph;
  var $ = function (id) {
    return document.getElementById(id);
  };

  var model = AG.riskModel;
  var COLORS = model.COLORS;
  var MITIGATED = model.MITIGATED;
  var UNMITIGATED = model.UNMITIGATED;

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
    'fragment ViewNode on Node { ' +
    NODE_FIELDS +
    ' }\n';

  var LINEAGE_QUERY =
    'query LineageView($id: ID!, $asOf: Date) {\n' +
    '  certificationLineage(certificationId: $id, asOf: $asOf) {\n' +
    '    asOf holds truncated root { id }\n' +
    '    entries { depth holds findings { reason explanation relatedCertification { id } } certification { ...ViewNode issuer { id name } assessor { id name } } }\n' +
    '    links { type holds from { id } to { id } }\n' +
    '  }\n' +
    '}\n' +
    'fragment ViewNode on Node { ' +
    NODE_FIELDS +
    ' }\n';

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
      {
        selector: 'node.cert',
        style: { 'text-halign': 'right', 'text-valign': 'center', 'text-margin-x': '10px', 'text-justification': 'left', 'text-max-width': '220px' },
      },
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
      {
        selector: 'edge.control-edge',
        style: { 'line-color': MITIGATED, 'target-arrow-color': MITIGATED, 'line-style': 'dotted', width: 1.5, 'target-arrow-shape': 'tee', color: MITIGATED },
      },
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
    var view = model.riskElements(result);
    details = view.details;
    c.add(view.elements);
    c.fit(undefined, 40);

    var pathNodes = c.nodes('.path-node').length;
    var pathEdges = c.edges('.path-edge').length;
    var mitigatedEdges = c.edges('.path-edge.mitigated').length;
    var summary = $('summary');
    summary.textContent =
      paths.length +
      ' of ' +
      result.totalCount +
      ' path(s)' +
      (result.truncated ? ' (enumeration truncated)' : '') +
      ': ' +
      pathNodes +
      ' nodes, ' +
      pathEdges +
      ' edges, ' +
      mitigatedEdges +
      ' mitigated step(s), ' +
      c.nodes('.control').length +
      ' control(s) shown.';
    summary.setAttribute('data-nodes', String(pathNodes));
    summary.setAttribute('data-edges', String(pathEdges));
    summary.setAttribute('data-mitigated-edges', String(mitigatedEdges));

    var list = $('paths');
    paths.forEach(function (p, pi) {
      var li = document.createElement('li');
      li.setAttribute('data-path', String(pi));
      li.textContent = model.pathText(p, pi);
      li.addEventListener('click', function () {
        var selected = li.getAttribute('aria-selected') === 'true';
        Array.prototype.forEach.call(list.children, function (x) {
          x.removeAttribute('aria-selected');
        });
        c.elements().removeClass('faded');
        if (selected) return;
        li.setAttribute('aria-selected', 'true');
        var keep = {};
        p.path.nodes.forEach(function (n) {
          keep[n.id] = true;
        });
        c.nodes('.path-node').forEach(function (n) {
          if (!keep[n.id()]) n.addClass('faded');
        });
        c.nodes('.control').forEach(function (n) {
          if (!keep[n.data('step')]) n.addClass('faded');
        });
        c.edges('.path-edge').forEach(function (e) {
          if (String(e.data('paths')).split(',').indexOf(String(pi)) < 0) e.addClass('faded');
        });
        c.edges('.control-edge').forEach(function (e) {
          if (!keep[e.target().id()]) e.addClass('faded');
        });
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
    // A certification sits below what it rests on (BASED_ON) or replaces (SUPERSEDES).
    var view = model.lineageElements(result);
    details = view.details;
    c.add(view.elements);
    c.fit(undefined, 50);
    var holding = result.entries.filter(function (e) {
      return e.holds;
    }).length;
    var summary = $('summary');
    summary.textContent =
      result.root.id +
      (result.holds ? ' holds' : ' does not hold') +
      ' on ' +
      result.asOf +
      '. ' +
      result.entries.length +
      ' certification(s), ' +
      holding +
      ' valid; ' +
      result.links.length +
      ' link(s).' +
      (result.truncated ? ' (truncated)' : '');
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
      '<br /><span class="line" style="border-top:3px solid ' +
      UNMITIGATED +
      '"></span>unmitigated step' +
      '<br /><span class="line" style="border-top:3px dashed ' +
      MITIGATED +
      '"></span>mitigated step (a control at the node it enters)' +
      '<br /><span class="line" style="border-top:2px dotted ' +
      MITIGATED +
      '"></span>control on its step' +
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
