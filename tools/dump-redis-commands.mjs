#!/usr/bin/env node
/*
 * Dumps what Redis 7.0.15 publishes about its commands (COMMAND DOCS and COMMAND INFO, over RESP3)
 * into src/commands/redis-commands.json, which COMMAND INFO / DOCS / GETKEYS serve from. This is
 * data about Redis's public API: summaries, arguments, history, tips and key specifications.
 * Arity, flags, first/last/step and ACL categories are not kept: strata's specs declare those
 * (the meta-test compares the result with redis-server).
 *
 *   node tools/dump-redis-commands.mjs [port]     (starts /usr/bin/redis-server on port, 7140 by default)
 */

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const port = Number(process.argv[2] ?? 7140);
const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/commands/redis-commands.json');

/** Parses one RESP3 value at buf[pos]: [value, next] or null when incomplete. Maps become [k, v] pair lists. */
function parse(buf, pos) {
  const lf = buf.indexOf(10, pos);
  if (lf < 0) return null;
  const t = String.fromCharCode(buf[pos]);
  const line = buf.toString('latin1', pos + 1, lf - 1);
  let next = lf + 1;
  switch (t) {
    case '+':
    case '(':
      return [line, next];
    case '-':
      throw new Error(line);
    case ':':
      return [Number(line), next];
    case '_':
      return [null, next];
    case '$':
    case '=': {
      const n = Number(line);
      if (n < 0) return [null, next];
      if (next + n + 2 > buf.length) return null;
      // A verbatim string starts with its 3-letter format and a colon.
      const from = t === '=' ? next + 4 : next;
      return [buf.toString('latin1', from, next + n), next + n + 2];
    }
    case '*':
    case '~':
    case '%': {
      const n = Number(line) * (t === '%' ? 2 : 1);
      const items = [];
      for (let i = 0; i < n; i++) {
        const r = parse(buf, next);
        if (r === null) return null;
        items.push(r[0]);
        next = r[1];
      }
      if (t !== '%') return [items, next];
      const pairs = [];
      for (let i = 0; i < n; i += 2) pairs.push([items[i], items[i + 1]]);
      return [{ pairs }, next];
    }
    default:
      throw new Error(`unexpected reply type ${t}`);
  }
}

function call(sock, state, ...argv) {
  let req = `*${argv.length}\r\n`;
  for (const a of argv) req += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  sock.write(req);
  return new Promise((resolve, reject) => {
    const tryParse = () => {
      try {
        const r = parse(state.buf, 0);
        if (r === null) return false;
        state.buf = state.buf.subarray(r[1]);
        resolve(r[0]);
      } catch (err) {
        reject(err);
      }
      return true;
    };
    if (!tryParse()) state.waiter = () => tryParse() && (state.waiter = null);
  });
}

/** A RESP3 map as an object, keys in reply order. */
const obj = (m) => Object.fromEntries(m.pairs.map(([k, v]) => [k, v]));

function convertArgs(list) {
  return list.map((m) => {
    const a = obj(m);
    if (a.arguments) a.arguments = convertArgs(a.arguments);
    return a;
  });
}

function convertDocs(m) {
  const d = obj(m);
  const docs = {};
  for (const [k, v] of Object.entries(d)) {
    if (k === 'subcommands') continue;
    docs[k] = k === 'arguments' ? convertArgs(v) : v;
  }
  return docs;
}

function convertKeySpec(m) {
  const s = obj(m);
  const spec = (x) => {
    const o = obj(x);
    return { type: o.type, spec: obj(o.spec) };
  };
  const ks = {};
  if (s.notes !== undefined) ks.notes = s.notes;
  ks.flags = s.flags;
  ks.begin_search = spec(s.begin_search);
  ks.find_keys = spec(s.find_keys);
  return ks;
}

async function main() {
  const proc = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let sock;
  for (let i = 0; i < 100 && !sock; i++) {
    await new Promise((r) => setTimeout(r, 50));
    sock = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(undefined));
    });
  }
  const state = { buf: Buffer.alloc(0), waiter: null };
  sock.on('data', (d) => {
    state.buf = Buffer.concat([state.buf, d]);
    state.waiter?.();
  });
  await call(sock, state, 'HELLO', '3');
  const info = await call(sock, state, 'INFO', 'server');
  const version = /redis_version:(\S+)/.exec(info)[1];
  const docsReply = await call(sock, state, 'COMMAND', 'DOCS');
  const infoReply = await call(sock, state, 'COMMAND', 'INFO');
  sock.destroy();
  proc.kill('SIGTERM');

  const commands = {};
  const addDocs = (name, m) => {
    commands[name] = { ...(commands[name] ?? {}), ...convertDocs(m) };
    const sub = obj(m).subcommands;
    if (sub) for (const [n, sm] of sub.pairs) addDocs(n, sm);
  };
  for (const [name, m] of docsReply.pairs) addDocs(name, m);
  const addInfo = (row) => {
    const [name, , flags, , , , , tips, keySpecs, subs] = row;
    const entry = (commands[name] ??= {});
    entry.tips = tips;
    entry.key_specs = keySpecs.map(convertKeySpec);
    if (flags.includes('movablekeys')) entry.movablekeys = true;
    for (const s of subs) addInfo(s);
  };
  for (const row of infoReply) addInfo(row);

  const sorted = Object.fromEntries(Object.keys(commands).sort().map((k) => [k, commands[k]]));
  writeFileSync(out, JSON.stringify({ redis_version: version, commands: sorted }, null, 1) + '\n');
  console.log(`${Object.keys(sorted).length} commands of Redis ${version} → ${out}`);
}

await main();
