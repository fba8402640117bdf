// conformance.mjs: the official MCP conformance suite
// (@modelcontextprotocol/conformance 0.1.16) against `wasmgate serve --http`:
// every server scenario, with the ones that do not apply to a tools-only
// server in conformance-baseline.yml. Asserts the suite's own verdict and
// each applicable scenario's line in its summary (tests/mcp/CONFORMANCE.md
// records the results).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, equal, finish, makeWorkspace, removeWorkspace, startHttp, stop } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const suite = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');

// Scenario -> checks passed, as recorded in CONFORMANCE.md.
const APPLICABLE = {
  'server-initialize': 1,
  ping: 1,
  'tools-list': 1,
  'tools-call-simple-text': 1,
  'tools-call-error': 1,
  'json-schema-2020-12': 4,
  'server-sse-polling': 0,
  'server-sse-multiple-streams': 1,
  'dns-rebinding-protection': 2,
};

const ws = makeWorkspace();
const server = await startHttp(ws);
const cwd = mkdtempSync(join(tmpdir(), 'wg-conformance-'));
// The suite's dns-rebinding scenario needs a localhost URL.
const url = server.url.replace('127.0.0.1', 'localhost');
const r = spawnSync(process.execPath, [suite, 'server', '--url', url, '--suite', 'all',
  '--expected-failures', join(here, 'conformance-baseline.yml')], { encoding: 'utf8', cwd, timeout: 600000 });
const out = r.stdout + r.stderr;
const summary = out.slice(out.indexOf('=== SUMMARY ==='));
console.log(summary.trim());
equal(r.status, 0, 'conformance: the suite passes against the baseline');
for (const [name, n] of Object.entries(APPLICABLE)) {
  const m = new RegExp(`^(.) ${name}: (\\d+) passed, (\\d+) failed`, 'm').exec(summary);
  check(m && m[1] === '✓' && Number(m[2]) === n && m[3] === '0', `conformance: ${name} passes (${n} checks)`,
    m ? m[0] : 'missing');
}
equal(await stop(server), 0, 'conformance: serve exits 0');
removeWorkspace(ws);
finish();
