/*
 * Sorted set: members (latin1 strings) ordered by (score, member bytes), as Redis's t_zset.c.
 *
 * Representation: a Map member → score for O(1) lookups, plus a skip list with spans (Redis's
 * zskiplist) for O(log n) insert/delete/rank and ordered range walks. Ordering ties on equal scores
 * are broken by comparing the member bytes (JS string comparison of latin1 strings is memcmp).
 *
 * Redis reports OBJECT ENCODING "listpack" for small sets and converts one way to "skiplist" when
 * zset-max-listpack-entries / zset-max-listpack-value are exceeded; `converted` tracks that so the
 * reported encoding follows the same rule, whatever the in-memory layout.
 *
 * Ranks are 0-based here; the skip list's internal ranks are 1-based like Redis's.
 */

import type { CollectionObject } from './object.js';
import { MAP_ENTRY_BYTES, OBJECT_BYTES, stringBytes } from './heapsize.js';

/** A skip-list node: object header, member, score, backward, level array (avg 1.33 levels). */
const ZNODE_BYTES = 96;

const MAX_LEVEL = 32;
const P = 0.25;

class ZNode {
  forward: Array<ZNode | null>;
  span: number[];
  backward: ZNode | null = null;

  constructor(
    public ele: string,
    public score: number,
    level: number,
  ) {
    this.forward = new Array<ZNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

/** (score, ele) ordering: true when a sorts before b. */
function before(aScore: number, aEle: string, bScore: number, bEle: string): boolean {
  return aScore < bScore || (aScore === bScore && aEle < bEle);
}

export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** A lex range: null bound = '-' (min) or '+' (max); `ex` = exclusive. */
export interface LexRange {
  min: string | null;
  max: string | null;
  minInf: boolean; // '+' as min: nothing is greater
  maxInf: boolean; // '-' as max: nothing is smaller
  minex: boolean;
  maxex: boolean;
}

export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}

export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}

export function lexGteMin(ele: string, r: LexRange): boolean {
  if (r.minInf) return false;
  if (r.min === null) return true;
  return r.minex ? ele > r.min : ele >= r.min;
}

export function lexLteMax(ele: string, r: LexRange): boolean {
  if (r.maxInf) return false;
  if (r.max === null) return true;
  return r.maxex ? ele < r.max : ele <= r.max;
}

/** Scratch for insert/delete (one command at a time uses them): no two arrays per call. */
const UPDATE = new Array<ZNode>(MAX_LEVEL);
const RANK = new Array<number>(MAX_LEVEL).fill(0);

class SkipList {
  readonly header = new ZNode('', 0, MAX_LEVEL);
  tail: ZNode | null = null;
  length = 0;
  level = 1;

  insert(score: number, ele: string): ZNode {
    const update = UPDATE;
    const rank = RANK;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let next = x.forward[i];
      while (next !== null && before(next.score, next.ele, score, ele)) {
        rank[i] += x.span[i];
        x = next;
        next = x.forward[i];
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.header;
        update[i].span[i] = this.length;
      }
      this.level = level;
    }
    const node = new ZNode(ele, score, level);
    for (let i = 0; i < level; i++) {
      node.forward[i] = update[i].forward[i];
      update[i].forward[i] = node;
      node.span[i] = update[i].span[i] - (rank[0] - rank[i]);
      update[i].span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    node.backward = update[0] === this.header ? null : update[0];
    if (node.forward[0] !== null) node.forward[0].backward = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  private unlink(x: ZNode, update: ZNode[]): void {
    for (let i = 0; i < this.level; i++) {
      if (update[i].forward[i] === x) {
        update[i].span[i] += x.span[i] - 1;
        update[i].forward[i] = x.forward[i];
      } else {
        update[i].span[i] -= 1;
      }
    }
    if (x.forward[0] !== null) x.forward[0].backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.header.forward[this.level - 1] === null) this.level--;
    this.length--;
  }

