// Dashboard end to end, in a real browser: two edgesyncd nodes with TLS on 127.0.0.1
// (certificates from the real `edgesync cluster` commands), node B's dashboard open in headless
// Chromium, a model put on node A; the page must show the transfer finishing and the new
// version arriving as replicated, the model in the catalog and both nodes in the fleet view, a
// deployment of it on node B healthy, both nodes on the fleet page by their records; once the
// link is idle, node A's peer row must show rate 0 and a live last-seen.
// Node B's status address requires a token, which the page must pass on from its own URL.
//
//   node dashboard_e2e.mjs --edgesyncd BIN --edgesync BIN --chromium BIN --out DIR
// Exit 0 on success, 1 on failure (with both daemons' logs). Writes DIR/dashboard_e2e.png.
import { spawn, execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { chromium } from 'playwright-core';

const execFileAsync = promisify(execFile);
const { values: opts } = parseArgs({
  options: {
    edgesyncd: { type: 'string' }, edgesync: { type: 'string' },
    chromium: { type: 'string' }, out: { type: 'string' },
  },
});
for (const name of ['edgesyncd', 'edgesync', 'chromium', 'out']) {
  if (!opts[name]) { console.error(`dashboard_e2e: --${name} is required`); process.exit(2); }
}

const KEY = 'model/e2e/helmet';
const TOKEN = 'e2e-token-' + Math.random().toString(36).slice(2);
const MODEL_BYTES = 48 << 20;      // large enough to take several progress samples on loopback
const TEST_BUDGET_MS = 90_000;     // ctest allows 120 s, npm ci included
const started = Date.now();
const root = fs.mkdtempSync('/tmp/esd-');  // short: unix socket paths are limited
const daemons = [];
let browser = null;

function log(...args) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args);
}

// `edgesync args...`; rejects with its stderr on a non-zero exit.
async function cli(args, socket) {
  const argv = socket ? ['--socket', socket, ...args] : args;
  try {
    const { stdout } = await execFileAsync(opts.edgesync, argv, { timeout: 30_000, env: cleanEnv() });
    return stdout;
  } catch (e) {
    throw new Error(`edgesync ${argv.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

// The daemons must not pick sockets or state from a systemd environment the test runs under.
function cleanEnv() {
  const env = { ...process.env };
  for (const name of ['XDG_RUNTIME_DIR', 'RUNTIME_DIRECTORY', 'STATE_DIRECTORY',
                      'CONFIGURATION_DIRECTORY', 'NOTIFY_SOCKET', 'WATCHDOG_USEC', 'EDGESYNC_SOCKET']) {
    delete env[name];
  }
  return env;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function makeNode(name, role, ca) {
  const dir = path.join(root, name);
  const cluster = path.join(dir, 'cluster');
  await cli(['cluster', 'join', '--node-id', name, '--role', role, '--out', cluster]);
  await cli(['cluster', 'sign', ca, path.join(cluster, 'node.csr'), '--days', '2',
             '--out', path.join(cluster, 'node.crt')]);
  fs.copyFileSync(path.join(ca, 'ca.crt'), path.join(cluster, 'ca.crt'));
  return { name, role, dir, socket: path.join(dir, 'control.sock'), log: path.join(root, name + '.log') };
}

async function startNode(node, { httpPort, peers = [], config = null }) {
  const args = ['--data-dir', node.dir, '--node-name', node.name, '--label', 'role=' + node.role,
                '--peer-listen', '127.0.0.1:0', '--http-status', '127.0.0.1:' + httpPort,
                '--log-level', 'info'];
  for (const peer of peers) args.push('--peer', peer);
  if (config) args.push('--config', config);
  const logFd = fs.openSync(node.log, 'a');
  node.process = spawn(opts.edgesyncd, args, { stdio: ['ignore', logFd, logFd], env: cleanEnv() });
  fs.closeSync(logFd);
  node.exited = new Promise((resolve) => node.process.on('exit', (code, signal) => resolve(code ?? signal)));
  daemons.push(node);
  const status = await waitFor(`${node.name}'s control socket`, async () => {
    if (node.process.exitCode !== null) throw new Error(`${node.name} exited`);
    return JSON.parse(await cli(['status', '--json'], node.socket));
  }, 20_000);
  node.id = status.node_id;
  node.peerAddress = status.peer_listen;
  log(`${node.name} up: id ${node.id}, peers on ${node.peerAddress}, status on 127.0.0.1:${httpPort}`);
}

