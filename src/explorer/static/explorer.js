/* The GraphQL explorer: GraphiQL 4 from the UMD bundle, with the query collection as a plugin. */
'use strict';
(function () {
  var h = React.createElement;
  var AG = window.AssuranceGraph;
  var params = new URLSearchParams(window.location.search);

  function fetchCollection() {
    return fetch('/explorer/queries.json', { headers: { accept: 'application/json' } }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status + ' reading the query collection');
      return res.json();
    });
  }

  function BookIcon() {
    return h(
      'svg',
      { viewBox: '0 0 24 24', width: '1em', height: '1em', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': 'true' },
      h('path', { d: 'M4 4.5A2.5 2.5 0 0 1 6.5 2H20v17H6.5A2.5 2.5 0 0 0 4 21.5v-17z' }),
      h('path', { d: 'M4 21.5A2.5 2.5 0 0 1 6.5 19H20v3H6.5' }),
      h('path', { d: 'M8 7h8M8 11h6' }),
    );
  }

  /** The Examples panel: one entry per docs/queries/*.graphql file, opened in a new tab. */
  function ExamplesPanel() {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true });
    var st = React.useState({ loading: true, items: [], error: null });
    var state = st[0];
    var setState = st[1];
    var load = React.useCallback(function () {
      setState({ loading: true, items: [], error: null });
      fetchCollection().then(
        function (items) {
          setState({ loading: false, items: items, error: null });
        },
        function (err) {
          setState({ loading: false, items: [], error: String(err && err.message ? err.message : err) });
        },
      );
    }, []);
    React.useEffect(load, [load]);

    function open(example) {
      editor.addTab();
      window.setTimeout(function () {
        if (editor.queryEditor) editor.queryEditor.setValue(example.query);
        if (editor.variableEditor) editor.variableEditor.setValue(example.variables || '');
      }, 0);
    }

    var body;
    if (state.loading) body = h('p', { className: 'ag-muted' }, 'Loading…');
    else if (state.error) body = h('p', { className: 'ag-error', role: 'alert' }, 'Could not load the examples: ' + state.error);
    else if (state.items.length === 0) body = h('p', { className: 'ag-muted' }, 'No example operations yet: add .graphql files to docs/queries/.');
    else
      body = h(
        'ul',
        { className: 'ag-examples' },
        state.items.map(function (ex) {
          return h(
            'li',
            { key: ex.file },
            h(
              'button',
              {
                type: 'button',
                className: 'ag-example',
                'data-example': ex.name,
                onClick: function () {
                  open(ex);
                },
                title: 'Open ' + ex.file + ' in a new tab',
              },
              h('span', { className: 'ag-example-name' }, ex.operations.length > 0 ? ex.operations.join(', ') : ex.name),
              h('span', { className: 'ag-example-file' }, ex.file),
              ex.description ? h('span', { className: 'ag-example-desc' }, ex.description) : null,
              ex.error ? h('span', { className: 'ag-error' }, 'Does not parse: ' + ex.error) : null,
            ),
          );
        }),
      );

    return h(
      'div',
      { className: 'ag-examples-panel' },
      h('div', { className: 'graphiql-doc-explorer-title' }, 'Examples'),
      h(
        'p',
        { className: 'ag-muted' },
        'The query collection (docs/queries). Click one to open it in a new tab, then run it with ▶. Variables go in the Variables pane; an API key in Headers.',
      ),
      h('button', { type: 'button', className: 'ag-reload', onClick: load }, 'Reload list'),
      body,
    );
  }

  var examplesPlugin = { title: 'Examples', icon: BookIcon, content: ExamplesPanel };

  var storedHeaders = AG.loadHeaders();
  var defaultHeaders = Object.keys(storedHeaders).length > 0 ? JSON.stringify(storedHeaders, null, 2) : '';

  function render(initial) {
    var props = {
      fetcher: GraphiQL.createFetcher({ url: '/graphql', enableIncrementalDelivery: false }),
      plugins: [examplesPlugin],
      defaultQuery:
        '# Welcome to the Assurance Graph API.\n#\n# Open an example from the Examples panel (book icon), or type a query:\n# Ctrl-Space autocompletes, the Docs panel shows the schema.\n# To act as a key holder, set Headers: {"x-api-key": "<your key>"}\n\nquery FirstDevices {\n  devices(first: 5) {\n    totalCount\n    edges { node { id name category } }\n  }\n}\n',
      defaultHeaders: defaultHeaders,
      onEditHeaders: AG.saveHeadersText,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: initial.variables ? 'variables' : false,
    };
    if (initial.query) props.query = initial.query;
    if (initial.variables) props.variables = initial.variables;
    var root = ReactDOM.createRoot(document.getElementById('graphiql'));
    root.render(h(GraphiQL, props, h(GraphiQL.Logo, null, 'Assurance Graph')));
    openExamples(0);
  }

  /** Opens the Examples panel once GraphiQL's sidebar exists, unless a panel is already open. */
  function openExamples(tries) {
    var sidebar = document.querySelector('.graphiql-sidebar');
    var show = sidebar && sidebar.querySelector('button[aria-label="Show Examples"]');
    if (show) {
      if (!sidebar.querySelector('button[aria-label^="Hide "]')) show.click();
      return;
    }
    if (tries < 100)
      window.setTimeout(function () {
        openExamples(tries + 1);
      }, 50);
  }

  // ?query=…&variables=… opens that operation; ?example=<file name> opens one of the collection.
  var initial = { query: params.get('query') || undefined, variables: params.get('variables') || undefined };
  var wanted = params.get('example');
  if (wanted && !initial.query) {
    fetchCollection()
      .then(function (items) {
        var ex = items.find(function (e) {
          return e.name === wanted || e.file === wanted;
        });
        if (ex) {
          initial.query = ex.query;
          initial.variables = ex.variables || undefined;
        }
      })
      .catch(function () {
        /* the panel shows the error */
      })
      .then(function () {
        render(initial);
      });
  } else {
    render(initial);
  }
})();
