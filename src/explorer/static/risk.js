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
    '    entries { depth holds findings { reason explanation relatedCertification { id } } certification { ...ViewNode statusHistory { status effectiveFrom reason } issuer { id name } assessor { id name } } }\n' +
    '    links { type holds from { id } to { id } }\n' +
    '  }\n' +
    '}\n' +
    'fragment ViewNode on Node { ' +
    NODE_FIELDS +
    ' }\n';

  var STATUS_COLORS = model.STATUS_COLORS;
  var CHANGED = model.CHANGED;

  // What-if: riskPaths with the `assume` argument; its `whatIf` holds the answer without it and
  // the difference. With a fleet move, scopeDrift of that fleet under the same assumption too.
  var PATHS_SELECTION =
    'source { ...ViewNode } totalCount truncated maxHops\n' +
    '    paths {\n' +
    '      score baseScore residualFactor mitigated blocked target { id }\n' +
    '      path { length nodes { ...ViewNode } edges { type direction from { id } to { id } relationship { type classification role evidence effectiveness versionRange vexState vexJustification scope minOsVersion maxOsVersion provenance { source sourceRef assertedAt assertedBy } } } }\n' +
    '      steps { position node { id } controls { effectiveness effectivenessSource threat { id name } control { ...ViewNode } } }\n' +
    '    }\n';
  var CHANGE_SELECTION = 'before { score mitigated path { nodes { id } } } after { score mitigated path { nodes { id } } } scoreDelta';
  var DRIFT_SELECTION =
    'deployments { deployment { id name } osRelease { id name version } osVersion inScope findings { reason explanation certification { id } } }';
  var WHATIF_QUERY =
    'query RiskViewWhatIf($from: ID!, $to: ID, $maxHops: Int, $includeMitigated: Boolean, $first: Int, $assume: Assumption!, $fleet: ID, $driftAsOf: Date, $withDrift: Boolean!) {\n' +
    '  riskPaths(from: $from, to: $to, maxHops: $maxHops, includeMitigated: $includeMitigated, first: $first, assume: $assume) {\n' +
    '    ' +
    PATHS_SELECTION +
    '    whatIf {\n' +
    '      before { ' +
    PATHS_SELECTION +
    '      }\n' +
    '      appeared { score path { nodes { id } } }\n' +
    '      disappeared { score path { nodes { id } } }\n' +
    '      lostMitigation { ' +
    CHANGE_SELECTION +
    ' }\n' +
    '      gainedMitigation { ' +
    CHANGE_SELECTION +
    ' }\n' +
    '      scoreChanged { ' +
    CHANGE_SELECTION +
    ' }\n' +
    '      totalCountBefore notApplied\n' +
    '    }\n' +
    '  }\n' +
    '  scopeDrift(deploymentId: $fleet, asOf: $driftAsOf, assume: $assume) @include(if: $withDrift) {\n' +
    '    asOf ' +
    DRIFT_SELECTION +
    '\n' +
    '    whatIf { before { ' +
    DRIFT_SELECTION +
    ' } appeared { deployment { id } finding { reason explanation } } resolved { deployment { id } finding { reason explanation } } leftScope { id } enteredScope { id } notApplied }\n' +
    '  }\n' +
    '}\n' +
    'fragment ViewNode on Node { ' +
    NODE_FIELDS +
    ' }\n';

  function whatIfParts(data) {
    var after = data.riskPaths;
    return { before: after.whatIf.before, after: after, whatIf: after.whatIf, drift: data.scopeDrift || null };
  }

  /** The moved fleet's scope before and after, with the findings that appeared or were resolved. */
  function showDrift(w) {
    var box = $('drift');
    box.textContent = '';
    var notApplied = w.whatIf.notApplied.slice();
    if (w.drift) {
      var d = w.drift;
      var after = d.deployments[0];
      var before = d.whatIf.before.deployments[0];
      var h = document.createElement('h3');
      h.textContent = 'Scope of the moved fleet (as of ' + d.asOf + ')';
      box.appendChild(h);
      var ul = document.createElement('ul');
      function line(text, change) {
        var li = document.createElement('li');
        li.textContent = text;
        if (change) li.setAttribute('data-change', change);
        ul.appendChild(li);
      }
      if (before)
        line(
          'Before: ' +
            before.deployment.name +
            ' runs ' +
            (before.osRelease ? before.osRelease.name : before.osVersion || '?') +
            (before.inScope ? ', in scope' : ', not in scope'),
          null,
        );
      if (after)
        line(
          'After: runs ' + (after.osRelease ? after.osRelease.name : after.osVersion || '?') + (after.inScope ? ', in scope' : ', not in scope'),
          after.inScope === (before && before.inScope) ? null : 'changed',
        );
      d.whatIf.appeared.forEach(function (c) {
        line('▲ appears: ' + c.finding.reason + ' — ' + c.finding.explanation, 'added');
      });
      d.whatIf.resolved.forEach(function (c) {
        line('▼ resolved: ' + c.finding.reason + ' — ' + c.finding.explanation, 'removed');
      });
      if (d.whatIf.appeared.length === 0 && d.whatIf.resolved.length === 0) line('No drift finding changes.', null);
      box.appendChild(ul);
      notApplied = notApplied.concat(d.whatIf.notApplied);
    }
    if (notApplied.length > 0) {
      var p = document.createElement('p');
      p.className = 'ag-muted';
      p.textContent = 'Not applied: ' + notApplied.join('; ');
      box.appendChild(p);
    }
  }
  var SEARCH_QUERY =
    'query RiskViewSearch($text: String!, $labels: [NodeLabel!], $first: Int) {\n' +
    '  search(text: $text, labels: $labels, first: $first) {\n' +
    '    label score node { __typename id name ... on Component { componentKind: kind version } ... on Certification { certificationKind: kind } ... on Threat { threatKind: kind } }\n' +
    '  }\n' +
    '}\n';

  // Exposed so that tests can validate them against the schema.
  AG.queries = { risk: RISK_QUERY, lineage: LINEAGE_QUERY, search: SEARCH_QUERY, whatif: WHATIF_QUERY };

  var cy = null;
  var details = {}; // element id -> {title, props, provenance, extra}
  var state = JSON.parse(JSON.stringify(model.DEFAULT_STATE));
  /** What is on screen: {kind: 'risk'|'lineage', data: the GraphQL answer's data, result, before?} */
  var shown = null;

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
  function setExportable(on) {
    ['export-json', 'export-csv', 'export-png', 'export-svg'].forEach(function (id) {
      $(id).disabled = !on;
    });
  }
  function clearGraph() {
    if (cy) cy.elements().remove();
    details = {};
    shown = null;
    setExportable(false);
    $('summary').textContent = '';
    $('summary').removeAttribute('data-nodes');
    $('drift').textContent = '';
    $('paths').textContent = '';
    $('timeline').hidden = true;
    $('timeline').textContent = '';
    document.querySelector('.ag-canvas-wrap').removeAttribute('data-view');
    $('whatif-view').hidden = true;
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
  function headersOrEmpty() {
    try {
      return readHeaders();
    } catch (e) {
      return {};
    }
  }

  // ---- the URL holds the whole state ------------------------------------------------------

  function syncUrl() {
    var q = model.encodeState(state);
    window.history.replaceState(null, '', '/risk' + (q ? '?' + q : ''));
  }

  // ---- type-ahead pickers (ARIA combobox with a listbox popup) -----------------------------

  var pickers = {};

  function makePicker(name, onChoose) {
    var input = $(name);
    var wrap = input.parentNode;
    var list = document.createElement('ul');
    list.id = name + '-list';
    list.className = 'ag-options';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-labelledby', name + '-label');
    list.hidden = true;
    wrap.appendChild(list);
    var picked = document.createElement('div');
    picked.className = 'ag-picked';
    picked.id = name + '-picked';
    wrap.appendChild(picked);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);
    input.setAttribute('aria-describedby', picked.id);
    var p = { input: input, list: list, options: [], st: { open: false, active: -1, count: 0 }, timer: null, ticket: 0 };

    function render() {
      list.textContent = '';
      p.options.forEach(function (o, i) {
        var li = document.createElement('li');
        li.id = name + '-opt-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('data-id', o.id);
        li.setAttribute('aria-selected', i === p.st.active ? 'true' : 'false');
        var n = document.createElement('span');
        n.className = 'ag-opt-name';
        n.textContent = o.name;
        var k = document.createElement('span');
        k.className = 'ag-opt-kind';
        k.textContent = o.kind + (o.detail ? ' · ' + o.detail : '');
        var idEl = document.createElement('span');
        idEl.className = 'ag-opt-id';
        idEl.textContent = o.id;
        li.appendChild(n);
        li.appendChild(k);
        li.appendChild(idEl);
        li.addEventListener('mousedown', function (ev) {
          ev.preventDefault(); // keep the focus in the input
          choose(i);
        });
        list.appendChild(li);
      });
      var open = p.st.open && p.options.length > 0;
      list.hidden = !open;
      input.setAttribute('aria-expanded', open ? 'true' : 'false');
      if (open && p.st.active >= 0) {
        input.setAttribute('aria-activedescendant', name + '-opt-' + p.st.active);
        var act = list.children[p.st.active];
        if (act && act.scrollIntoView) act.scrollIntoView({ block: 'nearest' });
      } else input.removeAttribute('aria-activedescendant');
    }
    function close() {
      p.st = { open: false, active: -1, count: p.options.length };
      render();
    }
    function choose(i) {
      var o = p.options[i];
      if (!o) return;
      input.value = o.id;
      picked.textContent = o.name + ' (' + o.kind + ')';
      close();
      if (onChoose) onChoose(o);
    }
    function search() {
      var text = input.value.trim();
      var ticket = ++p.ticket;
      if (text.length < 2 || model.looksLikeId(text)) {
        p.options = [];
        close();
        return;
      }
      var spec = model.PICKERS[name];
      document.body.setAttribute('data-search', 'loading');
      AG.graphql(SEARCH_QUERY, { text: text, labels: spec.labels, first: 20 }, headersOrEmpty())
        .then(function (body) {
          if (ticket !== p.ticket) return;
          p.options = body.data ? model.pickerOptions(body.data.search, name).slice(0, 10) : [];
          p.st = { open: document.activeElement === input, active: -1, count: p.options.length };
          if (p.options.length === 0) picked.textContent = 'No ' + spec.labels.join(' or ') + ' matches “' + text + '”.';
          else picked.textContent = '';
          render();
        })
        .catch(function () {
          if (ticket !== p.ticket) return;
          p.options = [];
          close();
        })
        .then(function () {
          if (ticket === p.ticket) document.body.setAttribute('data-search', 'done');
        });
    }
    input.addEventListener('input', function () {
      picked.textContent = '';
      clearTimeout(p.timer);
      p.timer = setTimeout(search, 150);
    });
    input.addEventListener('keydown', function (ev) {
      var r = model.comboboxKey({ open: p.st.open, active: p.st.active, count: p.options.length }, ev.key);
      if (!r.handled) return;
      ev.preventDefault();
      p.st = r.state;
      if (r.action === 'choose') choose(r.index);
      else render();
    });
    input.addEventListener('blur', function () {
      close();
    });
    p.setPicked = function (text) {
      picked.textContent = text;
    };
    pickers[name] = p;
    return p;
  }

  // ---- cytoscape -------------------------------------------------------------------------

  /** Label font size at zoom 1; the drawing is never zoomed out below READABLE_ZOOM on arrival. */
  var FONT_PX = 12;
  var READABLE_ZOOM = 0.92; // the smallest label (11 px, controls) stays above 10 px on screen

  function ensureCy() {
    if (cy) return cy;
    var style = [
      {
        selector: 'node',
        style: {
          'background-color': 'data(color)',
          shape: 'data(shape)',
          label: 'data(label)',
          'text-wrap': 'wrap',
          'text-max-width': '170px',
          'font-size': FONT_PX + 'px',
          'min-zoomed-font-size': 0,
          'text-valign': 'bottom',
          'text-margin-y': '4px',
          color: '#101828',
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.8,
          'text-background-padding': '1px',
          width: 34,
          height: 34,
          'border-width': 2,
          'border-color': '#ffffff',
        },
      },
      { selector: 'node.source', style: { shape: 'diamond', width: 46, height: 46 } },
      { selector: 'node.target', style: { 'border-color': '#101828', 'border-width': 4 } },
      { selector: 'node.control', style: { width: 26, height: 18, 'font-size': FONT_PX - 1 + 'px', 'text-max-width': '140px', color: '#005c45' } },
      // A control failed by a what-if assumption: hollow, dashed, in the unmitigated colour.
      {
        selector: 'node.control.failed',
        style: { 'background-color': '#ffffff', 'border-color': UNMITIGATED, 'border-width': 2, 'border-style': 'dashed', color: UNMITIGATED },
      },
      { selector: 'edge.control-edge.failed', style: { 'line-color': UNMITIGATED, 'target-arrow-color': UNMITIGATED, color: UNMITIGATED } },
      {
        selector: 'node.cert',
        style: { 'text-halign': 'right', 'text-valign': 'center', 'text-margin-x': '10px', 'text-justification': 'left', 'text-max-width': '240px' },
      },
      { selector: 'node.cert-ok', style: { 'border-color': MITIGATED, 'border-width': 5 } },
      { selector: 'node.cert-bad', style: { 'border-color': UNMITIGATED, 'border-width': 5, 'border-style': 'dashed' } },
      { selector: 'node:selected', style: { 'overlay-color': '#000000', 'overlay-opacity': 0.2, 'overlay-padding': 8 } },
      { selector: 'node.focused', style: { 'underlay-color': '#0072B2', 'underlay-opacity': 0.45, 'underlay-padding': 10 } },
      {
        selector: 'edge',
        style: {
          width: 2.5,
          'curve-style': 'bezier',
          'target-arrow-shape': 'triangle',
          label: 'data(label)',
          'font-size': FONT_PX - 1 + 'px',
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
        style: { 'line-color': '#009E73', 'target-arrow-color': '#009E73', 'line-style': 'dotted', width: 1.5, 'target-arrow-shape': 'tee', color: '#005c45' },
      },
      { selector: 'edge.based-on', style: { 'line-color': '#475467', 'target-arrow-color': '#475467' } },
      { selector: 'edge.supersedes', style: { 'line-color': '#000000', 'target-arrow-color': '#000000', 'line-style': 'dashed' } },
      { selector: 'edge.not-holding', style: { opacity: 0.55, 'line-color': UNMITIGATED, 'target-arrow-color': UNMITIGATED } },
      // What-if: what changed is outlined in reddish purple; what disappeared is a grey ghost.
      { selector: 'node.diff-added, node.diff-changed', style: { 'border-color': CHANGED, 'border-width': 6, 'border-style': 'double' } },
      { selector: 'edge.diff-added, edge.diff-changed', style: { width: 6, 'underlay-color': CHANGED, 'underlay-opacity': 0.6, 'underlay-padding': 4 } },
      { selector: '.diff-removed', style: { opacity: 0.35, 'line-style': 'dotted', 'border-style': 'dotted' } },
      { selector: '.faded', style: { opacity: 0.15 } },
    ];
    cy = cytoscape({ container: $('cy'), style: style, wheelSensitivity: 0.3, minZoom: 0.2, maxZoom: 3 });
    cy.on('tap', 'node, edge', function (evt) {
      focusElement(evt.target.id(), false);
    });
    window.agCy = cy; // for tests and for the curious in the console
    return cy;
  }

  /** Fits the drawing, but never below the zoom at which labels stay readable: then it starts at the left (the source). */
  function fitReadable(c, padding) {
    c.fit(undefined, padding);
    if (c.zoom() > 1.5) {
      // A small answer is not blown up.
      c.zoom(1.5);
      c.center();
    } else if (c.zoom() < READABLE_ZOOM) {
      c.zoom(READABLE_ZOOM);
      var bb = c.elements().boundingBox();
      var h = c.height();
      c.pan({ x: padding - bb.x1 * READABLE_ZOOM, y: h / 2 - ((bb.y1 + bb.y2) / 2) * READABLE_ZOOM });
    }
  }

  function focusElement(id, fromKeyboard) {
    if (!cy) return;
    cy.nodes().removeClass('focused');
    var el = cy.getElementById(id);
    if (el.length === 0) return;
    if (el.isNode()) {
      el.addClass('focused');
      if (fromKeyboard) {
        var p = el.renderedPosition();
        if (p.x < 40 || p.y < 40 || p.x > cy.width() - 40 || p.y > cy.height() - 40) cy.center(el);
      }
    }
    showDetails(id);
    state.selected = id;
    syncUrl();
  }

  /** Keyboard: arrow keys move between nodes (left to right, top to bottom), Enter shows details, +/− zoom, 0 fits. */
  $('cy').addEventListener('keydown', function (ev) {
    if (!cy || cy.nodes().length === 0) return;
    var order = cy
      .nodes()
      .filter(function (n) {
        return !n.hasClass('faded');
      })
      .map(function (n) {
        return { id: n.id(), x: n.position('x'), y: n.position('y') };
      })
      .sort(function (a, b) {
        return Math.round(a.x / 40) - Math.round(b.x / 40) || a.y - b.y;
      });
    var cur = order.findIndex(function (o) {
      return o.id === state.selected;
    });
    var k = ev.key;
    if (k === 'ArrowRight' || k === 'ArrowDown') {
      focusElement(order[(cur + 1) % order.length].id, true);
    } else if (k === 'ArrowLeft' || k === 'ArrowUp') {
      focusElement(order[cur <= 0 ? order.length - 1 : cur - 1].id, true);
    } else if (k === 'Enter' || k === ' ') {
      if (cur < 0) focusElement(order[0].id, true);
      else showDetails(order[cur].id);
    } else if (k === '+' || k === '=') {
      cy.zoom({ level: cy.zoom() * 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    } else if (k === '-' || k === '_') {
      cy.zoom({ level: cy.zoom() / 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    } else if (k === '0') {
      cy.fit(undefined, 30);
    } else return;
    ev.preventDefault();
  });

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

  function selectPath(pi) {
    var c = cy;
    var list = $('paths');
    Array.prototype.forEach.call(list.children, function (x) {
      x.setAttribute('aria-selected', 'false');
    });
    c.elements().removeClass('faded');
    state.path = pi;
    syncUrl();
    if (pi < 0 || !shown || !shown.result.paths[pi]) return;
    var li = list.children[pi];
    if (li) li.setAttribute('aria-selected', 'true');
    var p = shown.result.paths[pi];
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
  }

  /**
   * Draws a riskPaths result. Under a what-if assumption `diff` (riskModel.riskDiff) marks what
   * changed against the answer without it, and `ghost` (the answer before) supplies what
   * disappeared, drawn as grey ghosts.
   */
  function drawRisk(result, vars, diff, ghost) {
    var c = ensureCy();
    c.elements().remove();
    details = {};
    $('paths').textContent = '';
    var paths = result.paths;
    if (paths.length === 0 && !(ghost && ghost.paths.length > 0)) {
      var msg = 'No risk path from ' + result.source.id + (vars.to ? ' to ' + vars.to : ' to any device') + ' within ' + result.maxHops + ' hops';
      if (!vars.includeMitigated) msg += ' (mitigated paths are hidden)';
      showMessage('empty', msg + '.');
      $('summary').textContent = '0 paths.';
      $('summary').setAttribute('data-nodes', '0');
      return;
    }
    hideMessage();
    var view = model.riskElements(paths.length > 0 ? result : ghost);
    details = view.details;
    c.add(view.elements);
    if (diff && ghost && paths.length > 0) {
      // What only the answer before had: drawn as ghosts at its own layout's place.
      var ghostView = model.riskElements(ghost);
      ghostView.elements.forEach(function (el) {
        if (c.getElementById(el.data.id).length > 0) return;
        if (el.group === 'edges' && (c.getElementById(el.data.source).length === 0 || c.getElementById(el.data.target).length === 0)) {
          if (ghostView.elements.indexOf(el) < 0) return;
        }
        if (el.group === 'nodes') {
          var pos = el.position || { x: 0, y: 0 };
          el = JSON.parse(JSON.stringify(el));
          el.position = { x: pos.x, y: pos.y + 40 };
        }
        el.classes = (el.classes || '') + ' diff-removed';
        details[el.data.id] = ghostView.details[el.data.id];
        if (el.group === 'edges') return; // added after the nodes
        c.add(el);
      });
      ghostView.elements.forEach(function (el) {
        if (el.group !== 'edges' || c.getElementById(el.data.id).length > 0) return;
        if (c.getElementById(el.data.source).length === 0 || c.getElementById(el.data.target).length === 0) return;
        el = JSON.parse(JSON.stringify(el));
        el.classes = (el.classes || '') + ' diff-removed';
        details[el.data.id] = ghostView.details[el.data.id];
        c.add(el);
      });
    }
    if (diff) {
      Object.keys(diff.elements).forEach(function (id) {
        var el = c.getElementById(id);
        if (el.length === 0) return;
        el.addClass('diff-' + diff.elements[id]);
        el.data('change', diff.elements[id]);
        if (el.isNode() && diff.elements[id] !== 'removed') el.data('label', '▲ ' + el.data('label'));
      });
    }
    fitReadable(c, 40);

    var pathNodes = c.nodes('.path-node').not('.diff-removed').length;
    var pathEdges = c.edges('.path-edge').not('.diff-removed').length;
    var mitigatedEdges = c.edges('.path-edge.mitigated').not('.diff-removed').length;
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
      c.nodes('.control').not('.diff-removed').length +
      ' control(s) shown.';
    summary.setAttribute('data-nodes', String(pathNodes));
    summary.setAttribute('data-edges', String(pathEdges));
    summary.setAttribute('data-mitigated-edges', String(mitigatedEdges));

    var list = $('paths');
    paths.forEach(function (p, pi) {
      var li = document.createElement('li');
      li.setAttribute('data-path', String(pi));
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.tabIndex = 0;
      var text = model.pathText(p, pi);
      if (diff && diff.paths[pi]) {
        var ch = diff.paths[pi];
        if (ch.change === 'added') text = '▲ new: ' + text;
        else if (ch.change === 'changed') text = '▲ was ' + ch.before + ': ' + text;
        li.setAttribute('data-change', ch.change || 'same');
      }
      li.textContent = text;
      function toggle() {
        selectPath(li.getAttribute('aria-selected') === 'true' ? -1 : pi);
      }
      li.addEventListener('click', toggle);
      li.addEventListener('keydown', function (ev) {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          toggle();
        } else if (ev.key === 'ArrowDown' && li.nextSibling) {
          ev.preventDefault();
          li.nextSibling.focus();
        } else if (ev.key === 'ArrowUp' && li.previousSibling) {
          ev.preventDefault();
          li.previousSibling.focus();
        }
      });
      list.appendChild(li);
    });
    if (diff && diff.removedPaths.length > 0) {
      diff.removedPaths.forEach(function (k) {
        var li = document.createElement('li');
        li.setAttribute('data-change', 'removed');
        li.className = 'ag-removed';
        li.textContent = '▼ gone: ' + k.split('>').join(' → ');
        list.appendChild(li);
      });
    }
    offerControls(paths.length > 0 ? result : ghost);
  }

  /** The what-if panel lists the controls standing on the drawn paths (and any failed one) as tick boxes. */
  function offerControls(result) {
    var seen = {};
    var names = {};
    (result ? result.paths : []).forEach(function (p) {
      p.steps.forEach(function (s) {
        s.controls.forEach(function (mc) {
          seen[mc.control.id] = true;
          names[mc.control.id] = mc.control.name;
        });
      });
    });
    state.fail.forEach(function (id) {
      seen[id] = true;
    });
    var box = $('fail-list');
    var prior = {};
    Array.prototype.forEach.call(box.querySelectorAll('label[data-name]'), function (l) {
      prior[l.getAttribute('data-control')] = l.getAttribute('data-name');
    });
    box.textContent = '';
    var ids = Object.keys(seen).sort();
    if (ids.length === 0) {
      var p = document.createElement('p');
      p.className = 'ag-muted';
      p.textContent = 'No control stands on these paths; add one below.';
      box.appendChild(p);
      return;
    }
    ids.forEach(function (id) {
      var label = document.createElement('label');
      label.className = 'ag-check';
      label.setAttribute('data-control', id);
      var name = names[id] || prior[id] || '';
      if (name) label.setAttribute('data-name', name);
      var cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.value = id;
      cb.checked = state.fail.indexOf(id) >= 0;
      cb.addEventListener('change', function () {
        state.fail = cb.checked
          ? state.fail.concat([id])
          : state.fail.filter(function (x) {
              return x !== id;
            });
        submitRisk();
      });
      label.appendChild(cb);
      label.appendChild(document.createTextNode(' fail ' + (name ? name + ' (' + id + ')' : id)));
      box.appendChild(label);
    });
  }

  // ---- lineage ---------------------------------------------------------------------------

  function drawLineage(result) {
    var c = ensureCy();
    c.elements().remove();
    details = {};
    if (result.entries.length === 0) {
      showMessage('empty', 'The certification has no visible lineage.');
      return;
    }
    hideMessage();
    document.querySelector('.ag-canvas-wrap').setAttribute('data-view', 'lineage');
    drawTimeline(result);
    c.resize();
    // A certification sits below what it rests on (BASED_ON) or replaces (SUPERSEDES).
    var view = model.lineageElements(result);
    details = view.details;
    c.add(view.elements);
    fitReadable(c, 50);
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

  var SVGNS = 'http://www.w3.org/2000/svg';
  function svgEl(name, attrs, text) {
    var el = document.createElementNS(SVGNS, name);
    Object.keys(attrs).forEach(function (k) {
      el.setAttribute(k, String(attrs[k]));
    });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /** The lineage as a timeline: a bar per certification from issue to expiry, coloured by status; the as-of date is a line you can drag. */
  function drawTimeline(result) {
    var box = $('timeline');
    box.hidden = false;
    box.textContent = '';
    var width = Math.max(600, box.clientWidth - 20);
    var left = 250;
    var plot = width - left - 40;
    var tm = model.timelineModel(result, plot, left);
    var rowH = 30;
    var top = 34;
    var height = top + tm.rows.length * rowH + 16;
    var svg = svgEl('svg', {
      id: 'timeline-svg',
      xmlns: SVGNS,
      width: width,
      height: height,
      viewBox: '0 0 ' + width + ' ' + height,
      'font-family': 'sans-serif',
      'font-size': 12,
    });
    svg.appendChild(svgEl('title', {}, 'Lineage of ' + result.root.id + ' as a timeline, as of ' + result.asOf));
    svg.appendChild(svgEl('rect', { x: 0, y: 0, width: width, height: height, fill: '#ffffff' }));
    tm.ticks.forEach(function (t) {
      svg.appendChild(svgEl('line', { x1: t.x, x2: t.x, y1: top - 8, y2: height - 10, stroke: '#d0d5dd' }));
      svg.appendChild(svgEl('text', { x: t.x + 3, y: top - 12, fill: '#344054' }, t.label));
    });
    tm.rows.forEach(function (r, i) {
      var y = top + i * rowH;
      var g = svgEl('g', { class: 'tl-row', 'data-id': r.id, 'data-holds': String(r.holds) });
      g.appendChild(svgEl('text', { x: 8, y: y + 18, fill: '#101828' }, (r.holds ? '✔ ' : '✘ ') + r.name));
      r.periods.forEach(function (p) {
        if (!p.from || !p.to) return;
        var x1 = tm.x(p.from);
        var x2 = tm.x(model.addDays(p.to, 1));
        var bar = svgEl('rect', {
          class: 'tl-bar',
          'data-status': p.status,
          'data-from': p.from,
          'data-to': p.to,
          x: x1,
          y: y + 5,
          width: Math.max(2, x2 - x1),
          height: rowH - 10,
          rx: 3,
          fill: STATUS_COLORS[p.status] || '#999999',
          stroke: r.holds ? '#101828' : UNMITIGATED,
          'stroke-width': r.holds ? 1 : 2,
          'stroke-dasharray': r.holds ? '' : '5 3',
        });
        bar.appendChild(svgEl('title', {}, r.id + ': ' + p.status + ' ' + p.from + ' – ' + p.to + (p.reason ? ' (' + p.reason + ')' : '')));
        g.appendChild(bar);
        if (x2 - x1 > 70) {
          g.appendChild(
            svgEl(
              'text',
              {
                x: x1 + 5,
                y: y + 19,
                fill: p.status === 'ACTIVE' || p.status === 'WITHDRAWN' || p.status === 'REVOKED' ? '#ffffff' : '#101828',
                'font-size': 11,
              },
              p.status,
            ),
          );
        }
      });
      svg.appendChild(g);
    });
    var ax = tm.x(result.asOf);
    var handle = svgEl('g', {
      id: 'asof-handle',
      tabindex: 0,
      role: 'slider',
      'aria-label': 'As-of date: drag, or use the arrow keys (a day), Page Up/Down (a month), Shift+arrows (a year)',
      'aria-valuetext': result.asOf,
      'aria-valuemin': model.dayOf(tm.start),
      'aria-valuemax': model.dayOf(tm.end),
      'aria-valuenow': model.dayOf(result.asOf),
      transform: 'translate(' + ax + ',0)',
      style: 'cursor: ew-resize',
    });
    handle.appendChild(svgEl('rect', { x: -8, y: 0, width: 16, height: height, fill: 'transparent' }));
    handle.appendChild(svgEl('line', { x1: 0, x2: 0, y1: 4, y2: height, stroke: '#000000', 'stroke-width': 2 }));
    var label = svgEl('text', { x: 4, y: 12, fill: '#000000', 'font-weight': 'bold' }, result.asOf);
    handle.appendChild(label);
    svg.appendChild(handle);
    box.appendChild(svg);

    var current = result.asOf;
    function moveTo(date) {
      if (date < tm.start) date = tm.start;
      if (date > tm.end) date = tm.end;
      current = date;
      handle.setAttribute('transform', 'translate(' + tm.x(date) + ',0)');
      handle.setAttribute('aria-valuetext', date);
      handle.setAttribute('aria-valuenow', String(model.dayOf(date)));
      label.textContent = date;
    }
    var timer = null;
    function reevaluate(delay) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (current === result.asOf) return;
        $('asOf').value = current;
        state.asOf = current;
        syncUrl();
        run('lineage', { id: state.cert, asOf: current }).then(function () {
          var h = document.getElementById('asof-handle');
          if (h && refocus) h.focus();
        });
      }, delay);
    }
    var refocus = false;
    var dragging = false;
    function svgX(ev) {
      var rect = svg.getBoundingClientRect();
      return ((ev.clientX - rect.left) / rect.width) * width;
    }
    function onMove(ev) {
      if (dragging) moveTo(tm.date(svgX(ev)));
    }
    function onUp(ev) {
      if (!dragging) return;
      dragging = false;
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
      moveTo(tm.date(svgX(ev)));
      refocus = false;
      reevaluate(0);
    }
    // Press on the line (or anywhere on the plot) and drag; the lineage is asked again on release.
    svg.addEventListener('pointerdown', function (ev) {
      if (svgX(ev) < left - 10) return;
      dragging = true;
      ev.preventDefault();
      moveTo(tm.date(svgX(ev)));
      window.addEventListener('pointermove', onMove);
      window.addEventListener('pointerup', onUp);
    });
    handle.addEventListener('keydown', function (ev) {
      var step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 30, PageDown: -30 }[ev.key];
      if (ev.key === 'Home') moveTo(tm.start);
      else if (ev.key === 'End') moveTo(tm.end);
      else if (step) moveTo(model.addDays(current, ev.shiftKey && Math.abs(step) === 1 ? step * 365 : step));
      else return;
      ev.preventDefault();
      refocus = true;
      reevaluate(400);
    });
  }

  // ---- export ----------------------------------------------------------------------------

  function download(name, type, content) {
    var blob = content instanceof Blob ? content : new Blob([content], { type: type });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 1000);
    $('toolbar-status').textContent = 'Saved ' + name;
  }

  function baseName() {
    if (!shown) return 'risk-view';
    var id = shown.kind === 'risk' ? state.from + (state.to ? '-' + state.to : '') : state.cert + '-' + state.asOf;
    return (shown.kind === 'risk' ? 'risk-paths-' : 'lineage-') + id.replace(/[^A-Za-z0-9._-]+/g, '_') + (shown.before ? '-whatif' : '');
  }

  /** What cytoscape shows, in model coordinates, for riskModel.graphSvg. */
  function onScreenGraph() {
    return {
      nodes: cy.nodes().map(function (n) {
        return {
          id: n.id(),
          x: n.position('x'),
          y: n.position('y'),
          w: n.width(),
          h: n.height(),
          label: n.data('label'),
          color: n.style('background-color'),
          border: n.style('border-color'),
          borderWidth: parseFloat(n.style('border-width')),
          dashed: n.style('border-style') !== 'solid',
          shape: n.style('shape') === 'ellipse' ? 'ellipse' : n.style('shape') === 'diamond' ? 'diamond' : 'rect',
          faded: n.hasClass('faded') || n.hasClass('diff-removed'),
        };
      }),
      edges: cy.edges().map(function (e) {
        var s = e.sourceEndpoint();
        var t = e.targetEndpoint();
        return {
          x1: s.x,
          y1: s.y,
          x2: t.x,
          y2: t.y,
          label: e.data('label'),
          color: e.style('line-color'),
          width: parseFloat(e.style('width')),
          dashed: e.style('line-style') === 'dashed',
          dotted: e.style('line-style') === 'dotted',
          faded: e.hasClass('faded') || e.hasClass('diff-removed'),
        };
      }),
    };
  }

  $('export-json').addEventListener('click', function () {
    if (shown) download(baseName() + '.json', 'application/json', JSON.stringify(shown.data, null, 2) + '\n');
  });
  $('export-csv').addEventListener('click', function () {
    if (!shown) return;
    var csv =
      shown.kind === 'risk'
        ? model.toCsv(model.PATH_CSV_COLUMNS, model.pathCsvRows(shown.result))
        : model.toCsv(model.LINEAGE_CSV_COLUMNS, model.lineageCsvRows(shown.result));
    download(baseName() + '.csv', 'text/csv', csv);
  });
  $('export-png').addEventListener('click', function () {
    if (!shown || !cy) return;
    download(baseName() + '.png', 'image/png', cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' }));
  });
  $('export-svg').addEventListener('click', function () {
    if (!shown || !cy) return;
    var svg = model.graphSvg(onScreenGraph(), document.title + ': ' + baseName());
    var tl = document.getElementById('timeline-svg');
    if (shown.kind === 'lineage' && tl) {
      // The graph and the timeline below it, in one document.
      var graphH = Number(/height="(\d+)"/.exec(svg)[1]);
      var graphW = Number(/width="(\d+)"/.exec(svg)[1]);
      var tlW = Number(tl.getAttribute('width'));
      var tlH = Number(tl.getAttribute('height'));
      var inner = svg.replace(/^<\?xml[^>]*>\n/, '').replace('<svg ', '<svg x="0" y="0" ');
      var tlText = new XMLSerializer().serializeToString(tl).replace('<svg ', '<svg x="0" y="' + graphH + '" ');
      svg =
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="' +
        Math.max(graphW, tlW) +
        '" height="' +
        (graphH + tlH) +
        '">' +
        inner +
        tlText +
        '</svg>\n';
    }
    download(baseName() + '.svg', 'image/svg+xml', svg);
  });
  $('copy-link').addEventListener('click', function () {
    var link = window.location.href;
    var done = function () {
      $('toolbar-status').textContent = 'Link copied: ' + link;
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(link).then(done, done);
    else done();
  });

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
    var query = kind === 'risk' ? RISK_QUERY : kind === 'whatif' ? WHATIF_QUERY : LINEAGE_QUERY;
    return AG.graphql(query, vars, headers)
      .then(function (body) {
        if (ticket !== running) return;
        if (body.errors && body.errors.length > 0) {
          clearGraph();
          showMessage('error', 'The API refused: ' + errorText(body.errors));
          return;
        }
        clearGraph();
        if (kind === 'risk') {
          shown = { kind: 'risk', data: body.data, result: body.data.riskPaths };
          drawRisk(body.data.riskPaths, vars, null, null);
        } else if (kind === 'whatif') {
          var w = whatIfParts(body.data);
          shown = { kind: 'risk', data: body.data, result: w.after, before: w.before, diff: model.riskDiff(w.before, w.after, w.whatIf), vars: vars };
          showWhatIf('after');
          showDrift(w);
        } else {
          shown = { kind: 'lineage', data: body.data, result: body.data.certificationLineage };
          drawLineage(body.data.certificationLineage);
        }
        setExportable(true);
        if (kind !== 'lineage' && state.path >= 0) selectPath(state.path);
        if (state.selected && details[state.selected]) focusElement(state.selected, false);
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

  function showWhatIf(which) {
    $('whatif-view').hidden = false;
    $('show-after').setAttribute('aria-pressed', which === 'after' ? 'true' : 'false');
    $('show-before').setAttribute('aria-pressed', which === 'before' ? 'true' : 'false');
    if (which === 'after') drawRisk(shown.result, shown.vars, shown.diff, shown.before);
    else drawRisk(shown.before, shown.vars, null, null);
    var b = shown.before;
    var a = shown.result;
    var top = function (r) {
      return r.paths.length > 0 ? r.paths[0].score : 0;
    };
    var s = $('summary');
    s.setAttribute('data-before-paths', String(b.paths.length));
    s.setAttribute('data-after-paths', String(a.paths.length));
    s.textContent =
      (which === 'after' ? 'After the assumption (changes outlined ▲, what disappeared greyed): ' : 'Before the assumption: ') +
      s.textContent +
      ' Highest score ' +
      top(b) +
      ' before, ' +
      top(a) +
      ' after.';
  }
  $('show-after').addEventListener('click', function () {
    if (shown && shown.before) showWhatIf('after');
  });
  $('show-before').addEventListener('click', function () {
    if (shown && shown.before) showWhatIf('before');
  });

  function today() {
    return new Date().toISOString().slice(0, 10);
  }

  function readRiskForm() {
    state.view = 'risk';
    state.from = $('from').value.trim();
    state.to = $('to').value.trim();
    var hops = parseInt($('maxHops').value, 10);
    state.maxHops = isNaN(hops) ? 5 : hops;
    state.includeMitigated = $('includeMitigated').checked;
    state.fleet = $('fleet').value.trim();
    state.release = $('release').value.trim();
    state.asOf = state.fleet ? $('driftAsOf').value || '' : '';
  }

  function submitRisk() {
    readRiskForm();
    if (state.from === '') {
      showMessage('error', 'Enter a threat or vulnerability (its name or id).');
      return;
    }
    if ((state.fleet === '') !== (state.release === '')) {
      showMessage('error', state.fleet === '' ? 'Choose the fleet to move to ' + state.release + '.' : 'Choose the OS release to move ' + state.fleet + ' to.');
      return;
    }
    state.cert = '';
    var vars = { from: state.from, to: state.to === '' ? null : state.to, maxHops: state.maxHops, includeMitigated: state.includeMitigated, first: 100 };
    var assume = model.assumeInput(state);
    syncUrl();
    if (assume) {
      vars.assume = assume;
      vars.fleet = state.fleet && state.release ? state.fleet : null;
      vars.withDrift = vars.fleet !== null;
      vars.driftAsOf = vars.fleet !== null && state.asOf ? state.asOf : null;
      return run('whatif', vars);
    }
    return run('risk', vars);
  }

  $('risk-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    state.path = -1;
    state.selected = '';
    submitRisk();
  });

  $('clear-whatif').addEventListener('click', function () {
    state.fail = [];
    $('fleet').value = '';
    $('release').value = '';
    $('driftAsOf').value = '';
    pickers.fleet.setPicked('');
    pickers.release.setPicked('');
    submitRisk();
  });

  $('lineage-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var id = $('cert').value.trim();
    if (id === '') {
      showMessage('error', 'Enter a certification (its name or id).');
      return;
    }
    var asOf = $('asOf').value || today();
    state.view = 'lineage';
    state.cert = id;
    state.asOf = asOf;
    state.from = '';
    state.selected = '';
    syncUrl();
    run('lineage', { id: id, asOf: asOf });
  });

  $('headers').addEventListener('change', function () {
    try {
      AG.saveHeaders(readHeaders());
    } catch (e) {
      /* shown when a graph is drawn */
    }
  });

  // Pickers: choosing a source or target redraws when both forms are ready; a control is failed at once.
  makePicker('from');
  makePicker('to');
  makePicker('cert');
  makePicker('fleet');
  makePicker('release');
  makePicker('control', function (o) {
    $('control').value = '';
    pickers.control.setPicked('');
    if (state.fail.indexOf(o.id) < 0) state.fail = state.fail.concat([o.id]);
    var box = $('fail-list');
    if (!box.querySelector('label[data-control="' + o.id + '"]')) {
      var label = document.createElement('label');
      label.className = 'ag-check';
      label.setAttribute('data-control', o.id);
      label.setAttribute('data-name', o.name);
      box.appendChild(label);
    }
    if (state.from) submitRisk();
    else offerControls(null);
  });

  // Legend
  (function () {
    var legend = $('legend');
    var html = '<strong>Legend</strong> (Okabe-Ito colours, safe for colour-blind readers)<br />';
    Object.keys(COLORS).forEach(function (k) {
      html += '<span class="swatch" style="background:' + COLORS[k] + '"></span>' + k + ' <small>(' + model.SHAPES[k] + ')</small><br />';
    });
    html +=
      '<span class="line" style="border-top:3px solid ' +
      UNMITIGATED +
      '"></span>unmitigated step (solid)' +
      '<br /><span class="line" style="border-top:3px dashed ' +
      MITIGATED +
      '"></span>mitigated step (dashed: a control at the node it enters)' +
      '<br /><span class="line" style="border-top:2px dotted #009E73"></span>control on its step (hollow, dashed: failed by the what-if)' +
      '<br /><span class="line" style="border-top:5px double ' +
      CHANGED +
      '"></span>▲ changed by the what-if assumption; greyed: gone' +
      '<br />◆ source, thick border = target; lineage: blue solid border valid, vermillion dashed not valid.' +
      '<br /><strong>Timeline</strong>: ';
    Object.keys(STATUS_COLORS).forEach(function (k) {
      html += '<span class="swatch" style="background:' + STATUS_COLORS[k] + '"></span>' + k + ' ';
    });
    legend.innerHTML = html;
  })();

  // Initial state from the URL (?from=&to=&maxHops=&fail=&fleet=&release=&path=&selected= or ?cert=&asOf=) and the stored headers.
  var stored = AG.loadHeaders();
  $('headers').value = Object.keys(stored).length > 0 ? JSON.stringify(stored) : '';
  var initial = model.decodeState(window.location.search);
  $('asOf').value = (initial.view === 'lineage' && initial.asOf) || today();
  if (initial.view === 'risk') {
    state = initial;
    $('from').value = initial.from;
    $('to').value = initial.to;
    $('maxHops').value = String(initial.maxHops);
    $('includeMitigated').checked = initial.includeMitigated;
    $('fleet').value = initial.fleet;
    $('release').value = initial.release;
    $('driftAsOf').value = initial.asOf;
    offerControls(null);
    submitRisk();
  } else if (initial.view === 'lineage') {
    state = initial;
    $('cert').value = initial.cert;
    state.asOf = $('asOf').value;
    syncUrl();
    run('lineage', { id: initial.cert, asOf: state.asOf });
  }
})();
