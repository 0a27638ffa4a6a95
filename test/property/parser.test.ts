/*
 * RequestParser properties: any stream of requests (multibulk with binary payloads, inline with
 * quotes and \x escapes, blank lines, *0, *-1) parses to the same argv sequence however it is cut
 * into chunks; a protocol error is reported the same way whole or split.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RequestParser } from '../../src/protocol/parser.js';
import { encodeCommand } from '../helpers/resp.js';

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a).toString('latin1'));

/** A request as bytes on the wire and the argv it must yield ([] for requests that run nothing). */
interface Frame {
  wire: string;
  argv: string[];
}

/** Payloads above 32 KiB take the parser's big-bulk path. */
const bigPayload = fc.tuple(fc.integer({ min: 32 * 1024 - 4, max: 70_000 }), bytes(8)).map(([n, fill]) => (fill + 'z').repeat(n).slice(0, n));
const multibulk: fc.Arbitrary<Frame> = fc
  .array(fc.oneof({ weight: 20, arbitrary: bytes(40) }, { weight: 1, arbitrary: bigPayload }), { minLength: 1, maxLength: 6 })
  .map((argv) => ({ wire: encodeCommand(argv).toString('latin1'), argv }));

/** A word that needs no quoting: no whitespace, quotes or NUL; no leading '*' (that starts a multibulk). */
const bareWord = fc.stringMatching(/^[A-Za-z0-9_:.\-+$@!?][A-Za-z0-9_:.\-+*$@!?]{0,11}$/);
/** Any bytes, written as a double-quoted word of \xHH escapes. */
const hexQuoted = bytes(12).map((s) => ({
  text: '"' + [...s].map((ch) => '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0')).join('') + '"',
  value: s,
}));
/** Double-quoted text with the named escapes sdssplitargs knows. */
const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07', '\\': '\\', '"': '"' };
const escapedQuoted = fc.array(fc.oneof(fc.constantFrom(...Object.keys(escapes)).map((e) => ({ text: '\\' + e, value: escapes[e] })), bareWord.map((w) => ({ text: w, value: w }))), { maxLength: 4 }).map((parts) => ({
  text: '"' + parts.map((p) => p.text).join('') + '"',
  value: parts.map((p) => p.value).join(''),
}));
const singleQuoted = fc.array(fc.oneof(bareWord, fc.constant("\\'"), fc.constant(' ')), { maxLength: 4 }).map((parts) => ({
  text: "'" + parts.join('') + "'",
  value: parts.map((p) => (p === "\\'" ? "'" : p)).join(''),
}));
const inlineWord = fc.oneof(
  { weight: 4, arbitrary: bareWord.map((w) => ({ text: w, value: w })) },
  { weight: 2, arbitrary: hexQuoted },
  { weight: 1, arbitrary: escapedQuoted },
  { weight: 1, arbitrary: singleQuoted },
);
const inline: fc.Arbitrary<Frame> = fc
  .tuple(fc.array(inlineWord, { minLength: 1, maxLength: 5 }), fc.constantFrom(' ', '  ', '\t'), fc.constantFrom('\r\n', '\n'))
  .map(([words, sep, eol]) => ({ wire: words.map((w) => w.text).join(sep) + eol, argv: words.map((w) => w.value) }));

/** Requests that run nothing. */
const empty: fc.Arbitrary<Frame> = fc.constantFrom('\r\n', '\n', '   \r\n', '*0\r\n', '*-1\r\n', '*-7\r\n').map((wire) => ({ wire, argv: [] }));

const stream = fc.array(fc.oneof({ weight: 5, arbitrary: multibulk }, { weight: 3, arbitrary: inline }, { weight: 1, arbitrary: empty }), {
  minLength: 1,
  maxLength: 25,
});

/** Cuts `wire` at the given points (taken modulo its length) into chunks. */
function cut(wire: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (wire.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of [...at, wire.length]) {
    if (p > prev) chunks.push(wire.subarray(prev, p));
    prev = Math.max(prev, p);
  }
  return chunks;
}

/** Feeds the chunks one by one, draining requests after each, as the server does. */
function parseChunks(chunks: Buffer[], setup?: (p: RequestParser) => void): { argvs: string[][]; error: string | null } {
  const p = new RequestParser();
  setup?.(p);
  const argvs: string[][] = [];
  for (const chunk of chunks) {
    // The server hands over socket chunks it no longer touches; copy so nothing aliases.
    p.feed(Buffer.from(chunk));
    let argv: string[] | null;
    while ((argv = p.next()) !== null) argvs.push(argv);
    if (p.error !== null) break;
  }
  return { argvs, error: p.error };
}

