// sdk_v2.mjs: the official TypeScript SDK v2 client (@modelcontextprotocol/client
// 2.4.0, the 2026-07-28 line) pinned to the modern era (server/discover, no
// initialize, _meta on every request) against `wasmgate serve` over stdio
// and Streamable HTTP; then the same client in 'auto' mode, which must
// find the modern era by itself.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { env, equal, finish, makeWorkspace, removeWorkspace, startHttp, stop } from './lib.mjs';
import { runSuite } from './suite.mjs';

const pinned = { versionNegotiation: { mode: { pin: '2026-07-28' } } };

function checkModern(label, client) {
  equal(client.getProtocolEra(), 'modern', `${label}: modern era`);
  const d = client.getDiscoverResult();
  equal(d && d.supportedVersions && d.supportedVersions[0], '2026-07-28', `${label}: server/discover versions`);
  equal(d && d.capabilities, { tools: { listChanged: false } }, `${label}: capabilities`);
}

async function stdio() {
  const ws = makeWorkspace();
  const client = new Client({ name: 'wg-test-v2', version: '1.0.0' }, pinned);
  await client.connect(new StdioClientTransport({
    command: env.wasmgate, args: ['--workspace', ws, 'serve', '--quiet'], stderr: 'inherit',
  }));
  checkModern('v2 stdio', client);
  await runSuite('v2 stdio', client, ws, { expectEra: 'modern', v2: true });
  await client.close();
  const auto = new Client({ name: 'wg-test-v2-auto', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } });
  await auto.connect(new StdioClientTransport({
    command: env.wasmgate, args: ['--workspace', ws, 'serve', '--quiet'], stderr: 'inherit',
  }));
  equal(auto.getProtocolEra(), 'modern', 'v2 stdio auto: finds the modern era');
  await auto.close();
  removeWorkspace(ws);
}

async function http() {
  const ws = makeWorkspace();
  const server = await startHttp(ws);
  const client = new Client({ name: 'wg-test-v2', version: '1.0.0' }, pinned);
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  checkModern('v2 http', client);
  await runSuite('v2 http', client, ws, { expectEra: 'modern', v2: true });
  await client.close();
  const auto = new Client({ name: 'wg-test-v2-auto', version: '1.0.0' },
    { versionNegotiation: { mode: 'auto' } });
  await auto.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  equal(auto.getProtocolEra(), 'modern', 'v2 http auto: finds the modern era');
  await auto.close();
  // The v2 client in its default (legacy) mode: the 2025 handshake.
  const legacy = new Client({ name: 'wg-test-v2-legacy', version: '1.0.0' });
  await legacy.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  equal(legacy.getProtocolEra(), 'legacy', 'v2 http default mode: legacy era');
  const r = await legacy.callTool({ name: 'Echo', arguments: { z: 1 } });
  equal(r.content.map((c) => c.text), ['echo', '{"z":1}'], 'v2 http legacy: Echo');
  await legacy.close();
  equal(await stop(server), 0, 'v2 http: serve exits 0 on SIGTERM');
  equal(server.stdout(), '', 'v2 http: nothing on stdout');
  removeWorkspace(ws);
}

await stdio();
await http();
finish();
