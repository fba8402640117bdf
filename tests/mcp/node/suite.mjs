// suite.mjs: the checks every official client runs against `wasmgate serve`
// (the SDK v1 client in the legacy era, the v2 client in the modern era, on
// stdio and Streamable HTTP): list the tools, call each example tool, a
// failing call, a schema mismatch, an unknown tool, cancel a long call, 50
// concurrent calls; and the history records they leave.
import { check, equal, history, waitFor, TOOL_NAMES } from './lib.mjs';

function texts(result) {
  return (result.content || []).map((c) => (c.type === 'text' ? c.text : `<${c.type}>`));
}

/** label: e.g. "v1 stdio"; ws: the server's workspace. */
export async function runSuite(label, client, ws, { expectEra, v2 }) {
  const t = (s) => `${label}: ${s}`;
  const before = history(ws).length;

  // tools/list: every tool, registry order, annotations from the manifest.
  const list = await client.listTools();
  equal(list.tools.map((x) => x.name), TOOL_NAMES, t('tools/list names in registry order'));
  const byName = Object.fromEntries(list.tools.map((x) => [x.name, x]));
  equal(byName.Echo.title, 'Echo', t('title'));
  equal(byName.Echo.description, 'Echo the arguments back as the content', t('description'));
  equal(byName.TextStats.inputSchema.required, ['text'], t('inputSchema is the manifest schema'));
  equal(byName.Echo.annotations, { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    t('Echo annotations'));
  equal(byName.Writer.annotations, { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
    t('Writer (external_write, plugin granted https) annotations'));
  equal(byName.Fetcher.annotations, { readOnlyHint: true, destructiveHint: false, openWorldHint: true },
    t('Fetcher (https granted) annotations'));
  equal(byName.json_schema_2020_12_tool.inputSchema.$defs.address.type, 'object',
    t('2020-12 $defs preserved'));
  if (expectEra === 'modern') {
    equal(list.ttlMs, 60000, t('tools/list ttlMs'));
    equal(list.cacheScope, 'public', t('tools/list cacheScope'));
  }

  // Each example tool.
  let r = await client.callTool({ name: 'Echo', arguments: { b: [1, 2], a: 'x' } });
  equal([r.isError, texts(r)], [false, ['echo', '{"a":"x","b":[1,2]}']], t('Echo'));
  r = await client.callTool({ name: 'TextStats', arguments: { text: 'one two\nthree' } });
  equal(r.isError, false, t('TextStats succeeds'));
  check(texts(r)[0].length > 0, t('TextStats has a summary'), texts(r));
  r = await client.callTool({ name: 'JsonSum', arguments: { numbers: [1, 2, 3.5] } });
  equal(r.isError, false, t('JsonSum succeeds'));
  check(texts(r).join(' ').includes('6.5'), t('JsonSum sums to 6.5'), texts(r));
  r = await client.callTool({ name: 'test_simple_text', arguments: {} });
  equal(texts(r), ['This is a simple text response for testing.'], t('test_simple_text'));

  // A failing call: a tool error, not a protocol error.
  r = await client.callTool({ name: 'test_error_handling', arguments: {} });
  equal(r.isError, true, t('failing call isError'));
  equal(r.structuredContent && r.structuredContent.code, 'trap', t('failing call code'));
  check(texts(r)[0].startsWith('Execution failed: plugin WASM tool `test_error_handling`'),
    t('failing call text is yoi\'s'), texts(r));

  // Arguments that fail the schema: a tool error the model can correct.
  r = await client.callTool({ name: 'Fetcher', arguments: { n: 'seven' } });
  equal([r.isError, r.structuredContent && r.structuredContent.code], [true, 'schema_mismatch'],
    t('schema mismatch is a tool error'));

  // An unknown tool: JSON-RPC -32602.
  let err = null;
  try {
    await client.callTool({ name: 'NoSuchTool', arguments: {} });
  } catch (e) {
    err = e;
  }
  equal(err && err.code, -32602, t('unknown tool is -32602'));
  check(err && /Unknown tool: NoSuchTool/.test(err.message), t('unknown tool message'), err && err.message);

  // Cancel a long call: the Deadline tool spins until the 5 s deadline.
  const ac = new AbortController();
  const t0 = Date.now();
  // v1: callTool(params, resultSchema, options); v2: callTool(params, options).
  const opts = { signal: ac.signal, timeout: 60000 };
  const params = { name: 'Deadline', arguments: { why: label } };
  const pending = v2 ? client.callTool(params, opts) : client.callTool(params, undefined, opts);
  setTimeout(() => ac.abort('test cancels'), 300);
  let aborted = false;
  try {
    await pending;
  } catch {
    aborted = true;
  }
  check(aborted, t('aborted call rejects locally'));
  const cancelled = await waitFor(() => history(ws).some((rec) => rec.kind === 'tool_result' &&
    rec.error && rec.error.code === 'cancelled' &&
    history(ws).some((c) => c.kind === 'tool_call' && c.call_id === rec.call_id &&
      c.arguments && c.arguments.why === label)), 4000);
  check(cancelled, t('the server cancelled the call (history says cancelled)'));
  check(Date.now() - t0 < 4500, t('cancelled well before the 5 s deadline'), Date.now() - t0);

  // 50 concurrent calls.
  const calls = [];
  for (let i = 0; i < 50; i++) calls.push(client.callTool({ name: 'Echo', arguments: { i } }));
  const results = await Promise.all(calls);
  check(results.every((x, i) => !x.isError && texts(x)[1] === `{"i":${i}}`), t('50 concurrent calls'));

  // History: a tool_call and a tool_result per call made above (4 example tools,
  // 1 failure, 1 mismatch, 1 cancel, 50 concurrent; not the unknown tool).
  await waitFor(() => history(ws).length - before >= 2 * 57, 3000);
  const recs = history(ws).slice(before);
  equal(recs.filter((x) => x.kind === 'tool_call').length, 57, t('57 tool_call records'));
  equal(recs.filter((x) => x.kind === 'tool_result').length, 57, t('57 tool_result records'));
}
