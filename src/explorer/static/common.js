/* Shared by the explorer and the risk view: the caller's headers, kept for the browser session. */
'use strict';
(function () {
  var KEY = 'assurance-graph:headers';

  /** The headers object stored by either page (x-api-key or Authorization), or {}. */
  function loadHeaders() {
    try {
      var parsed = JSON.parse(window.sessionStorage.getItem(KEY) || '{}');
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
    } catch (e) {
      return {};
    }
  }

  function saveHeaders(headers) {
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify(headers || {}));
    } catch (e) {
      /* storage disabled: headers are kept for this page only */
    }
  }

  /** Saves the text of GraphiQL's headers editor when it is a JSON object. */
  function saveHeadersText(text) {
    try {
      var parsed = JSON.parse(text && text.trim() !== '' ? text : '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) saveHeaders(parsed);
    } catch (e) {
      /* incomplete JSON while typing */
    }
  }

  /** POSTs a GraphQL operation to /graphql with the given headers; resolves to {data, errors}. */
  function graphql(query, variables, headers) {
    var h = { 'content-type': 'application/json', accept: 'application/json' };
    Object.keys(headers || {}).forEach(function (k) {
      h[k] = String(headers[k]);
    });
    return fetch('/graphql', { method: 'POST', headers: h, body: JSON.stringify({ query: query, variables: variables || {} }) }).then(function (res) {
      return res.text().then(function (text) {
        var body;
        try {
          body = JSON.parse(text);
        } catch (e) {
          throw new Error('HTTP ' + res.status + ': ' + text.slice(0, 300));
        }
        if (!body.data && (!body.errors || body.errors.length === 0)) throw new Error('HTTP ' + res.status + ': ' + text.slice(0, 300));
        return body;
      });
    });
  }

  window.AssuranceGraph = { loadHeaders: loadHeaders, saveHeaders: saveHeaders, saveHeadersText: saveHeadersText, graphql: graphql };
})();
