// The dashboard: keeps a copy of the daemon's state from the /status WebSocket (a snapshot,
// then events; docs/status-protocol.md) and redraws the sections that changed, at most once a
// frame. Text from the feed is only ever set as textContent, never parsed as HTML.
'use strict';

(function () {
  const SCHEMA_VERSION = 1;
  const MAX_VERSIONS = 50;
  const MAX_ERRORS = 20;
  const MAX_FINISHED_TRANSFERS = 10;
  const RECONNECT_MIN_MS = 500;
  const RECONNECT_MAX_MS = 15000;

  const state = {
    node: null,
    peers: new Map(),      // node_id -> peer event
    transfers: new Map(),  // "key@version" -> transfer event (plus seen_at)
    versions: [],          // newest first
    conflicts: new Map(),  // key -> conflict event
    deployments: new Map(),  // name -> deployment event
    nodes: [],             // fleet records: the last `nodes` event
    fleet: new Map(),      // key -> holders
    models: [],
    datasets: [],
    errors: [],            // newest first
  };

  // ---- formatting ---------------------------------------------------------------------------

  function formatBytes(n) {
    if (typeof n !== 'number' || !isFinite(n)) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : n.toFixed(n < 10 ? 2 : 1)) + ' ' + units[i];
  }

  function formatRate(bps) {
    return typeof bps === 'number' ? formatBytes(bps) + '/s' : '–';
  }

  function formatDuration(seconds) {
    if (typeof seconds !== 'number' || !isFinite(seconds)) return '–';
    seconds = Math.max(0, Math.round(seconds));
    const d = Math.floor(seconds / 86400);
    const h = Math.floor((seconds % 86400) / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    if (m > 0) return m + 'm ' + s + 's';
    return s + 's';
  }

  function formatAgo(ms) {
    if (typeof ms !== 'number') return '–';
    return formatDuration((Date.now() - ms) / 1000) + ' ago';
  }

  function shortVersion(v) {
    return typeof v === 'string' ? v.slice(0, 8) : '–';
  }

  function formatNumber(x) {
    if (typeof x !== 'number') return String(x);
    return Number.isInteger(x) ? String(x) : String(Math.round(x * 1000) / 1000);
  }

  // ---- DOM helpers --------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);

  // el('td', {class: 'num', title: 'x', 'data-key': k}, 'text' | Node | [children])
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, String(value));
    }
    appendChildren(node, children);
    return node;
  }

  function appendChildren(node, children) {
    if (children === undefined || children === null) return;
    if (!Array.isArray(children)) children = [children];
    for (const child of children) {
      if (child === undefined || child === null) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  function tags(entries) {
    return entries.map((text) => el('span', { class: 'tag' }, text));
  }

  function labelTags(labels) {
    if (Array.isArray(labels)) return tags(labels);
    if (labels && typeof labels === 'object') {
      return tags(Object.entries(labels).map(([k, v]) => k + '=' + v));
    }
    return [];
  }

  function versionCell(v) {
    return el('td', { class: 'mono', title: v }, shortVersion(v));
  }

  function fillBody(bodyId, emptyId, rows) {
    $(bodyId).replaceChildren(...rows);
    if (emptyId) $(emptyId).hidden = rows.length > 0;
  }

  function setCount(id, n) {
    $(id).textContent = n > 0 ? '(' + n + ')' : '';
  }

  // ---- sections -----------------------------------------------------------------------------

  function renderNode() {
    const n = state.node;
    if (!n) return;
    const field = (name) => document.querySelector('#node-fields [data-field="' + name + '"]');
    field('name').textContent = n.name || '–';
    field('id').textContent = n.id || '–';
    field('labels').replaceChildren(...labelTags(n.labels));
    field('uptime').textContent = formatDuration(n.uptime_s);
    field('store_bytes').textContent = formatBytes(n.store_bytes);
    field('store_bytes').dataset.value = n.store_bytes ?? '';
    field('chunks').textContent = typeof n.chunks === 'number' ? String(n.chunks) : '–';
    field('chunks').dataset.value = n.chunks ?? '';
    // An empty store has no meaningful ratio (the daemon reports 0).
    field('dedup_ratio').textContent =
        typeof n.dedup_ratio === 'number' && n.dedup_ratio > 0 ? n.dedup_ratio.toFixed(2) + '×' : '–';
    field('clock_skew').textContent =
        typeof n.clock_skew_ms === 'number' ? n.clock_skew_ms + ' ms' : 'unknown';
    $('node-title').textContent = n.name ? '· ' + n.name : '';
    document.title = 'edgesync · ' + (n.name || n.id || '');
  }

  // A connected peer's link is live now; a disconnected one was last heard from some time ago.
  function lastSeenCell(p) {
    if (p.state === 'connected') return el('td', { 'data-field': 'last_seen', 'data-live': 'true' }, 'now');
    return el('td', { 'data-field': 'last_seen', 'data-live': 'false' }, formatAgo(p.last_seen_ms));
  }

  function renderPeers() {
    const peers = [...state.peers.values()].sort((a, b) => a.node_id.localeCompare(b.node_id));
    const rows = peers.map((p) => el('tr', { 'data-peer': p.node_id, 'data-state': p.state }, [
      el('td', {}, p.node_id),
      el('td', {}, p.role || '–'),
      el('td', { class: 'state-' + p.state }, p.state),
      el('td', { class: 'mono' }, p.address || '–'),
      el('td', { class: 'num', 'data-field': 'in_bps', 'data-value': p.in_bps,
                 title: formatBytes(p.bytes_in) + ' on this link' }, formatRate(p.in_bps)),
      el('td', { class: 'num', 'data-field': 'out_bps', 'data-value': p.out_bps,
                 title: formatBytes(p.bytes_out) + ' on this link' }, formatRate(p.out_bps)),
      el('td', { class: 'num' }, typeof p.lag_changes === 'number' ? p.lag_changes : '–'),
      lastSeenCell(p),
    ]));
    fillBody('peers-body', 'peers-empty', rows);
    setCount('peers-count', peers.filter((p) => p.state === 'connected').length);
  }

  function transferPercent(t) {
    if (typeof t.total_bytes === 'number' && t.total_bytes > 0 && typeof t.done_bytes === 'number') {
      return Math.min(100, (100 * t.done_bytes) / t.total_bytes);
    }
    if (t.state === 'done') return 100;
    if (t.total_bytes === 0) return 100;  // everything was already here
    return 0;
  }

  function renderTransfers() {
    // Running first (oldest first), then finished (newest first).
    const all = [...state.transfers.values()];
    const running = all.filter((t) => t.state === 'running').sort((a, b) => a.seen_at - b.seen_at);
    const finished = all.filter((t) => t.state !== 'running').sort((a, b) => b.ts - a.ts);
    const items = running.concat(finished).map((t) => {
      const percent = transferPercent(t);
      const figures = [];
      if (typeof t.done_bytes === 'number') {
        figures.push(formatBytes(t.done_bytes) +
                     (typeof t.total_bytes === 'number' ? ' of ' + formatBytes(t.total_bytes) : ''));
      }
      if (t.state === 'running' && typeof t.rate_bps === 'number') figures.push(formatRate(t.rate_bps));
      if (t.state === 'running' && typeof t.eta_s === 'number') figures.push('ETA ' + formatDuration(t.eta_s));
      if (Array.isArray(t.sources) && t.sources.length) figures.push('from ' + t.sources.join(', '));
      return el('li', {
        'data-transfer': t.key + '@' + t.version,
        'data-key': t.key,
        'data-version': t.version,
        'data-state': t.state,
        'data-percent': percent.toFixed(1),
      }, [
        el('div', { class: 'transfer-head' }, [
          el('span', {}, [el('strong', {}, t.key), ' ', el('code', { title: t.version }, shortVersion(t.version))]),
          el('span', { class: 'state-' + t.state }, t.state === 'running' ? percent.toFixed(0) + '%' : t.state),
        ]),
        el('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
                    'aria-valuenow': percent.toFixed(0) },
           el('div', { class: 'bar-fill', style: 'width: ' + percent.toFixed(1) + '%' })),
        el('div', { class: 'transfer-figures' }, figures.join(' · ')),
        t.error ? el('div', { class: 'transfer-error' }, t.error) : null,
      ]);
    });
    $('transfers-list').replaceChildren(...items);
    $('transfers-empty').hidden = items.length > 0;
    setCount('transfers-count', running.length);
  }

  function renderVersions() {
    const rows = state.versions.map((v) => el('tr', {
      'data-key': v.key, 'data-version': v.version, 'data-origin': v.origin,
    }, [
      el('td', {}, [v.key, v.deleted ? ' (deleted)' : '']),
      el('td', {}, v.kind || '–'),
      versionCell(v.version),
      el('td', {}, v.author || '–'),
      el('td', { class: 'origin-' + v.origin }, v.origin || '–'),
      el('td', {}, formatAgo(v.ts)),
    ]));
    fillBody('versions-body', 'versions-empty', rows);
  }

  function renderConflicts() {
    const conflicts = [...state.conflicts.values()].sort((a, b) => a.key.localeCompare(b.key));
    const rows = conflicts.map((c) => el('tr', { 'data-key': c.key }, [
      el('td', {}, c.key),
      el('td', { class: 'mono' }, (c.heads || []).map(shortVersion).join(', ')),
      el('td', {}, c.policy || '–'),
    ]));
    fillBody('conflicts-body', 'conflicts-empty', rows);
    setCount('conflicts-count', rows.length);
  }

  function renderDeployments() {
    const deployments = [...state.deployments.values()].sort((a, b) => a.name.localeCompare(b.name));
    const rows = deployments.map((d) => el('tr', { 'data-name': d.name, 'data-state': d.state }, [
      el('td', {}, d.name),
      el('td', {}, d.key || '–'),
      el('td', { class: 'deploy-' + d.state }, d.state || '–'),
      versionCell(d.active),
      versionCell(d.target),
      el('td', {}, String(d.switches || 0)),
      el('td', {}, String(d.rollbacks || 0)),
      el('td', {}, d.last_error || ''),
    ]));
    fillBody('deployments-body', 'deployments-empty', rows);
    setCount('deployments-count', rows.length);
  }

  // A matrix of keys by nodes; a cell lists the heads that node holds. A node lacking a head
  // some other node holds is marked "behind".
  function renderFleet() {
    const nodes = new Set();
    for (const holders of state.fleet.values()) holders.forEach((h) => nodes.add(h.node_id));
    const me = state.node && state.node.id;
    const columns = [...nodes].sort((a, b) => (a === me ? -1 : b === me ? 1 : a.localeCompare(b)));
    $('fleet-head').replaceChildren(el('tr', {}, [el('th', {}, 'key')].concat(
        columns.map((n) => el('th', {}, n === me ? n + ' (this node)' : n)))));
    const keys = [...state.fleet.keys()].sort();
    const rows = keys.map((key) => {
      const holders = new Map(state.fleet.get(key).map((h) => [h.node_id, h.versions || []]));
      const everyVersion = new Set([].concat(...holders.values()));
      return el('tr', { 'data-key': key }, [el('td', {}, key)].concat(columns.map((n) => {
        const versions = holders.get(n);
        if (!versions || versions.length === 0) {
          return el('td', { class: 'absent', 'data-node': n }, '—');
        }
        const behind = [...everyVersion].some((v) => !versions.includes(v));
        return el('td', {
          class: 'mono ' + (behind ? 'behind' : 'holds'),
          'data-node': n,
          'data-versions': versions.join(' '),
          title: versions.join('\n'),
        }, versions.map(shortVersion).join(', '));
      })));
    });
    fillBody('fleet-body', 'fleet-empty', rows);
  }

  // Every node known by its record (however far away), by the keys they hold; a stale node's
  // row is marked. At most MAX_NODE_KEYS key columns, the most widely held first.
  const MAX_NODE_KEYS = 12;
  function renderNodes() {
    const nodes = [...state.nodes].sort((a, b) => a.node_id.localeCompare(b.node_id));
    const counts = new Map();
    nodes.forEach((n) => Object.keys(n.holdings || {}).forEach((k) => counts.set(k, (counts.get(k) || 0) + 1)));
    const keys = [...counts.keys()].sort((a, b) => counts.get(b) - counts.get(a) || a.localeCompare(b))
        .slice(0, MAX_NODE_KEYS);
    $('nodes-head').replaceChildren(el('tr', {}, ['node', 'software', 'labels', 'updated', 'deployments']
        .concat(keys).map((h) => el('th', {}, h))));
    const rows = nodes.map((n) => {
      const labels = Object.entries(n.labels || {}).map(([k, v]) => k + '=' + v).join(', ');
      const deployments = n.deployments ? n.deployments + (n.deployments_failing ? ' (' + n.deployments_failing + ' failing)' : '') : '–';
      return el('tr', { 'data-node': n.node_id, 'data-stale': String(!!n.stale), class: n.stale ? 'stale' : '' }, [
        el('td', {}, n.node_id),
        el('td', {}, n.software_version || '–'),
        el('td', {}, labels || '–'),
        el('td', { 'data-field': 'age' }, formatAgo(n.updated_at) + (n.stale ? ' (stale)' : '')),
        el('td', {}, deployments),
      ].concat(keys.map((k) => {
        const versions = (n.holdings || {})[k] || [];
        return el('td', { class: 'mono', 'data-key': k, 'data-versions': versions.join(' ') },
                  versions.length ? versions.map(shortVersion).join(', ') : '—');
      })));
    });
    fillBody('nodes-body', 'nodes-empty', rows);
    setCount('nodes-count', rows.length);
    const stale = nodes.filter((n) => n.stale).length;
    $('nodes-stale').textContent = stale ? stale + ' stale' : '';
  }

  // Small horizontal bar chart of a dataset's class counts (largest first, at most 8 bars).
  function histogram(classes) {
    const NS = 'http://www.w3.org/2000/svg';
    const entries = Object.entries(classes || {}).sort((a, b) => b[1] - a[1]);
    const shown = entries.slice(0, 8);
    if (entries.length > shown.length) {
      shown.push(['others', entries.slice(8).reduce((sum, [, c]) => sum + c, 0)]);
    }
    const barHeight = 12, gap = 3, labelWidth = 90, barWidth = 140, countWidth = 50;
    const svg = document.createElementNS(NS, 'svg');
    const height = Math.max(1, shown.length * (barHeight + gap));
    svg.setAttribute('class', 'histogram');
    svg.setAttribute('width', labelWidth + barWidth + countWidth);
    svg.setAttribute('height', height);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', shown.map(([n, c]) => n + ' ' + c).join(', '));
    const max = Math.max(1, ...shown.map(([, c]) => c));
    shown.forEach(([name, count], i) => {
      const y = i * (barHeight + gap);
      const label = document.createElementNS(NS, 'text');
      label.setAttribute('x', 0);
      label.setAttribute('y', y + barHeight - 2);
      label.textContent = name.length > 14 ? name.slice(0, 13) + '…' : name;
      const rect = document.createElementNS(NS, 'rect');
      rect.setAttribute('x', labelWidth);
      rect.setAttribute('y', y);
      rect.setAttribute('height', barHeight);
      rect.setAttribute('width', Math.max(1, (barWidth * count) / max).toFixed(1));
      rect.setAttribute('data-class', name);
      rect.setAttribute('data-count', count);
      const value = document.createElementNS(NS, 'text');
      value.setAttribute('x', labelWidth + barWidth + 4);
      value.setAttribute('y', y + barHeight - 2);
      value.textContent = String(count);
      svg.append(label, rect, value);
    });
    return svg;
  }

  function searchText(item) {
    return JSON.stringify(item).toLowerCase();
  }

  function matchesSearch(item, words) {
    const text = searchText(item);
    return words.every((w) => text.includes(w));
  }

  function renderCatalog() {
    const words = $('catalog-search').value.toLowerCase().split(/\s+/).filter(Boolean);
    const models = state.models.filter((m) => matchesSearch(m, words))
        .sort((a, b) => a.key.localeCompare(b.key));
    const datasets = state.datasets.filter((d) => matchesSearch(d, words))
        .sort((a, b) => a.key.localeCompare(b.key));
    fillBody('models-body', null, models.map((m) => el('tr', { 'data-key': m.key, 'data-task': m.task }, [
      el('td', {}, m.key),
      el('td', {}, m.task || '–'),
      el('td', {}, m.format || '–'),
      el('td', {}, labelTags(m.labels)),
      el('td', {}, tags(Object.entries(m.metrics || {}).map(([k, v]) => k + ' ' + formatNumber(v)))),
      versionCell(m.version),
    ])));
    fillBody('datasets-body', null, datasets.map((d) => el('tr', {
      'data-key': d.key, 'data-format': d.format, 'data-samples': d.samples,
    }, [
      el('td', {}, d.key),
      el('td', {}, d.format || '–'),
      el('td', { class: 'num' }, typeof d.samples === 'number' ? d.samples : '–'),
      el('td', {}, d.classes && Object.keys(d.classes).length ? histogram(d.classes) : '–'),
      versionCell(d.version),
    ])));
    $('models-count').textContent = '(' + models.length + (words.length ? ' of ' + state.models.length : '') + ')';
    $('datasets-count').textContent = '(' + datasets.length + (words.length ? ' of ' + state.datasets.length : '') + ')';
  }

  function renderErrors() {
    const items = state.errors.map((e) => el('li', { 'data-category': e.category }, [
      el('span', { class: 'category' }, e.category || 'error'),
      e.message || '',
      e.peer ? ' (' + e.peer + ')' : '',
      el('span', { class: 'transfer-figures' }, ' · ' + formatAgo(e.ts)),
    ]));
    $('errors-list').replaceChildren(...items);
    $('errors-empty').hidden = items.length > 0;
  }

  const renderers = {
    node: renderNode, peers: renderPeers, transfers: renderTransfers, versions: renderVersions,
    conflicts: renderConflicts, deployments: renderDeployments, fleet: renderFleet, nodes: renderNodes, catalog: renderCatalog, errors: renderErrors,
  };
  const dirty = new Set();
  let frameRequested = false;

  function markDirty(...sections) {
    sections.forEach((s) => dirty.add(s));
    if (frameRequested) return;
    frameRequested = true;
    requestAnimationFrame(() => {
      frameRequested = false;
      for (const s of dirty) renderers[s]();
      dirty.clear();
    });
  }

  // ---- applying messages --------------------------------------------------------------------

  function keepFinishedTransfersBounded() {
    const finished = [...state.transfers.entries()]
        .filter(([, t]) => t.state !== 'running')
        .sort((a, b) => b[1].ts - a[1].ts);
    for (const [id] of finished.slice(MAX_FINISHED_TRANSFERS)) state.transfers.delete(id);
  }

  function applyTransfer(t) {
    const id = t.key + '@' + t.version;
    const previous = state.transfers.get(id);
    state.transfers.set(id, Object.assign({}, previous, t, { seen_at: previous ? previous.seen_at : Date.now() }));
    keepFinishedTransfersBounded();
  }

  function applyVersion(v) {
    state.versions = [v].concat(state.versions.filter(
        (old) => !(old.key === v.key && old.version === v.version))).slice(0, MAX_VERSIONS);
  }

  function applyConflict(c) {
    if (c.state === 'resolved') state.conflicts.delete(c.key);
    else state.conflicts.set(c.key, c);
  }

  function applyDeployment(d) {
    if (d.state === 'removed') state.deployments.delete(d.name);
    else state.deployments.set(d.name, d);
  }

  // Node records carry their age when sampled; the page keeps when that was, so ages grow.
  function withUpdatedAt(nodes, ts) {
    return (nodes || []).map((n) => Object.assign({}, n, { updated_at: (ts || Date.now()) - (n.age_ms || 0) }));
  }

  function applySnapshot(s) {
    state.node = s.node || null;
    state.peers = new Map((s.peers || []).map((p) => [p.node_id, p]));
    state.transfers = new Map();
    (s.transfers || []).forEach(applyTransfer);
    state.versions = (s.versions || []).slice(0, MAX_VERSIONS);
    state.conflicts = new Map();
    (s.conflicts || []).forEach(applyConflict);
    state.deployments = new Map();
    (s.deployments || []).forEach(applyDeployment);
    state.nodes = withUpdatedAt(s.nodes, s.ts);
    state.fleet = new Map((s.fleet || []).map((f) => [f.key, f.holders || []]));
    state.models = s.models || [];
    state.datasets = s.datasets || [];
    markDirty(...Object.keys(renderers));
  }

  const handlers = {
    snapshot: applySnapshot,
    node: (m) => { state.node = m; markDirty('node', 'fleet'); },
    peer: (m) => { state.peers.set(m.node_id, m); markDirty('peers'); },
    transfer: (m) => { applyTransfer(m); markDirty('transfers'); },
    version: (m) => { applyVersion(m); markDirty('versions'); },
    conflict: (m) => { applyConflict(m); markDirty('conflicts'); },
    deployment: (m) => { applyDeployment(m); markDirty('deployments'); },
    nodes: (m) => { state.nodes = withUpdatedAt(m.nodes, m.ts); markDirty('nodes'); },
    fleet: (m) => { state.fleet.set(m.key, m.holders || []); markDirty('fleet'); },
    catalog: (m) => { state.models = m.models || []; state.datasets = m.datasets || []; markDirty('catalog'); },
    error: (m) => { state.errors = [m].concat(state.errors).slice(0, MAX_ERRORS); markDirty('errors'); },
  };

  // Applies one feed message; returns its type (undefined when it is not a JSON object).
  function handleMessage(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch (e) {
      console.warn('status feed: not JSON', e);
      return undefined;
    }
    if (!message || typeof message !== 'object') return undefined;
    if (message.v !== SCHEMA_VERSION) {
      console.warn('status feed: schema version', message.v, 'expected', SCHEMA_VERSION);
    }
    const handler = handlers[message.type];
    if (handler) handler(message);  // unknown types are ignored, as the protocol asks
    document.body.dataset.messages = String(Number(document.body.dataset.messages || 0) + 1);
    return message.type;
  }

  // ---- connection ---------------------------------------------------------------------------

  function statusUrl() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = new URLSearchParams(location.search).get('token');
    return scheme + '//' + location.host + '/status' + (token ? '?token=' + encodeURIComponent(token) : '');
  }

  function setConnection(stateName, text) {
    const badge = $('connection');
    badge.dataset.state = stateName;
    badge.textContent = text;
    document.body.dataset.connection = stateName;
  }

  let retryDelay = RECONNECT_MIN_MS;

  function connect() {
    setConnection('connecting', 'connecting');
    const socket = new WebSocket(statusUrl());
    socket.onopen = () => setConnection('open', 'live');
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      // A snapshot means the daemon accepted us: the next drop starts the backoff afresh.
      if (handleMessage(event.data) === 'snapshot') retryDelay = RECONNECT_MIN_MS;
    };
    socket.onclose = (event) => {
      // Exponential backoff with jitter, so a restarted daemon is not hit by every tab at once.
      const wait = retryDelay * (0.75 + Math.random() * 0.5);
      retryDelay = Math.min(RECONNECT_MAX_MS, retryDelay * 2);
      const why = event.code === 1006 ? '' : ' (' + event.code + (event.reason ? ': ' + event.reason : '') + ')';
      setConnection('closed', 'disconnected' + why + ', retrying in ' + Math.ceil(wait / 1000) + ' s');
      setTimeout(connect, wait);
    };
    socket.onerror = () => { /* onclose follows and schedules the retry */ };
  }

  $('catalog-search').addEventListener('input', () => markDirty('catalog'));
  // "x ago" columns age even when nothing arrives.
  setInterval(() => markDirty('peers', 'versions', 'errors', 'nodes'), 5000);
  connect();
})();