describe('RequestParser', () => {
  it('parses a stream of requests identically whole and split at random points', () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 30 }), (frames, points) => {
        const wire = Buffer.from(frames.map((f) => f.wire).join(''), 'latin1');
        const expected = frames.map((f) => f.argv).filter((a) => a.length > 0);
        const whole = parseChunks([wire]);
        expect(whole).toEqual({ argvs: expected, error: null });
        expect(parseChunks(cut(wire, points))).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('parses a stream fed one byte at a time', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(multibulk.filter((f) => f.wire.length < 2000), inline, empty), { maxLength: 8 }), (frames) => {
        const wire = Buffer.from(frames.map((f) => f.wire).join(''), 'latin1');
        const bytewise = [...wire].map((b) => Buffer.from([b]));
        expect(parseChunks(bytewise).argvs).toEqual(frames.map((f) => f.argv).filter((a) => a.length > 0));
      }),
      { numRuns: 100 },
    );
  });

  it('yields the requests before a protocol error, then the same error, whole or split', () => {
    const garbage = fc.constantFrom(
      '*abc\r\n',
      '*1\r\n$abc\r\n',
      '*1\r\n$-1\r\n',
      '*2\r\nx3\r\nfoo\r\n',
      '*1\r\n:1\r\n',
      'SET "unbalanced\r\n',
      "GET 'x\r\n",
      'GET "a"b\r\n',
      '*01\r\n',
      '*-0\r\n',
      '*3000000000\r\n',
    );
    fc.assert(
      fc.property(stream, garbage, fc.array(fc.nat(), { maxLength: 10 }), (frames, bad, points) => {
        const wire = Buffer.from(frames.map((f) => f.wire).join('') + bad, 'latin1');
        const whole = parseChunks([wire]);
        expect(whole.argvs).toEqual(frames.map((f) => f.argv).filter((a) => a.length > 0));
        expect(whole.error).toMatch(/^ERR Protocol error: /);
        expect(parseChunks(cut(wire, points))).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('applies the unauthenticated limits only while authentication is required', () => {
    const unauth = (p: RequestParser) => (p.authRequired = true);
    expect(parseChunks([Buffer.from('*11\r\n')], unauth).error).toBe('ERR Protocol error: unauthenticated multibulk length');
    expect(parseChunks([Buffer.from('*1\r\n$16385\r\n')], unauth).error).toBe('ERR Protocol error: unauthenticated bulk length');
    expect(parseChunks([encodeCommand(['ECHO', 'x'.repeat(16384)])], unauth)).toEqual({ argvs: [['ECHO', 'x'.repeat(16384)]], error: null });
    expect(parseChunks([Buffer.from('*11\r\n')]).error).toBeNull();
    expect(parseChunks([Buffer.from('*1\r\n$16385\r\n')]).error).toBeNull();
  });

  it('refuses bulk lengths above proto-max-bulk-len', () => {
    const small = (p: RequestParser) => (p.maxBulkLen = 100);
    expect(parseChunks([encodeCommand(['x'.repeat(100)])], small)).toEqual({ argvs: [['x'.repeat(100)]], error: null });
    expect(parseChunks([Buffer.from('*1\r\n$101\r\n')], small).error).toBe('ERR Protocol error: invalid bulk length');
  });

  it('frames headers at the first CR, taking the next byte as the LF unchecked, as Redis does', () => {
    expect(parseChunks([Buffer.from('*1\rx$4\ryPING\r\n')]).argvs).toEqual([['PING']]);
    expect(parseChunks([Buffer.from('*1\nPING\r\n')]).error).toBe('ERR Protocol error: invalid multibulk length');
  });

  it('leaves an inline request with a NUL byte before its newline incomplete, as strchr does', () => {
    const r = parseChunks([Buffer.from('ECHO a\0b\r\nPING\r\n', 'latin1'), Buffer.alloc(70_000, 'x')]);
    expect(r).toEqual({ argvs: [], error: 'ERR Protocol error: too big inline request' });
  });

  it('limits lines still waiting for their end to 64 KiB, and longer ones in one burst to Redis horizon', () => {
    const waiting = parseChunks([Buffer.from('*' + '1'.repeat(65536)), Buffer.from('1')]);
    expect(waiting.error).toBe('ERR Protocol error: too big mbulk count string');
    expect(parseChunks([Buffer.from('*' + '1'.repeat(65535))]).error).toBeNull();
    expect(parseChunks([Buffer.from('ECHO ' + 'a'.repeat(70_000) + '\r\n')]).argvs).toEqual([['ECHO', 'a'.repeat(70_000)]]);
    expect(parseChunks([Buffer.from('ECHO ' + 'a'.repeat(100_000) + '\r\n')]).error).toBe('ERR Protocol error: too big inline request');
    expect(parseChunks([Buffer.from('*1\r\n$' + '1'.repeat(100_000) + '\r\n')]).error).toBe('ERR Protocol error: too big bulk count string');
  });
});
