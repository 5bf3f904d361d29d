// Editor code shared by the f7cloud node dialogs. Node-RED serves this file at
// resources/@f7cloud/node-red-assistant/editor.js and runs it before the node definitions that load it
// with <script src>, so every dialog finds it whatever order the nodes are registered in.
(function () {
  'use strict';
  if (window.F7CloudAssistantEditor) return;

  /** Where an id comes from: a message property, a fixed number, or a context/env value. */
  var ID_TYPES = ['msg', 'num', 'flow', 'global', 'env'];
  /** Where a text comes from. */
  var TEXT_TYPES = ['msg', 'str', 'flow', 'global', 'env'];

  function tlsOf(id) {
    var tls = id && id !== '_ADD_' ? RED.nodes.node(id) : null;
    if (!tls) return null;
    return {
      rejectUnauthorized: tls.verifyservercert !== false,
      ca: (tls.credentials && tls.credentials.cadata) || '',
    };
  }

  // One look for help texts, warnings and the connection test in every dialog (Node-RED's theme colours).
  $('<style id="f7cloud-assistant-editor-style"></style>')
    .text(
      [
        '.f7cloud-help { margin: 4px 0 0 104px; font-size: 0.85em; color: var(--red-ui-secondary-text-color, #777); }',
        '.f7cloud-hint { font-size: 0.8em; font-weight: normal; color: var(--red-ui-secondary-text-color, #777); }',
        '.f7cloud-warning { display: inline-block; width: 70%; color: var(--red-ui-text-color-warning, #b35c00); }',
        '.f7cloud-test-result { margin: 8px 0 0 104px; padding: 6px 8px; border-radius: 3px; }',
        '.f7cloud-test-result:empty { display: none; }',
        '.f7cloud-test-ok { color: var(--red-ui-text-color-success, #2e7d32); background: rgba(46, 125, 50, 0.08); border: 1px solid rgba(46, 125, 50, 0.4); }',
        '.f7cloud-test-failed { color: var(--red-ui-text-color-error, #c62828); background: rgba(198, 40, 40, 0.06); border: 1px solid rgba(198, 40, 40, 0.4); }',
        '.f7cloud-test-hint { margin-top: 4px; color: var(--red-ui-primary-text-color, #555); }',
        // task inputs: the display name on its own line, so long names never wrap beside the field
        '.f7cloud-input-row label.f7cloud-input-label { display: block; width: auto; }',
        '.f7cloud-input-row .f7cloud-input-wide { width: 100%; }',
        '.f7cloud-input-row .f7cloud-help { margin-left: 0; white-space: pre-line; }',
        // the server dialog's labels ("App Password") on one line: a wider label column in that dialog only
        'form:has(#node-config-f7cloud-test) .form-row > label:first-child { width: 125px; }',
        'form:has(#node-config-f7cloud-test) .f7cloud-help, form:has(#node-config-f7cloud-test) .f7cloud-test-result { margin-left: 129px; }',
      ].join('\n'),
    )
    .appendTo('head');

  window.F7CloudAssistantEditor = {
    ID_TYPES: ID_TYPES,
    TEXT_TYPES: TEXT_TYPES,

    /**
     * Loads the task types through the admin endpoint. Settings typed into a dialog that is not deployed
     * yet are sent along; otherwise only the config node's id, and the runtime uses the deployed node's
     * own URL and credentials.
     */
    taskTypes: function (serverId, typed) {
      var body = { server: serverId };
      var cfg = typed || (serverId ? RED.nodes.node(serverId) : null);
      var creds = cfg && cfg.credentials;
      if (creds && creds.appPassword && creds.appPassword !== '__PWRD__') {
        body = {
          server: serverId,
          url: cfg.url,
          user: creds.user,
          appPassword: creds.appPassword,
          tls: cfg.tls || '',
          tlsTyped: tlsOf(cfg.tls),
          rejectUnauthorized: cfg.rejectUnauthorized !== false,
          ca: cfg.ca || '',
        };
      }
      return $.ajax({
        url: 'f7cloud-assistant/task-types',
        method: 'POST',
        contentType: 'application/json',
        data: JSON.stringify(body),
        dataType: 'json',
      });
    },

    /** A new node gets the only server config there is, instead of "none". */
    preselectServer: function (node) {
      if (node.server) return;
      var servers = [];
      RED.nodes.eachConfig(function (config) {
        if (config.type === 'f7cloud-server') servers.push(config.id);
      });
      if (servers.length === 1) $('#node-input-server').val(servers[0]);
    },

    /** The text of a failed admin call. */
    errorText: function (xhr) {
      return (xhr && xhr.responseJSON && xhr.responseJSON.error) || (xhr && xhr.statusText) || 'error';
    },

    /**
     * A TypedInput on #node-input-<name>, its type in #node-input-<name>Type. A node saved before the
     * TypedInput has no type: an empty value meant "msg.<name>" and becomes that, a value stays itself.
     */
    typedField: function (node, name, types, msgName) {
      var input = $('#node-input-' + name);
      var typeField = $('#node-input-' + name + 'Type');
      var type = node[name + 'Type'];
      if (!type) {
        var value = node[name];
        if (value === '' || value === undefined || value === null) {
          type = 'msg';
          input.val(msgName || name);
        } else {
          type = types.indexOf('num') !== -1 && /^\s*\d+\s*$/.test(String(value)) ? 'num' : 'str';
          if (types.indexOf(type) === -1) type = types[1];
        }
        typeField.val(type);
      }
      input.typedInput({ default: type, types: types, typeField: typeField });
    },

    /** Shows the rows (class f7cloud-row-<field>) an operation uses and hides the others. */
    showFields: function (fields, all, operation) {
      var visible = fields[operation] || [];
      all.forEach(function (field) {
        $('.f7cloud-row-' + field).toggle(visible.indexOf(field) !== -1);
      });
    },
  };
})();
