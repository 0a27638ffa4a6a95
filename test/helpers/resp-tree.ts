/*
 * Raw RESP replies as trees, for comparisons that must ignore an order Redis does not define (its
 * hash tables list commands and subcommands in a per-process random order) while staying byte
 * exact everywhere else: parse, sort the unordered parts, serialize back, compare strings.
 */

import { replyEnd } from './resp.js';

export interface RespNode {
  /** The header line with its CRLF ("*3\r\n", "%2\r\n") or, for a scalar, its whole raw text. */
  head: string;
  children: RespNode[];
}

export function parseResp(raw: string): RespNode {
  const buf = Buffer.from(raw, 'latin1');
  const [node, end] = parseAt(buf, 0);
  if (end !== buf.length) throw new Error(`trailing bytes after reply: ${JSON.stringify(raw.slice(end, end + 40))}`);
  return node;
}

function parseAt(buf: Buffer, at: number): [RespNode, number] {
  const type = String.fromCharCode(buf[at]);
  const lf = buf.indexOf(10, at);
  if ('*~>%|'.includes(type)) {
    const n = Number(buf.toString('latin1', at + 1, lf - 1));
    const head = buf.toString('latin1', at, lf + 1);
    const count = n < 0 ? 0 : type === '%' || type === '|' ? n * 2 : n;
    const children: RespNode[] = [];
    let pos = lf + 1;
    for (let i = 0; i < count; i++) {
      const [child, next] = parseAt(buf, pos);
      children.push(child);
      pos = next;
    }
    return [{ head, children }, pos];
  }
  const end = replyEnd(buf, at);
  return [{ head: buf.toString('latin1', at, end), children: [] }, end];
}

export function serializeResp(node: RespNode): string {
  return node.head + node.children.map(serializeResp).join('');
}

/** Sorts an array/set node's elements by their bytes. */
export function sortElements(node: RespNode): void {
  node.children.sort((a, b) => (serializeResp(a) < serializeResp(b) ? -1 : serializeResp(a) > serializeResp(b) ? 1 : 0));
}

/** Sorts a map node's (or a RESP2 flat key/value array's) pairs by their bytes. */
export function sortPairs(node: RespNode): void {
  const pairs: Array<[RespNode, RespNode]> = [];
  for (let i = 0; i < node.children.length; i += 2) pairs.push([node.children[i], node.children[i + 1]]);
  const key = (p: [RespNode, RespNode]): string => serializeResp(p[0]) + serializeResp(p[1]);
  pairs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  node.children = pairs.flat();
}

/** A bulk or simple string node's text. */
export function textOf(node: RespNode): string {
  const h = node.head;
  if (h[0] === '+') return h.slice(1, -2);
  const lf = h.indexOf('\n');
  return h.slice(lf + 1, -2);
}
