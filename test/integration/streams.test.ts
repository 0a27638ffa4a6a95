import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DifferentialPair, formatMismatch } from '../helpers/differential.js';
import { parseResp, serializeResp, textOf, type RespNode } from '../helpers/resp-tree.js';

/**
 * Stream commands against redis-server 7.0.15: the same sequences (explicit ids, so that time does
 * not decide them) on both servers, replies compared byte for byte in RESP2 and RESP3. Wall-clock
 * values (delivery times, seen-time, idle) are masked; everything else is exact, including the
 * node layout XINFO reports (radix-tree-keys / -nodes).
 */

let pair: DifferentialPair;

beforeAll(async () => {
  pair = await DifferentialPair.start({ args: ['--enable-debug-command', 'yes'] });
});

afterAll(async () => {
  await pair.stop();
});

beforeEach(async () => {
  await pair.flushAll();
});

/** Masks the integers of a node (recursively) that are times. */
function maskNode(n: RespNode): void {
  if (n.head[0] === ':') n.head = ':T\r\n';
  for (const ch of n.children) maskNode(ch);
}

/** The node following a bulk key `name` in a map (or RESP2 flat array). */
function maskAfterKeys(n: RespNode, names: ReadonlySet<string>, pelTimeAt: Map<string, number>): void {
  const kids = n.children;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i];
    if ((k.head[0] === '$' || k.head[0] === '+') && i + 1 < kids.length && k.children.length === 0) {
      const t = textOf(k);
      if (names.has(t)) maskNode(kids[i + 1]);
      const at = pelTimeAt.get(t);
      if (at !== undefined) for (const entry of kids[i + 1].children) if (entry.children[at] !== undefined) maskNode(entry.children[at]);
    }
    maskAfterKeys(k, names, pelTimeAt);
  }
}

/** Wall-clock values out: seen-time, idle, PEL delivery times and XPENDING idle times. */
function maskTimes(reply: string, argv: readonly string[]): string {
  if (reply[0] === '-' || reply[0] === '+' || reply[0] === ':' || reply[0] === '$' || reply[0] === '_') return reply;
  const name = argv[0].toUpperCase();
  const tree = parseResp(reply);
  if (name === 'XINFO') {
    maskAfterKeys(tree, new Set(['seen-time', 'idle']), new Map([['pending', -1]]));
    // Group PEL entries are [id, consumer, time, count], consumer PEL entries [id, time, count].
    const fix = (n: RespNode): void => {
      const kids = n.children;
      for (let i = 0; i + 1 < kids.length; i++) {
        if (kids[i].children.length === 0 && kids[i].head[0] === '$' && textOf(kids[i]) === 'pending') {
          for (const e of kids[i + 1].children) {
            if (e.children.length === 4) maskNode(e.children[2]);
            if (e.children.length === 3) maskNode(e.children[1]);
          }
        }
        fix(kids[i]);
      }
      if (kids.length > 0) fix(kids[kids.length - 1]);
    };
    fix(tree);
  } else if (name === 'XPENDING' && argv.length > 3) {
    for (const e of tree.children) if (e.children.length === 4) maskNode(e.children[2]);
  }
  return serializeResp(tree);
}

async function same(requests: string[][]): Promise<void> {
  for (const resp of ['2', '3']) {
    await pair.flushAll();
    await pair.exchange([['HELLO', resp]]);
    const m = await pair.compare(requests, { normalize: maskTimes });
    if (m !== null) expect.fail(`RESP${resp}: ${formatMismatch(m)}`);
  }
}

const cmd = (line: string): string[] => line.split(' ');
const lines = (...ls: string[]): string[][] => ls.map(cmd);

