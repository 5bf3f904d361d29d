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

  /** A row's label: its icon and the node type's own text for the field (Node-RED translates data-i18n). */
  function label(type, field, icon) {
    var el = $('<label></label>').attr('for', 'node-input-' + field);
    $('<i class="fa"></i>').addClass(icon).appendTo(el);
    el.append(' ');
    $('<span></span>')
      .attr('data-i18n', type + '.label.' + field)
      .appendTo(el);
    return el;
  }

  function row(field) {
    return $('<div class="form-row"></div>').addClass('f7cloud-row-' + field);
  }

  function checkboxRow(type, field, checked) {
    var el = row(field).append('<label>&nbsp;</label>');
    var box = $('<input type="checkbox" style="display:inline-block; width:auto; vertical-align:top;">')
      .attr('id', 'node-input-' + field)
      .appendTo(el);
    if (checked) box.attr('checked', 'checked');
    $('<label style="width:70%"></label>')
      .attr('for', 'node-input-' + field)
      .attr('data-i18n', type + '.label.' + field)
      .appendTo(el);
    return el;
  }

  function secondsRow(type, field) {
    return row(field)
      .append(label(type, field, 'fa-clock-o'))
      .append($('<input type="text" style="width:80px">').attr('id', 'node-input-' + field));
  }

  /**
   * The rows several dialogs share, by placeholder name. Each is built for one node type: its ids are that
   * dialog's input ids and its texts that node's own labels (a chat waits for "the reply", a task for "the
   * result"). `placeholder` carries the node's options as data attributes.
   */
  var ROWS = {
    // checked in the markup: Node-RED sets the box with jQuery's prop('checked', node.wait), which changes
    // nothing when the value is undefined, so a node saved before "wait" existed shows (and keeps) the
    // waiting it always did (the browser test checks this)
    wait: function (type) {
      return checkboxRow(type, 'wait', true);
    },
    timeout: function (type) {
      return secondsRow(type, 'timeout');
    },
    interval: function (type) {
      return secondsRow(type, 'interval');
    },
    emitExisting: function (type) {
      return checkboxRow(type, 'emitExisting', false);
    },
    contextStore: function (type) {
      var context = RED.settings.context;
      var select = $('<select id="node-input-contextStore" style="width:70%"></select>');
      $('<option value=""></option>')
        .attr('data-i18n', type + '.label.defaultStore')
        .appendTo(select);
      ((context && context.stores) || []).forEach(function (store) {
        $('<option></option>').val(store).text(store).appendTo(select);
      });
      return row('contextStore')
        .append(label(type, 'contextStore', 'fa-database'))
        .append(select);
    },
    /** A path in the user's files: data-field (default path), data-placeholder, data-typed, data-help. */
    path: function (type, placeholder) {
      var field = placeholder.attr('data-field') || 'path';
      var el = row(field).append(label(type, field, 'fa-folder-open'));
      var input = $('<input type="text">')
        .attr('id', 'node-input-' + field)
        .appendTo(el);
      if (placeholder.attr('data-placeholder'))
        input.attr('placeholder', placeholder.attr('data-placeholder'));
      if (placeholder.is('[data-typed]')) {
        $('<input type="hidden">')
          .attr('id', 'node-input-' + field + 'Type')
          .appendTo(el);
      }
      if (placeholder.is('[data-help]')) {
        $('<div class="f7cloud-help"></div>')
          .attr('data-i18n', type + '.help.' + field)
          .appendTo(el);
      }
      return el;
    },
    name: function (type) {
      return row('name')
        .append(label(type, 'name', 'fa-tag'))
        .append('<input type="text" id="node-input-name">');
    },
  };

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
     * Puts the shared rows into a node's edit template in place of its placeholders
     * (<div data-f7cloud-row="wait"></div>). Called by the node's definition, before any dialog opens, so
     * Node-RED fills, validates and saves these rows like the template's own. (Node-RED adds a node set's
     * HTML to the page as a whole before it runs the set's scripts: the template is there already.)
     */
    sharedRows: function (type) {
      var template = $('script[data-template-name="' + type + '"]');
      var form = $('<div></div>').html(template.html());
      form.find('[data-f7cloud-row]').each(function () {
        var placeholder = $(this);
        var name = placeholder.attr('data-f7cloud-row');
        if (!ROWS[name]) throw new Error(type + ': no shared row "' + name + '"');
        placeholder.replaceWith(ROWS[name](type, placeholder));
      });
      template.text(form.html());
    },

    /** Core's file actions (id, label, description), the list a file dialog offers. */
    fileActions: function () {
      return $.ajax({ url: 'f7cloud-assistant/file-actions', method: 'GET', dataType: 'json' });
    },

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
