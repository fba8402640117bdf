// inspector.mjs: the MCP Inspector CLI (@modelcontextprotocol/inspector
// 2.12.0, `--cli` mode) against `wasmgate serve`: tools/list and tools/call,
// over stdio (the Inspector spawns the server) and over Streamable HTTP.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { env, equal, finish, makeWorkspace, removeWorkspace, startHttp, stop, TOOL_NAMES } from './lib.mjs';

const require = createRequire(import.meta.url);
const launcher = join(dirname(require.resolve('@modelcontextprotocol/inspector/package.json')),
  'clients', 'launcher', 'build', 'index.js');
// The Inspector keeps a catalog in $HOME; give it an empty one.
const home = mkdtempSync(join(tmpdir(), 'wg-inspector-home-'));

function inspector(args) {
  const r = spawnSync(process.execPath, [launcher, '--cli', ...args], {
    encoding: 'utf8', env: { ...process.env, HOME: home }, timeout: 60000,
  });
  let json = null;
  for (const text of [r.stdout, r.stderr]) {
    try {
      json = JSON.parse(text);
      break;
    } catch {
      /* reported by the checks */
    }
  }
  return { status: r.status, json, stderr: r.stderr, stdout: r.stdout };
}

function checks(label, target) {
  let r = inspector([...target, '--method', 'tools/list']);
  equal(r.status, 0, `${label}: tools/list exits 0`);
  equal(r.json && r.json.tools.map((t) => t.name), TOOL_NAMES, `${label}: tools/list names`);
  r = inspector([...target, '--method', 'tools/call', '--tool-name', 'Echo', '--tool-arg', 'a=1',
    '--tool-arg', 'b=x']);
  equal(r.status, 0, `${label}: tools/call exits 0`);
  equal(r.json && r.json.content.map((c) => c.text), ['echo', '{"a":1,"b":"x"}'], `${label}: tools/call Echo`);
  r = inspector([...target, '--method', 'tools/call', '--tool-name', 'test_error_handling']);
  equal(r.json && [r.json.isError, r.json.structuredContent.code], [true, 'trap'],
    `${label}: a failing tool is isError with its code`);
  // The Inspector checks the name against tools/list itself (exit 5).
  r = inspector([...target, '--method', 'tools/call', '--tool-name', 'NoSuchTool']);
  equal([r.status, r.json && r.json.error && r.json.error.code], [5, 'tool_not_found'],
    `${label}: an unknown tool is refused`);
}

const ws = makeWorkspace();
checks('inspector stdio', [env.wasmgate, '--workspace', ws, 'serve', '--quiet']);
const server = await startHttp(ws);
checks('inspector http', ['--transport', 'http', '--server-url', server.url]);
equal(await stop(server), 0, 'inspector http: serve exits 0');
removeWorkspace(ws);
finish();
