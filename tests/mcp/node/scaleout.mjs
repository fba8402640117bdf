// scaleout.mjs: two `wasmgate serve --http` replicas of one workspace behind
// nginx round-robin, all on 127.0.0.1 (nginx runs in the foreground from a
// temp dir, with the server block of docs/deploy.md). 200 tool calls through nginx
// (100 from the SDK v1 client, legacy era; 100 from the v2 client, modern
// era, 8 at a time each) all succeed, both replicas serve some of them, and
// the shared history file holds 400 records (flock'ed appends).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import { check, equal, finish, history, makeWorkspace, removeWorkspace, sleep, startHttp, stop, track } from './lib.mjs';

const NGINX = process.env.WG_NGINX || 'nginx';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The server block of docs/deploy.md (the first ```nginx block), with its
 * ports replaced: the doc is what this test runs, so it cannot rot. */
function deployBlock(ports) {
  const doc = readFileSync(process.env.WG_DEPLOY_DOC, 'utf8');
  const m = /```nginx\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('docs/deploy.md has no nginx block');
  const block = m[1].replace('127.0.0.1:8081;', `127.0.0.1:${ports.a};`)
    .replace('127.0.0.1:8082;', `127.0.0.1:${ports.b};`)
    .replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${ports.nginx};`);
  for (const p of ['8080', '8081', '8082'])
    if (block.includes(`127.0.0.1:${p}`)) throw new Error(`deploy.md block: port ${p} left`);
  return block;
}

async function startNginx(ports) {
  const dir = mkdtempSync(join(tmpdir(), 'wg-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const port = await freePort();
  writeFileSync(join(dir, 'wasmgate.conf'), deployBlock({ ...ports, nginx: port }));
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  log_format upstream '$upstream_addr $status $http_mcp_method';
  access_log ${dir}/access.log upstream;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/wasmgate.conf;
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const proc = track(spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'inherit', 'inherit'] }));
  for (let i = 0; i < 200; i++) {
    // nginx is up once it accepts connections on its port.
    const up = await new Promise((resolve) => {
      fetch(`http://127.0.0.1:${port}/healthz`).then(() => resolve(true), () => resolve(false));
    });
    if (up) break;
    await sleep(25);
  }
  return { proc, port, dir, url: `http://127.0.0.1:${port}/mcp` };
}

async function calls(client, n, tag, v2) {
  const results = [];
  for (let i = 0; i < n; i += 8) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 8); j++)
      batch.push(client.callTool({ name: 'Echo', arguments: { tag, j } }).then(
        (r) => !r.isError && r.content[1].text === `{"j":${j},"tag":"${tag}"}`, () => false));
    results.push(...(await Promise.all(batch)));
  }
  return results.filter(Boolean).length;
}

const ws = makeWorkspace();
const a = await startHttp(ws);
const b = await startHttp(ws);
const nginx = await startNginx({ a: a.port, b: b.port });

const v1 = new ClientV1({ name: 'wg-scaleout-v1', version: '1.0.0' });
await v1.connect(new HttpV1(new URL(nginx.url)));
equal(await calls(v1, 100, 'v1'), 100, 'scale-out: 100 v1 (legacy) calls through nginx succeed');
await v1.close();

const v2 = new ClientV2({ name: 'wg-scaleout-v2', version: '1.0.0' },
  { versionNegotiation: { mode: { pin: '2026-07-28' } } });
await v2.connect(new HttpV2(new URL(nginx.url)));
equal(await calls(v2, 100, 'v2', true), 100, 'scale-out: 100 v2 (modern) calls through nginx succeed');
await v2.close();

nginx.proc.kill('SIGTERM');
await new Promise((r) => nginx.proc.on('exit', r));
const log = existsSync(join(nginx.dir, 'access.log')) ? readFileSync(join(nginx.dir, 'access.log'), 'utf8') : '';
const served = {};
for (const line of log.split('\n').filter(Boolean)) {
  const [addr] = line.split(' ');
  served[addr] = (served[addr] || 0) + 1;
}
check((served[`127.0.0.1:${a.port}`] || 0) > 0 && (served[`127.0.0.1:${b.port}`] || 0) > 0,
  'scale-out: both replicas served requests', served);
const modernCalls = log.split('\n').filter((l) => l.endsWith(' tools/call'));
const perReplica = new Set(modernCalls.map((l) => l.split(' ')[0]));
equal(perReplica.size, 2, 'scale-out: tools/call requests reached both replicas');

equal(await stop(a), 0, 'scale-out: replica A exits 0');
equal(await stop(b), 0, 'scale-out: replica B exits 0');
const recs = history(ws);
equal(recs.length, 400, 'scale-out: the shared history holds 400 records');
const ids = new Set(recs.filter((r) => r.kind === 'tool_result' && !r.is_error).map((r) => r.call_id));
equal(ids.size, 200, 'scale-out: 200 distinct successful calls recorded');
removeWorkspace(ws);
finish();