  delete(score: number, ele: string): boolean {
    const update = UPDATE;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (next !== null && before(next.score, next.ele, score, ele)) {
        x = next;
        next = x.forward[i];
      }
      update[i] = x;
    }
    const target = x.forward[0];
    if (target !== null && target.score === score && target.ele === ele) {
      this.unlink(target, update);
      return true;
    }
    return false;
  }

  /** 1-based rank of (score, ele), 0 when absent. */
  rank(score: number, ele: string): number {
    let rank = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (next !== null && (before(next.score, next.ele, score, ele) || (next.score === score && next.ele === ele))) {
        rank += x.span[i];
        x = next;
        next = x.forward[i];
      }
      if (x !== this.header && x.ele === ele && x.score === score) return rank;
    }
    return 0;
  }

  /** Node at 1-based rank, or null. */
  byRank(rank: number): ZNode | null {
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (next !== null && traversed + x.span[i] <= rank) {
        traversed += x.span[i];
        x = next;
        next = x.forward[i];
      }
      if (traversed === rank) return x === this.header ? null : x;
    }
    return null;
  }

  /** First node whose score is within the range (from the low end), or null. */
  firstInScoreRange(r: ScoreRange): ZNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (next !== null && !scoreGteMin(next.score, r)) {
        x = next;
        next = x.forward[i];
      }
    }
    const first = x.forward[0];
    return first !== null && scoreLteMax(first.score, r) ? first : null;
  }

  /** Last node whose score is within the range, or null. */
  lastInScoreRange(r: ScoreRange): ZNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (next !== null && scoreLteMax(next.score, r)) {
        x = next;
        next = x.forward[i];
      }
    }
    return x !== this.header && scoreGteMin(x.score, r) ? x : null;
  }

  firstInLexRange(r: LexRange): ZNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (next !== null && !lexGteMin(next.ele, r)) {
        x = next;
        next = x.forward[i];
      }
    }
    const first = x.forward[0];
    return first !== null && lexLteMax(first.ele, r) ? first : null;
  }

  lastInLexRange(r: LexRange): ZNode | null {
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i];
      while (next !== null && lexLteMax(next.ele, r)) {
        x = next;
        next = x.forward[i];
      }
    }
    return x !== this.header && lexGteMin(x.ele, r) ? x : null;
  }
}

/** One member and its score, as ranges return them. */
export interface ScoredMember {
  member: string;
  score: number;
}

export class ZSet implements CollectionObject {
  readonly type = 'zset' as const;
  private readonly dict = new Map<string, number>();
  private readonly zsl = new SkipList();
  /** Past the listpack limits once: Redis never converts back in place. */
  converted = false;
  /** Σ stringBytes of the members (memoryBytes). */
  private elementBytes = 0;
  accountedBytes = 0;

  memoryBytes(): number {
    // Per member: a Map entry with a boxed score, and a skip-list node (object, score, level array).
    return 2 * OBJECT_BYTES + this.dict.size * (MAP_ENTRY_BYTES + 16 + ZNODE_BYTES) + this.elementBytes;
  }

  encoding(): string {
    return this.converted ? 'skiplist' : 'listpack';
  }

  get size(): number {
    return this.dict.size;
  }

  /** Applies Redis's one-way conversion rule after an insert of `member`. */
  noteLimits(maxEntries: number, maxValue: number, member: string): void {
    if (!this.converted && (this.dict.size > maxEntries || member.length > maxValue)) this.converted = true;
  }

  clone(): ZSet {
    const z = new ZSet();
    for (let x = this.zsl.header.forward[0]; x !== null; x = x.forward[0]) z.insert(x.ele, x.score);
    z.converted = this.converted;
    return z;
  }

  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  /** Inserts a new member (the caller checked it is absent). */
  insert(member: string, score: number): void {
    this.dict.set(member, score);
    this.zsl.insert(score, member);
    this.elementBytes += stringBytes(member.length);
  }

  /** Sets the score of an existing member. */
  update(member: string, score: number): void {
    const cur = this.dict.get(member)!;
    if (cur === score) return;
    this.zsl.delete(cur, member);
    this.zsl.insert(score, member);
    this.dict.set(member, score);
  }

  /** Adds or updates; true when the member is new. */
  set(member: string, score: number): boolean {
    if (this.dict.has(member)) {
      this.update(member, score);
      return false;
    }
    this.insert(member, score);
    return true;
  }

