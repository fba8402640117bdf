// host_diff.js: cross-checks wg_pol_host_parse against Node's WHATWG URL
// parser (new URL) on a few hundred generated hosts.
// Usage: node host_diff.js HOST_PROBE
// For every host: if Node accepts it, we must either give the same canonical
// host (Node's hostname, trailing dots trimmed, brackets stripped: reference
// 7.4; then the IPv4 rule on the trimmed name) or refuse it for a documented reason (we are stricter, never looser):
// empty or over-long labels / hosts (host_invalid), IPv6 zone ids (zone_id),
// and names libidn2 refuses (idn, only for non-ASCII or xn-- input). If Node
// refuses it, we must refuse it too. Exit 1 on any other difference.
'use strict';
const { execFileSync } = require('child_process');

const pieces = ['a', 'example', 'EXAMPLE', 'Ex', 'com', 'xn--bcher-kva', 'xn--zz', 'bücher',
  'BÜCHER', 'faß', 'ς', 'straße', '0x7f', '0X7F', '127', '1', '0', '00', '08', '010', '0x',
  '0xg', '255', '256', '65535', '65536', '4294967295', '4294967296', '99999999999', '%41',
  '%2e', '%2E', '%00', '%', '%zz', '%C3%BC', '%ff', '-', '_', 'a-b', '-a', 'ｅｘａｍｐｌｅ',
  'a。b', 'a．b', 'a｡b', '\u00ad', 'a\u00adb', '\u200b', '☃', 'пример', '例え', 'ＡＢ',
  'localhost', 'LOCALHOST', '*', '!', '$', '&', "'", '(', ')', '+', ',', ';', '=', '~', '{',
  '}', '`', '"', '<', '>', '^', '|', 'a'.repeat(63), 'a'.repeat(64), 'x'.repeat(200)];
const v6 = ['::1', '::', '1:2:3:4:5:6:7:8', '1::8', '::ffff:1.2.3.4', '::FFFF:7F00:1',
  '2001:db8::1', 'fe80::1%25eth0', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::',
  '::ffff:1.2.3', '::ffff:01.2.3.4', '0:0:0:0:0:0:0:1', '2606:4700:0:0:0:0:0:1111', 'g::',
  '::1.2.3.4', ':1', '1:', '', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4'];

let seed = 12345; // xorshift32: deterministic, exact in JS integers
function rnd(n) {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed % n;
}

const hosts = new Set();
for (const p of pieces) hosts.add(p);
for (const v of v6) hosts.add('[' + v + ']');
for (let tries = 0; hosts.size < 700 && tries < 100000; tries++) {
  const k = 1 + rnd(4);
  const labels = [];
  for (let i = 0; i < k; i++) labels.push(pieces[rnd(pieces.length)]);
  let h = labels.join('.');
  const t = rnd(6);
  if (t === 0) h += '.';
  if (t === 1) h += '..';
  hosts.add(h);
}
const list = [...hosts].filter((h) => !/[\/?#@:\\\s]/.test(h.replace(/^\[.*\]$/, 'x')));

const out = execFileSync(process.argv[2], { input: list.join('\n') + '\n' }).toString()
  .split('\n');
let bad = 0, same = 0, stricter = 0, bothRefuse = 0;
list.forEach((h, i) => {
  const ours = out[i];
  let node = null;
  try {
    const u = new URL('https://' + h + '/');
    if (u.pathname === '/' && u.port === '' && u.username === '') node = u.hostname;
  } catch (e) {
    node = null;
  }
  if (node !== null) node = node.replace(/\.+$/, '').replace(/^\[(.*)\]$/, '$1');
  // Documented: all trailing dots are trimmed (reference 7.4) and the IPv4
  // rule is applied to what is left, so "127.." is 0.0.0.127, not a name
  // "127" (WHATWG removes one empty label before its ends-in-a-number test).
  if (node && /(^|\.)(\d+|0[xX][0-9a-fA-F]*)$/.test(node) && !node.includes(':')) {
    try {
      node = new URL('https://' + node + '/').hostname;
    } catch (e) {
      node = null;
    }
  }
  const nonAscii = /[^\x00-\x7f]/.test(decodeURIComponent(h.replace(/%(?![0-9a-fA-F]{2})/g, '%25')
    .replace(/%(ff|FF|00)/g, ''))) || /(^|\.)xn--/i.test(h);
  if (node === null || node === '') {
    if (ours.startsWith('ok ')) {
      bad++;
      console.log(`LOOSER ${JSON.stringify(h)}: ours ${ours}, node refuses`);
    } else {
      bothRefuse++;
    }
    return;
  }
  if (ours === 'ok ' + node) {
    same++;
    return;
  }
  const rule = ours.startsWith('fail ') ? ours.slice(5) : null;
  const labels = node.split('.');
  const why =
    (rule === 'host_invalid' && (labels.some((l) => l === '' || l.length > 63) ||
                                 node.length > 253)) ||
    (rule === 'zone_id') || (rule === 'idn' && nonAscii);
  if (why) {
    stricter++;
    return;
  }
  bad++;
  console.log(`DIFF ${JSON.stringify(h)}: ours ${ours}, node ok ${node}`);
});
console.log(`${list.length} hosts: ${same} same, ${bothRefuse} refused by both, ` +
            `${stricter} refused by us only (documented), ${bad} differences`);
process.exit(bad ? 1 : 0);