async function stopAll() {
  if (browser) await browser.close().catch(() => {});
  for (const node of daemons) {
    if (node.process.exitCode === null && node.process.signalCode === null) node.process.kill('SIGTERM');
  }
  for (const node of daemons) {
    const timer = setTimeout(() => node.process.kill('SIGKILL'), 15_000);
    await node.exited;
    clearTimeout(timer);
  }
}

function writeModel(dir) {
  fs.mkdirSync(dir, { recursive: true });
  // Random bytes, so nothing deduplicates and the whole size crosses the link.
  const fd = fs.openSync(path.join(dir, 'model.onnx'), 'w');
  const block = Buffer.alloc(1 << 20);
  for (let written = 0; written < MODEL_BYTES; written += block.length) {
    fs.writeSync(fd, randomFillSync(block));
  }
  fs.closeSync(fd);
  const spec = { format: 'onnx', task: 'object_detection', labels: ['helmet', 'head'],
                 metrics: { mAP: 0.81, latency_ms: 23 } };
  const specPath = path.join(path.dirname(dir), 'spec.json');
  fs.writeFileSync(specPath, JSON.stringify(spec));
  return specPath;
}

async function run() {
  const ca = path.join(root, 'ca');
  await cli(['cluster', 'init', ca, '--cluster-id', 'dashboard-e2e']);
  const a = await makeNode('node-a', 'cloud', ca);
  const b = await makeNode('node-b', 'edge', ca);
  const [portA, portB] = [await freePort(), await freePort()];
  await startNode(a, { httpPort: portA });
  const configB = path.join(root, 'node-b.toml');
  fs.writeFileSync(configB, `[network]\nhttp_token = "${TOKEN}"\n`);
  await startNode(b, { httpPort: portB, peers: [a.peerAddress], config: configB });

  browser = await chromium.launch({
    executablePath: opts.chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 30_000,
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  // Nothing but the page and its feed may be requested: the page is self-contained.
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));

  const url = `http://127.0.0.1:${portB}/?token=${encodeURIComponent(TOKEN)}`;
  const response = await page.goto(url, { timeout: 15_000 });
  if (!response.ok()) throw new Error(`GET / answered ${response.status()}`);
  await page.waitForSelector('body[data-connection="open"]', { timeout: 15_000 });
  await page.waitForSelector(`#node-fields [data-field="id"]:text-is("${b.id}")`, { timeout: 15_000 });
  await page.waitForSelector(`#peers-body tr[data-peer="${a.id}"][data-state="connected"]`, { timeout: 30_000 });
  log('page live: node B shown, node A connected');

  // Record every state and progress the transfer row shows while it exists, and the highest
  // receive rate node A's peer row shows.
  await page.evaluate(({ key, peer }) => {
    window.e2eTransferSeen = [];
    window.e2ePeerInMax = 0;
    const list = document.getElementById('transfers-list');
    new MutationObserver(() => {
      const li = list.querySelector(`li[data-key="${key}"]`);
      if (li) window.e2eTransferSeen.push(li.dataset.state + ':' + li.dataset.percent);
    }).observe(list, { childList: true, subtree: true, attributes: true });
    const peers = document.getElementById('peers-body');
    new MutationObserver(() => {
      const cell = peers.querySelector(`tr[data-peer="${peer}"] td[data-field="in_bps"]`);
      if (cell) window.e2ePeerInMax = Math.max(window.e2ePeerInMax, Number(cell.dataset.value || 0));
    }).observe(peers, { childList: true, subtree: true, attributes: true });
  }, { key: KEY, peer: a.id });

  const modelDir = path.join(root, 'model', 'export');
  const spec = writeModel(modelDir);
  const put = JSON.parse(await cli(['put', KEY, modelDir, '--spec', spec, '--json'], a.socket));
  const version = put.version;
  if (!version) throw new Error('put gave no version: ' + JSON.stringify(put));
  log(`put ${KEY} on node A: version ${version}`);

  const transfer = `#transfers-list li[data-key="${KEY}"][data-version="${version}"]`;
  await page.waitForSelector(transfer, { timeout: 30_000 });
  log('transfer shown');
  await page.waitForSelector(`${transfer}[data-state="done"]`, { timeout: 45_000 });
  const percent = await page.getAttribute(transfer, 'data-percent');
  if (percent !== '100.0') throw new Error(`finished transfer shows ${percent}%`);
  await page.waitForSelector(
      `#versions-body tr[data-key="${KEY}"][data-version="${version}"][data-origin="replicated"]`,
      { timeout: 15_000 });
  log('version shown as replicated');
  await page.waitForSelector(`#models-body tr[data-key="${KEY}"][data-task="object_detection"]`,
                             { timeout: 15_000 });
  for (const node of [a, b]) {
    await page.waitForSelector(`#fleet-body tr[data-key="${KEY}"] td[data-node="${node.id}"][data-versions~="${version}"]`,
                               { timeout: 15_000 });
  }
  log('catalog and fleet show the model on both nodes');

  // A deployment on node B appears in its table and reaches "healthy" with the version active.
  fs.mkdirSync(path.join(root, 'srv'));
  await cli(['deploy', 'add', 'e2e', '--key', KEY, '--dir', path.join(root, 'srv', 'helmet')], b.socket);
  await page.waitForSelector(`#deployments-body tr[data-name="e2e"][data-state="healthy"] td[title="${version}"]`,
                             { timeout: 30_000 });
  log('deployment shown healthy with the version active');

  // The fleet page: both nodes by their records, each holding the version, neither stale.
  for (const node of [a, b]) {
    await page.waitForSelector(`#nodes-body tr[data-node="${node.id}"][data-stale="false"] td[data-key="${KEY}"][data-versions~="${version}"]`,
                               { timeout: 30_000 });
  }
  log('fleet page shows both nodes by their records');

  // Once the link is idle, node A's row shows the current rate, 0, not the transfer's figure,
  // and a live last-seen: the feed measures rates over a 3 s window and a connected peer is
  // seen now.
  const peerRow = `#peers-body tr[data-peer="${a.id}"][data-state="connected"]`;
  // The transfer's bytes stay in the 3 s window for the feed's next samples, so a loaded machine
  // that finished the transfer between two samples still shows them; wait for that, bounded.
  await page.waitForFunction(() => window.e2ePeerInMax > 0, null, { timeout: 15_000 })
      .catch(() => { throw new Error(`node A's row never showed a receive rate for the transfer`); });
  const busiest = await page.evaluate(() => window.e2ePeerInMax);
  await page.waitForSelector(`${peerRow} td[data-field="in_bps"][data-value="0"]`, { timeout: 15_000 });
  await page.waitForSelector(`${peerRow} td[data-field="out_bps"][data-value="0"]`, { timeout: 15_000 });
  const lastSeen = await page.textContent(`${peerRow} td[data-field="last_seen"][data-live="true"]`);
  if (lastSeen !== 'now') throw new Error(`idle connected peer shows last seen '${lastSeen}'`);
  log(`idle peer row: rate 0 (it peaked at ${busiest} B/s), last seen ${lastSeen}`);

  // The page's word against the store's: node B really has the version.
  const shown = await cli(['show', KEY, '--json'], b.socket);
  if (!shown.includes(version)) throw new Error(`node B's show lacks ${version}`);

  // For the screenshot only: the node figures (sampled every 2 s) catch up with the new chunks.
  await page.waitForFunction(() => Number(document.querySelector(
      '#node-fields [data-field="chunks"]').dataset.value) > 0, null, { timeout: 6_000 })
      .catch(() => log('node figures still show no chunks'));

  const seen = await page.evaluate(() => window.e2eTransferSeen);
  log(`transfer states the page went through: ${[...new Set(seen)].join(' ') || '(done only)'}`);

  fs.mkdirSync(opts.out, { recursive: true });
  const shot = path.join(opts.out, 'dashboard_e2e.png');
  await page.screenshot({ path: shot, fullPage: true });
  log(`screenshot: ${shot}`);

  const foreign = requests.filter((u) => !u.startsWith(`http://127.0.0.1:${portB}/`) &&
                                         !u.startsWith(`ws://127.0.0.1:${portB}/`));
  if (foreign.length) throw new Error('the page requested other resources: ' + foreign.join(', '));
  if (pageErrors.length) throw new Error('the page reported errors: ' + pageErrors.join('; '));
}

function dumpLogs() {
  for (const node of daemons) {
    try {
      console.error(`---- log of ${node.name} (last 4 KiB)\n` + fs.readFileSync(node.log, 'utf8').slice(-4096));
    } catch { /* no log */ }
  }
}

const budget = setTimeout(() => {
  console.error(`dashboard_e2e: over the ${TEST_BUDGET_MS / 1000} s budget`);
  dumpLogs();
  for (const node of daemons) node.process.kill('SIGKILL');
  process.exit(1);
}, TEST_BUDGET_MS);

let failed = false;
try {
  await run();
  log('PASS');
} catch (e) {
  failed = true;
  console.error('dashboard_e2e: FAIL:', e.message);
  dumpLogs();
} finally {
  await stopAll();
  clearTimeout(budget);
  if (!failed) fs.rmSync(root, { recursive: true, force: true });
  else console.error(`dashboard_e2e: kept ${root} for inspection`);
}
process.exit(failed ? 1 : 0);