  remove(member: string): boolean {
    const score = this.dict.get(member);
    if (score === undefined) return false;
    this.dict.delete(member);
    this.zsl.delete(score, member);
    this.elementBytes -= stringBytes(member.length);
    return true;
  }

  /** 0-based rank from the low end (or the high end when `reverse`), -1 when absent. */
  rank(member: string, reverse: boolean): number {
    const score = this.dict.get(member);
    if (score === undefined) return -1;
    const r = this.zsl.rank(score, member);
    return reverse ? this.zsl.length - r : r - 1;
  }

  /** Members with 0-based ranks start..end inclusive (already clamped), in order or reversed. */
  rangeByRank(start: number, end: number, reverse: boolean): ScoredMember[] {
    const out: ScoredMember[] = [];
    if (start > end || start >= this.size) return out;
    let x = this.zsl.byRank(reverse ? this.size - start : start + 1);
    for (let n = end - start + 1; n > 0 && x !== null; n--) {
      out.push({ member: x.ele, score: x.score });
      x = reverse ? x.backward : x.forward[0];
    }
    return out;
  }

  /** Members in a score range, skipping `offset`, at most `limit` (-1: all). */
  rangeByScore(r: ScoreRange, reverse: boolean, offset = 0, limit = -1): ScoredMember[] {
    const out: ScoredMember[] = [];
    let x = reverse ? this.zsl.lastInScoreRange(r) : this.zsl.firstInScoreRange(r);
    while (x !== null && offset > 0) {
      x = reverse ? x.backward : x.forward[0];
      offset--;
    }
    while (x !== null && limit !== 0) {
      if (reverse ? !scoreGteMin(x.score, r) : !scoreLteMax(x.score, r)) break;
      out.push({ member: x.ele, score: x.score });
      x = reverse ? x.backward : x.forward[0];
      if (limit > 0) limit--;
    }
    return out;
  }

  rangeByLex(r: LexRange, reverse: boolean, offset = 0, limit = -1): ScoredMember[] {
    const out: ScoredMember[] = [];
    let x = reverse ? this.zsl.lastInLexRange(r) : this.zsl.firstInLexRange(r);
    while (x !== null && offset > 0) {
      x = reverse ? x.backward : x.forward[0];
      offset--;
    }
    while (x !== null && limit !== 0) {
      if (reverse ? !lexGteMin(x.ele, r) : !lexLteMax(x.ele, r)) break;
      out.push({ member: x.ele, score: x.score });
      x = reverse ? x.backward : x.forward[0];
      if (limit > 0) limit--;
    }
    return out;
  }

  countByScore(r: ScoreRange): number {
    const first = this.zsl.firstInScoreRange(r);
    if (first === null) return 0;
    const last = this.zsl.lastInScoreRange(r)!;
    return this.zsl.rank(last.score, last.ele) - this.zsl.rank(first.score, first.ele) + 1;
  }

  countByLex(r: LexRange): number {
    const first = this.zsl.firstInLexRange(r);
    if (first === null) return 0;
    const last = this.zsl.lastInLexRange(r)!;
    return this.zsl.rank(last.score, last.ele) - this.zsl.rank(first.score, first.ele) + 1;
  }

  /** Removes the members in `members` (a range result); returns how many went. */
  removeAll(members: readonly ScoredMember[]): number {
    for (const m of members) this.remove(m.member);
    return members.length;
  }

  /** Up to `count` members from the low end (or the high end for max), removed. */
  pop(count: number, max: boolean): ScoredMember[] {
    const out: ScoredMember[] = [];
    while (count-- > 0 && this.size > 0) {
      const x = max ? this.zsl.tail! : this.zsl.header.forward[0]!;
      out.push({ member: x.ele, score: x.score });
      this.remove(x.ele);
    }
    return out;
  }

  /** Every member in order. */
  *entries(): Generator<ScoredMember> {
    for (let x = this.zsl.header.forward[0]; x !== null; x = x.forward[0]) yield { member: x.ele, score: x.score };
  }

  /** Member → score map (read-only use: set algebra, random picks). */
  members(): ReadonlyMap<string, number> {
    return this.dict;
  }
}