describe('XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM', () => {
  it('XADD ids (explicit, <ms>-*, too small, 0-0) and its errors', async () => {
    await same([
      ...lines('XADD s 1-1 a 1 b 2', 'XADD s 1-1 a 1', 'XADD s 0-0 a 1', 'XADD s 1-* a 3', 'XADD s 2 a 3 b 4', 'XADD s 2-* c 1'),
      ...lines('XADD s 5-18446744073709551615 x y', 'XADD s 5-* x y', 'XADD s 18446744073709551615-18446744073709551615 z z', 'XADD s 7 z z', 'XADD s 1-* z z'),
      ...lines('XADD s2 NOMKSTREAM 1-1 a b', 'EXISTS s2', 'XADD s x', 'XADD s 7 a', 'XADD s 9 a b c', 'XADD s - a b', 'XADD s + a b', 'XADD s 1-x a b'),
      ...lines('XADD t 0-* a b', 'XADD t 0-* a b', 'XADD t 10-* a b', 'XRANGE t - +', 'XLEN t', 'XLEN nokey'),
      ['XADD', 'u', ' 7', 'a', 'b'],
      ['XADD', 'u', '+8-+1', 'a', 'b'],
      ['XADD', 'u', '009-01', 'a', 'b'],
      ['XADD', 'u', '10-\u0000x', 'a', 'b'],
      ['XADD', 'u', '11\u0000-5', 'a', 'b'],
      ['XADD', 'u', '12--05', 'a', 'b'],
      ['XADD', 'u', '13-18446744073709551616', 'a', 'b'],
      ['XADD', 'u', '1'.repeat(128), 'a', 'b'],
      ['XADD', 'u', '\u0000\u00ff-1', '\u0000', '\u00ff'],
      ['XRANGE', 'u', '-', '+'],
      ['SET', 'str', 'x'],
      ['XADD', 'str', '1', 'a', 'b'],
      ['XLEN', 'str'],
      ['XRANGE', 'str', '-', '+'],
    ]);
  });

  it('XADD trimming: MAXLEN and MINID, = and ~, LIMIT, and their errors', async () => {
    await same([
      ...lines('XADD s MAXLEN 2 1 a 1', 'XADD s MAXLEN 2 2 a 2', 'XADD s MAXLEN = 2 3 a 3', 'XRANGE s - +'),
      ...lines('XADD s MINID 3 4 a 4', 'XADD s MINID = 4-1 5 a 5', 'XRANGE s - +', 'XINFO STREAM s'),
      ...lines('XADD s MAXLEN ~ 1 6 a 6', 'XADD s MINID ~ 6 7 a 7', 'XADD s MAXLEN ~ 1 LIMIT 10 8 a 8', 'XADD s LIMIT 10 MAXLEN ~ 1 9 a 9'),
      ...lines('XADD s LIMIT 5 10 a b', 'XADD s LIMIT 0 10 a b', 'XADD s MAXLEN 1 LIMIT 5 11 a b', 'XADD s MAXLEN 1 MINID 1 12 a b'),
      ...lines('XADD s MAXLEN -1 13 a b', 'XADD s MAXLEN x 13 a b', 'XADD s LIMIT -1 MAXLEN ~ 1 13 a b', 'XADD s MINID - 13 a b', 'XADD s MINID ~ x 13 a b'),
      ...lines('XADD s MAXLEN 14 a b', 'XADD s MAXLEN', 'XADD s NOMKSTREAM MAXLEN 0 15 a b', 'XLEN s', 'XINFO STREAM s FULL'),
    ]);
  });

  it('approximate trimming removes whole nodes only, as the node layout decides', async () => {
    const seq: string[][] = [['CONFIG', 'SET', 'stream-node-max-entries', '4']];
    for (let i = 1; i <= 30; i++) seq.push(['XADD', 's', String(i), 'f', String(i), ...(i % 7 === 0 ? ['g', 'x'] : [])]);
    seq.push(...lines('XINFO STREAM s', 'XTRIM s MAXLEN ~ 21', 'XINFO STREAM s', 'XTRIM s MINID ~ 15', 'XINFO STREAM s', 'XTRIM s MAXLEN ~ 0 LIMIT 4'));
    seq.push(...lines('XINFO STREAM s', 'XTRIM s MAXLEN ~ 0 LIMIT 3', 'XTRIM s MAXLEN = 5', 'XINFO STREAM s FULL', 'XTRIM s MINID 28', 'XINFO STREAM s FULL'));
    seq.push(...lines('XTRIM s MINID ~ 0', 'XTRIM s', 'XTRIM s LIMIT 1 MAXLEN 1', 'XTRIM s MAXLEN 1 MINID 1', 'XTRIM s FOO 1', 'XTRIM nokey MAXLEN 0', 'XTRIM s MAXLEN 0', 'XINFO STREAM s FULL'));
    seq.push(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
    await same(seq);
  });

  it('nodes close at stream-node-max-bytes, sized as listpacks', async () => {
    const seq: string[][] = [['CONFIG', 'SET', 'stream-node-max-bytes', '300']];
    const values = ['1', '127', '128', '-1', '4095', '4096', '-32768', '8388607', '2147483648', '9223372036854775807', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(100), '007', '-0'];
    let id = 1;
    for (const v of values) for (let r = 0; r < 3; r++) seq.push(['XADD', 's', `${id++}-${r * 1000}`, r === 2 ? 'other' : 'f', v]);
    seq.push(['XADD', 's', '1000000000000-5', 'f', 'v']);
    seq.push(['XADD', 's', '1000000000000-9000000000000000000', 'f', 'v']);
    seq.push(['XADD', 's', '18446744073709551615-0', 'f', 'v']);
    seq.push(...lines('XINFO STREAM s', 'XTRIM s MAXLEN ~ 10', 'XINFO STREAM s'));
    seq.push(['CONFIG', 'SET', 'stream-node-max-bytes', '0']);
    for (let i = 0; i < 120; i++) seq.push(['XADD', 'big', String(i + 1), 'f', 'v'.repeat(i)]);
    seq.push(...lines('XINFO STREAM big', 'CONFIG SET stream-node-max-entries 0'));
    for (let i = 0; i < 120; i++) seq.push(['XADD', 'big', String(i + 200), 'f', 'v']);
    seq.push(...lines('XINFO STREAM big', 'CONFIG SET stream-node-max-entries 100', 'CONFIG SET stream-node-max-bytes 4096'));
    await same(seq);
  });

  it('XRANGE and XREVRANGE bounds: -, +, incomplete ids, exclusive ranges, COUNT', async () => {
    await same([
      ...lines('XADD s 1-1 a 1', 'XADD s 1-2 a 2', 'XADD s 2-0 a 3', 'XADD s 3-5 a 4', 'XADD s 18446744073709551615-0 a 5'),
      ...lines('XRANGE s - +', 'XRANGE s 1 1', 'XRANGE s (1-1 +', 'XRANGE s - (3-5', 'XRANGE s (1 (3', 'XRANGE s (- +', 'XRANGE s - (+', 'XRANGE s ( +'),
      ...lines('XRANGE s (18446744073709551615-18446744073709551615 +', 'XRANGE s - (0-0', 'XRANGE s - (0', 'XRANGE s 3 2', 'XRANGE s + -'),
      ...lines('XRANGE s - + COUNT 2', 'XRANGE s - + COUNT 0', 'XRANGE s - + COUNT -1', 'XRANGE s - + count 1 COUNT 3', 'XRANGE s - + COUNT', 'XRANGE s - + COUNT x', 'XRANGE s - + FOO 1'),
      ...lines('XREVRANGE s + -', 'XREVRANGE s (3-5 -', 'XREVRANGE s + (1-2 COUNT 2', 'XREVRANGE s 2 2', 'XREVRANGE s - +', 'XREVRANGE s 18446744073709551615 0'),
      ...lines('XRANGE nokey - +', 'XRANGE nokey x +', 'XREVRANGE nokey + - COUNT 0', 'XRANGE s 1-x +'),
    ]);
  });

  it('XDEL leaves tombstones; first id, max-deleted-entry-id and nodes follow', async () => {
    const seq: string[][] = [['CONFIG', 'SET', 'stream-node-max-entries', '3']];
    for (let i = 1; i <= 10; i++) seq.push(['XADD', 's', String(i), 'f', String(i)]);
    seq.push(...lines('XDEL s 1', 'XINFO STREAM s', 'XDEL s 2 3', 'XINFO STREAM s FULL', 'XDEL s 5 5 99', 'XDEL s bad', 'XDEL s 6 bad', 'XRANGE s - +'));
    seq.push(...lines('XREVRANGE s + -', 'XDEL s 10', 'XINFO STREAM s', 'XADD s 11 f 11', 'XINFO STREAM s FULL', 'XDEL nokey bad', 'XDEL s 4 6 7 8 9 11', 'XINFO STREAM s FULL'));
    seq.push(...lines('XADD s 12 f 12', 'XINFO STREAM s', 'CONFIG SET stream-node-max-entries 100'));
    await same(seq);
  });

  it('XTRIM MINID keeps a node whose live entries are all trimmed before a later tombstone', async () => {
    await same([
      ...lines('XADD s 1 a 1', 'XADD s 2 a 2', 'XADD s 3 a 3', 'XDEL s 3', 'XTRIM s MINID 3', 'XINFO STREAM s FULL', 'XADD s 4 a 4', 'XINFO STREAM s FULL', 'XTRIM s MAXLEN ~ 0'),
      ...lines('XINFO STREAM s FULL'),
    ]);
  });

  it('XSETID: last id, ENTRIESADDED, MAXDELETEDID and their errors', async () => {
    await same([
      ...lines('XSETID nokey 1', 'XADD s 5 a 1', 'XADD s 6 a 2', 'XSETID s 5', 'XSETID s 6', 'XSETID s 10 ENTRIESADDED 1', 'XSETID s 10 ENTRIESADDED -1'),
      ...lines('XSETID s 10 MAXDELETEDID 11', 'XSETID s 10 ENTRIESADDED 50 MAXDELETEDID 9', 'XINFO STREAM s', 'XSETID s 10 FOO', 'XSETID s x', 'XSETID s + ', 'XSETID s 10 ENTRIESADDED'),
      ...lines('XADD s 10 a 3', 'XADD s 11-* a 3', 'XDEL s 5 6', 'XTRIM s MAXLEN 0', 'XSETID s 1', 'XINFO STREAM s', 'XSETID s 0 ENTRIESADDED 0', 'XINFO STREAM s'),
      ...lines('SET str x', 'XSETID str 1', 'XSETID s 18446744073709551615-18446744073709551615', 'XADD s * a b', 'XADD s 1-* a b'),
    ]);
  });
});

describe('consumer groups', () => {
  it('XGROUP CREATE (MKSTREAM, ENTRIESREAD, $), SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP', async () => {
    await same([
      ...lines('XGROUP CREATE s g $', 'XGROUP CREATE s g $ MKSTREAM', 'XGROUP CREATE s g $', 'XGROUP CREATE s g2 0 ENTRIESREAD 5', 'XGROUP CREATE s g3 0 ENTRIESREAD -2'),
      ...lines('XGROUP CREATE s g3 + ', 'XGROUP CREATE s g3 - ', 'XGROUP CREATE s g3 x', 'XGROUP CREATE s g3 0 FOO', 'XGROUP CREATE s g3 0 ENTRIESREAD', 'XGROUP CREATE s g3 0 ENTRIESREAD x'),
      ...lines('XGROUP CREATE s g3 0 MKSTREAM ENTRIESREAD 1 MKSTREAM', 'XGROUP CREATE s g4 0 MKSTREAM ENTRIESREAD 1 MKSTREAM x', 'XINFO GROUPS s'),
      ...lines('XADD s 1 f v', 'XADD s 2 f v', 'XGROUP SETID s g 1', 'XGROUP SETID s g $ ENTRIESREAD 2', 'XGROUP SETID s nog 0', 'XGROUP SETID nokey g 0', 'XGROUP SETID s g -'),
      ...lines('XGROUP SETID s g + ENTRIESREAD -1', 'XGROUP SETID s g 0 MKSTREAM', 'XGROUP SETID s g 0 ENTRIESREAD', 'XINFO GROUPS s'),
      ...lines('XGROUP CREATECONSUMER s g alice', 'XGROUP CREATECONSUMER s g alice', 'XGROUP CREATECONSUMER s nog bob', 'XGROUP CREATECONSUMER nokey g bob', 'XGROUP CREATECONSUMER s g'),
      ...lines('XINFO CONSUMERS s g', 'XGROUP DELCONSUMER s g nobody', 'XGROUP DELCONSUMER s g alice', 'XGROUP DELCONSUMER s nog alice', 'XINFO CONSUMERS s g'),
      ...lines('XGROUP DESTROY s g2', 'XGROUP DESTROY s g2', 'XGROUP DESTROY nokey g', 'XGROUP DESTROY s g x', 'XGROUP HELP', 'XGROUP HELP x', 'XGROUP FOO s g', 'XGROUP', 'XINFO GROUPS s'),
      ...lines('SET str x', 'XGROUP CREATE str g $', 'XGROUP CREATE str g $ MKSTREAM', 'XGROUP DESTROY str g'),
    ]);
  });

  it('XREADGROUP: new entries, history, NOACK, COUNT, several streams, and the errors', async () => {
    await same([
      ...lines('XADD s 1 a 1', 'XADD s 2 b 2', 'XADD s 3 c 3', 'XADD t 1 x 1', 'XGROUP CREATE s g 0', 'XGROUP CREATE t g $'),
      ...lines('XREADGROUP GROUP g alice COUNT 1 STREAMS s >', 'XREADGROUP GROUP g alice STREAMS s t > >', 'XREADGROUP GROUP g alice STREAMS s >', 'XREADGROUP GROUP g bob STREAMS s 0'),
      ...lines('XREADGROUP GROUP g alice STREAMS s 0', 'XREADGROUP GROUP g alice COUNT 1 STREAMS s 1', 'XREADGROUP GROUP g alice STREAMS s t 0 0', 'XINFO STREAM s FULL', 'XINFO GROUPS s'),
      ...lines('XADD s 4 d 4', 'XADD t 2 y 2', 'XREADGROUP GROUP g bob NOACK STREAMS s t > >', 'XINFO STREAM s FULL', 'XINFO GROUPS t', 'XPENDING s g'),
      ...lines('XDEL s 2', 'XREADGROUP GROUP g alice STREAMS s 0', 'XGROUP SETID s g 0', 'XREADGROUP GROUP g bob COUNT 2 STREAMS s >', 'XPENDING s g - + 10', 'XINFO GROUPS s'),
      ...lines('XREADGROUP GROUP g alice STREAMS s $', 'XREADGROUP GROUP nog alice STREAMS s >', 'XREADGROUP GROUP g alice STREAMS nokey >', 'XREADGROUP GROUP g alice STREAMS s', 'XREADGROUP STREAMS s >'),
      ...lines('XREADGROUP GROUP g alice STREAMS s x', 'XREADGROUP GROUP g alice FOO STREAMS s >', 'XREADGROUP GROUP g alice COUNT x STREAMS s >', 'XREADGROUP GROUP g alice STREAMS s t >', 'XREADGROUP GROUP g STREAMS s >'),
      ...lines('XREADGROUP GROUP g alice COUNT -5 STREAMS s 0', 'XREADGROUP GROUP g carol NOACK STREAMS s 0', 'XINFO CONSUMERS s g', 'SET str x', 'XREADGROUP GROUP g alice STREAMS str >'),
    ]);
  });

  it('XREAD (non-blocking): ids, $, COUNT, several streams and the errors', async () => {
    await same([
      ...lines('XADD s 1 a 1', 'XADD s 2 b 2', 'XADD t 5 x 1', 'XREAD STREAMS s 0', 'XREAD COUNT 1 STREAMS s t 0 0', 'XREAD STREAMS s t 1 5', 'XREAD STREAMS s $', 'XREAD STREAMS nokey 0'),
      ...lines('XREAD STREAMS s > ', 'XREAD GROUP g c STREAMS s 0', 'XREAD NOACK STREAMS s 0', 'XREAD STREAMS s', 'XREAD STREAMS s t 0', 'XREAD COUNT x STREAMS s 0', 'XREAD BLOCK x STREAMS s 0'),
      ...lines('XREAD BLOCK -1 STREAMS s 0', 'XREAD BLOCK 0 STREAMS s 0', 'XREAD COUNT 0 STREAMS s 0', 'XREAD FOO STREAMS s 0', 'XREAD STREAMS s 1-x', 'XDEL s 2', 'XREAD STREAMS s 1', 'XREAD STREAMS s s 0 1'),
      ...lines('MULTI', 'XREAD BLOCK 0 STREAMS s 9', 'XREADGROUP GROUP g c BLOCK 0 STREAMS s >', 'EXEC', 'SET str x', 'XREAD STREAMS str 0'),
    ]);
  });

  it('XACK and XPENDING (summary, extended, IDLE, consumer)', async () => {
    await same([
      ...lines('XADD s 1 a 1', 'XADD s 2 a 2', 'XADD s 3 a 3', 'XADD s 4 a 4', 'XGROUP CREATE s g 0', 'XPENDING s g', 'XPENDING s g - + 10'),
      ...lines('XREADGROUP GROUP g alice COUNT 2 STREAMS s >', 'XREADGROUP GROUP g bob STREAMS s >', 'XPENDING s g', 'XPENDING s g - + 10', 'XPENDING s g - + 2', 'XPENDING s g (1 (4 10'),
      ...lines('XPENDING s g - + 10 bob', 'XPENDING s g - + 10 nobody', 'XPENDING s g IDLE 0 - + 10', 'XPENDING s g IDLE 100000 - + 10', 'XPENDING s g IDLE 0 - + 10 alice', 'XPENDING s g - + 0', 'XPENDING s g - + -3'),
      ...lines('XPENDING s g - + 10 alice extra', 'XPENDING s g IDLE 5 - +', 'XPENDING s g IDLE x - + 10', 'XPENDING s g - + x', 'XPENDING s g x + 10', 'XPENDING s g - ( 10', 'XPENDING s g -', 'XPENDING s g - + 10 a b c d'),
      ...lines('XPENDING s nog', 'XPENDING nokey g', 'XPENDING nokey g - + x', 'XACK s g 1 2 99', 'XACK s g 1', 'XACK s g x', 'XACK s nog 3', 'XACK nokey g 3', 'XACK s g 3 bad', 'XPENDING s g'),
      ...lines('XACK s g 3 4', 'XPENDING s g', 'XINFO CONSUMERS s g', 'SET str x', 'XACK str g 1', 'XPENDING str g'),
    ]);
  });

  it('XCLAIM: ownership, IDLE, TIME, RETRYCOUNT, FORCE, JUSTID, LASTID, deleted entries', async () => {
    await same([
      ...lines('XADD s 1 a 1', 'XADD s 2 a 2', 'XADD s 3 a 3', 'XADD s 4 a 4', 'XGROUP CREATE s g 0', 'XREADGROUP GROUP g alice STREAMS s >'),
      ...lines('XCLAIM s g bob 0 1 2', 'XCLAIM s g bob 100000 3', 'XCLAIM s g bob 0 3 JUSTID', 'XCLAIM s g carol 0 4 RETRYCOUNT 7', 'XPENDING s g - + 10'),
      ...lines('XCLAIM s g carol 0 1 IDLE 5000', 'XPENDING s g IDLE 4000 - + 10', 'XCLAIM s g carol 0 2 TIME 1', 'XCLAIM s g carol 0 2 TIME 99999999999999', 'XADD s 5 a 5', 'XCLAIM s g dave 0 5'),
      ...lines('XCLAIM s g dave 0 5 FORCE', 'XCLAIM s g dave 0 5 6 FORCE JUSTID', 'XPENDING s g', 'XDEL s 1', 'XCLAIM s g erin 0 1 2', 'XPENDING s g', 'XINFO STREAM s FULL'),
      ...lines('XCLAIM s g erin 0 2 LASTID 10', 'XINFO GROUPS s', 'XCLAIM s g erin 0 99 LASTID 20', 'XINFO GROUPS s', 'XCLAIM s g erin 0 LASTID 1', 'XCLAIM s g erin 0 2 LASTID x'),
      ...lines('XCLAIM s g erin x 2', 'XCLAIM s g erin -5 2', 'XCLAIM s g erin 0 2 IDLE x', 'XCLAIM s g erin 0 2 TIME x', 'XCLAIM s g erin 0 2 RETRYCOUNT x', 'XCLAIM s g erin 0 2 FOO', 'XCLAIM s g erin 0 abc'),
      ...lines('XCLAIM s g erin 0 2 IDLE', 'XCLAIM s nog erin 0 2', 'XCLAIM nokey g erin 0 2', 'XCLAIM s g erin 0 2 force justid', 'XINFO CONSUMERS s g', 'SET str x', 'XCLAIM str g a 0 1'),
    ]);
  });

  it('XAUTOCLAIM: cursor, COUNT, JUSTID, deleted entries', async () => {
    const seq: string[][] = [];
    for (let i = 1; i <= 12; i++) seq.push(['XADD', 's', String(i), 'f', String(i)]);
    seq.push(...lines('XGROUP CREATE s g 0', 'XREADGROUP GROUP g alice STREAMS s >', 'XDEL s 3 4 9'));
    seq.push(...lines('XAUTOCLAIM s g bob 0 0 COUNT 2', 'XAUTOCLAIM s g bob 0 (2 COUNT 3', 'XAUTOCLAIM s g bob 100000 0', 'XAUTOCLAIM s g carol 0 0 JUSTID', 'XPENDING s g - + 20'));
    seq.push(...lines('XAUTOCLAIM s g dave 0 11', 'XAUTOCLAIM s g dave 0 13', 'XAUTOCLAIM s g dave 0 0 COUNT 0', 'XAUTOCLAIM s g dave 0 0 COUNT x', 'XAUTOCLAIM s g dave 0 0 COUNT 576460752303423488'));
    seq.push(...lines('XAUTOCLAIM s g dave x 0', 'XAUTOCLAIM s g dave 0 x', 'XAUTOCLAIM s g dave 0 (18446744073709551615-18446744073709551615', 'XAUTOCLAIM s g dave 0 0 FOO', 'XAUTOCLAIM s nog dave 0 0'));
    seq.push(...lines('XAUTOCLAIM nokey g dave 0 0', 'XAUTOCLAIM s g dave 0 0 COUNT', 'XINFO STREAM s FULL', 'XINFO CONSUMERS s g', 'SET str x', 'XAUTOCLAIM str g a 0 0'));
    await same(seq);
  });

  it('lag and entries-read as Redis 7.0 computes them, including the unknown cases', async () => {
    await same([
      ...lines('XGROUP CREATE s g $ MKSTREAM', 'XINFO GROUPS s', 'XADD s 1 a 1', 'XADD s 2 a 2', 'XADD s 3 a 3', 'XADD s 4 a 4', 'XGROUP CREATE s g2 0', 'XGROUP CREATE s g3 2'),
      ...lines('XGROUP CREATE s g4 $', 'XGROUP CREATE s g5 9', 'XGROUP CREATE s g6 0 ENTRIESREAD 1', 'XINFO GROUPS s', 'XREADGROUP GROUP g COUNT 1 STREAMS s >', 'XREADGROUP GROUP g3 COUNT 1 STREAMS s >'),
      ...lines('XINFO GROUPS s', 'XDEL s 3', 'XINFO GROUPS s', 'XREADGROUP GROUP g2 COUNT 1 STREAMS s >', 'XREADGROUP GROUP g COUNT 5 STREAMS s >', 'XINFO GROUPS s', 'XDEL s 1'),
      ...lines('XINFO GROUPS s', 'XTRIM s MAXLEN 1', 'XINFO GROUPS s', 'XADD s 5 a 5', 'XREADGROUP GROUP g2 STREAMS s >', 'XINFO GROUPS s', 'XSETID s 10 ENTRIESADDED 100 MAXDELETEDID 6', 'XINFO GROUPS s'),
      ...lines('XTRIM s MAXLEN 0', 'XINFO GROUPS s', 'XINFO STREAM s FULL', 'XGROUP SETID s g 3', 'XINFO GROUPS s'),
    ]);
  });

  it('XINFO STREAM [FULL [COUNT]], GROUPS, CONSUMERS, HELP and their errors', async () => {
    const seq: string[][] = [];
    for (let i = 1; i <= 15; i++) seq.push(['XADD', 's', String(i), 'f', String(i)]);
    seq.push(...lines('XGROUP CREATE s g 0', 'XGROUP CREATE s a 0', 'XREADGROUP GROUP g zed STREAMS s >', 'XCLAIM s g ann 0 1 2 3', 'XGROUP CREATECONSUMER s g bob'));
    seq.push(...lines('XINFO STREAM s', 'XINFO STREAM s FULL', 'XINFO STREAM s FULL COUNT 2', 'XINFO STREAM s FULL COUNT 0', 'XINFO STREAM s FULL COUNT -1', 'XINFO STREAM s full count 1'));
    seq.push(...lines('XINFO STREAM s FULL COUNT', 'XINFO STREAM s FOO', 'XINFO STREAM s FULL FOO 1', 'XINFO STREAM s FULL COUNT x', 'XINFO STREAM nokey', 'XINFO GROUPS s', 'XINFO GROUPS nokey'));
    seq.push(...lines('XINFO CONSUMERS s g', 'XINFO CONSUMERS s nog', 'XINFO CONSUMERS s', 'XINFO HELP', 'XINFO HELP x', 'XINFO FOO s', 'XINFO GROUPS s x', 'XINFO', 'XINFO STREAM'));
    seq.push(...lines('XGROUP CREATE e g $ MKSTREAM', 'XINFO STREAM e', 'XINFO STREAM e FULL', 'SET str x', 'XINFO STREAM str', 'XINFO GROUPS str', 'XINFO CONSUMERS str g'));
    await same(seq);
  });

  it('binary keys, fields, values, group and consumer names round-trip', async () => {
    const bin = '\u0000\u00ff\r\n\u00e9';
    await same([
      ['XADD', bin, '1', bin, bin, '', ''],
      ['XGROUP', 'CREATE', bin, bin, '0'],
      ['XREADGROUP', 'GROUP', bin, bin, 'STREAMS', bin, '>'],
      ['XPENDING', bin, bin],
      ['XPENDING', bin, bin, '-', '+', '5', bin],
      ['XINFO', 'STREAM', bin, 'FULL'],
      ['XINFO', 'CONSUMERS', bin, bin],
      ['XREADGROUP', 'GROUP', 'nope', bin, 'STREAMS', bin, '>'],
      ['XCLAIM', bin, 'nope', 'c', '0', '1'],
    ]);
  });

  it('DEBUG DIGEST-VALUE of a stream equals redis-server', async () => {
    await same([
      ...lines('DEBUG DIGEST-VALUE s', 'XADD s 1-1 a 1 b 2', 'XADD s 2-3 a 3', 'XADD s 5 x y', 'DEBUG DIGEST-VALUE s', 'XDEL s 2-3', 'DEBUG DIGEST-VALUE s', 'DEBUG DIGEST'),
      ...lines('XGROUP CREATE s g 0', 'DEBUG DIGEST-VALUE s', 'XTRIM s MAXLEN 0', 'DEBUG DIGEST-VALUE s', 'DEBUG DIGEST', 'TYPE s', 'OBJECT ENCODING s'),
    ]);
  });
});
