// sdk_v1.mjs: the official TypeScript SDK v1 client (@modelcontextprotocol/sdk
// 1.32.2, the 2025 legacy era: initialize) against `wasmgate serve` over
// stdio and over Streamable HTTP.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { env, equal, finish, makeWorkspace, removeWorkspace, startHttp, stop } from './lib.mjs';
import { runSuite } from './suite.mjs';

async function stdio() {
  const ws = makeWorkspace();
  const client = new Client({ name: 'wg-test-v1', version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: env.wasmgate, args: ['--workspace', ws, 'serve', '--quiet'], stderr: 'inherit',
  });
  await client.connect(transport);
  equal(client.getServerVersion(), { name: 'wasmgate', version: client.getServerVersion().version },
    'v1 stdio: serverInfo name');
  await runSuite('v1 stdio', client, ws, { expectEra: 'legacy' });
  await client.close();
  removeWorkspace(ws);
}

async function http() {
  const ws = makeWorkspace();
  const server = await startHttp(ws);
  const client = new Client({ name: 'wg-test-v1', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(server.url));
  await client.connect(transport);
  equal(typeof transport.sessionId, 'string', 'v1 http: a session id was minted');
  await runSuite('v1 http', client, ws, { expectEra: 'legacy' });
  await client.close();
  equal(await stop(server), 0, 'v1 http: serve exits 0 on SIGTERM');
  equal(server.stdout(), '', 'v1 http: nothing on stdout');
  removeWorkspace(ws);
}

await stdio();
await http();
finish();
