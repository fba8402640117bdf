// lib.mjs: shared plumbing of the node tests of `wasmgate serve`: a fresh
// workspace (make_workspace.py), starting `serve --http` on 127.0.0.1 with
// an ephemeral port, reading the history, and a tiny assertion log that
// ends with the "N passed, M failed" line ctest reads.
//
// Environment (set by the ctest command): WG_WASMGATE, WG_EXAMPLES,
// WG_FIXTURES, WG_MAKE_WS (the workspace script), WG_PYTHON.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const env = {
  wasmgate: process.env.WG_WASMGATE,
  examples: process.env.WG_EXAMPLES,
  fixtures: process.env.WG_FIXTURES,
  makeWs: process.env.WG_MAKE_WS,
  python: process.env.WG_PYTHON || 'python3',
};

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`node ${process.versions.node} is too old: the MCP clients need node >= 20 (the v2 client requires it)`);
  process.exit(1);
}
for (const [k, v] of Object.entries(env)) {
  if (!v) {
    console.error(`missing environment: ${k}`);
    process.exit(1);
  }
}

let passed = 0;
let failed = 0;
export function check(cond, what, detail) {
  if (cond) {
    passed++;
    return true;
  }
  failed++;
  console.error(`FAIL: ${what}${detail !== undefined ? ': ' + JSON.stringify(detail) : ''}`);
  return false;
}
export function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  return check(a === e, what, a === e ? undefined : { actual, expected });
}
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

/** A fresh workspace; returns its directory. */
export function makeWorkspace(extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'wg-mcp-'));
  const ws = join(dir, 'ws');
  const r = spawnSync(env.python, [env.makeWs, env.wasmgate, env.examples, env.fixtures, ws, ...extra], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`make_workspace failed: ${r.stderr}`);
  return ws;
}

export function removeWorkspace(ws) {
  rmSync(join(ws, '..'), { recursive: true, force: true });
}

/** The history records of a workspace, parsed. */
export function history(ws) {
  const p = join(ws, '.wasmgate', 'history.jsonl');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// Servers this test started: killed when it exits, however it exits.
const children = new Set();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Kills proc when this test exits (nginx, other helpers). */
export function track(proc) {
  children.add(proc);
  return proc;
}

/** Starts `wasmgate serve --http 127.0.0.1:0`; resolves to {url, proc, port, stderr()}. */
export function startHttp(ws, extraArgs = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(env.wasmgate, ['--workspace', ws, 'serve', '--http', '127.0.0.1:0', ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(proc);
    let err = '';
    let out = '';
    let done = false;
    const timer = setTimeout(() => {
      if (!done) reject(new Error(`serve --http did not start: ${err}`));
    }, 20000);
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /on http:\/\/127\.0\.0\.1:(\d+)\/mcp/.exec(err);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({ proc, port, url: `http://127.0.0.1:${port}/mcp`, stderr: () => err, stdout: () => out });
      }
    });
    proc.on('exit', (code) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(new Error(`serve --http exited ${code}: ${err}`));
      }
    });
  });
}

/** Stops a server started by startHttp (SIGTERM) and resolves to its exit code. */
export function stop(server) {
  return new Promise((resolve) => {
    if (server.proc.exitCode !== null) return resolve(server.proc.exitCode);
    server.proc.on('exit', (code) => resolve(code));
    server.proc.kill('SIGTERM');
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns true or timeoutMs passes. */
export async function waitFor(fn, timeoutMs = 5000, stepMs = 5) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (fn()) return true;
    await sleep(stepMs);
  }
  return fn();
}

/** The expected tool names, in registry order. */
export const TOOL_NAMES = [
  'Echo', 'TextStats', 'JsonSum', 'test_simple_text', 'test_error_handling',
  'json_schema_2020_12_tool', 'Deadline', 'Writer', 'Fetcher',
];
