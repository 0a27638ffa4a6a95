/*
 * Sorted set: members (latin1 strings) ordered by (score, member bytes), as Redis's t_zset.c.
 *
 * Representation: a Map member → score for O(1) lookups, plus an ordered list of leaves: sorted
 * runs of up to LEAF_MAX (score, member) pairs in parallel arrays, split in two when full and
 * dropped when empty. A Fenwick tree over the leaf sizes gives ranks in O(log n). Compared with a
 * skip list (Redis's zskiplist), a search touches a few contiguous arrays instead of one object per
 * step, which is what dominates in V8. Ordering ties on equal scores are broken by the member bytes
 * (JS comparison of latin1 strings is memcmp).
 *
 * Redis reports OBJECT ENCODING "listpack" for small sets and converts one way to "skiplist" when
 * zset-max-listpack-entries / zset-max-listpack-value are exceeded; `converted` tracks that so the
 * reported encoding follows the same rule, whatever the in-memory layout.
 *
 * Ranks are 0-based.
 */

import type { CollectionObject } from './object.js';
import { ARRAY_SLOT_BYTES, MAP_ENTRY_BYTES, OBJECT_BYTES, stringBytes } from './heapsize.js';

/** Elements per leaf before it splits. */
const LEAF_MAX = 128;

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

/**
 * A lex range over a listpack-encoded set as Redis walks it (zzlIsInLexRange, zzlFirstInLexRange /
 * zzlLastInLexRange, then members until one leaves the range). Lex ranges assume equal scores; with
 * mixed scores the members are not in lex order and Redis's linear walk decides the answer, so
 * small sets take the same walk. (A skiplist's answer then depends on its random levels.)
 */
function lexWalk(all: readonly ScoredMember[], r: LexRange, reverse: boolean, offset: number, limit: number): ScoredMember[] {
  const last = all.length - 1;
  if (last < 0 || lexRangeEmpty(r) || !lexGteMin(all[last].member, r) || !lexLteMax(all[0].member, r)) return [];
  const start = lexWalkStart(all, r, reverse);
  if (start < 0) return [];
  const out: ScoredMember[] = [];
  const step = reverse ? -1 : 1;
  for (let i = start + step * offset; i >= 0 && i <= last && (limit < 0 || out.length < limit); i += step) {
    const m = all[i];
    if (reverse ? !lexGteMin(m.member, r) : !lexLteMax(m.member, r)) break;
    out.push(m);
  }
  return out;
}

/** The member the walk starts at: the first (or last) one past the near end, or -1 when that one is beyond the far end. */
function lexWalkStart(all: readonly ScoredMember[], r: LexRange, reverse: boolean): number {
  if (reverse) {
    for (let j = all.length - 1; j >= 0; j--) if (lexLteMax(all[j].member, r)) return lexGteMin(all[j].member, r) ? j : -1;
  } else {
    for (let j = 0; j < all.length; j++) if (lexGteMin(all[j].member, r)) return lexLteMax(all[j].member, r) ? j : -1;
  }
  return -1;
}

/** zslLexValue range emptiness: min above max, or equal with an exclusive end. */
function lexRangeEmpty(r: LexRange): boolean {
  if (r.min === null || r.max === null) return false;
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

class Leaf {
  constructor(
    readonly scores: number[],
    readonly eles: string[],
  ) {}
}

/** A position: leaf index and offset in it. */
interface Cursor {
  leaf: number;
  pos: number;
}

/** The ordered (score, member) pairs: leaves plus a Fenwick tree of their sizes. */
class OrderedList {
  leaves: Leaf[] = [];
  length = 0;
  /** Fenwick tree over leaf sizes (1-based); rebuilt when leaves are added or removed. */
  private tree = new Int32Array(1);
  private treeValid = true;

  private rebuild(): void {
    const n = this.leaves.length;
    const t = new Int32Array(n + 1);
    for (let i = 1; i <= n; i++) {
      t[i] += this.leaves[i - 1].eles.length;
      const j = i + (i & -i);
      if (j <= n) t[j] += t[i];
    }
    this.tree = t;
    this.treeValid = true;
  }

  private add(leaf: number, delta: number): void {
    if (!this.treeValid) return;
    const t = this.tree;
    for (let i = leaf + 1; i < t.length; i += i & -i) t[i] += delta;
  }

  /** Elements in leaves [0, leaf). */
  private prefix(leaf: number): number {
    if (!this.treeValid) this.rebuild();
    let sum = 0;
    for (let i = leaf; i > 0; i -= i & -i) sum += this.tree[i];
    return sum;
  }

  /** The position of 0-based index `index` (< length). */
  locate(index: number): Cursor {
    if (!this.treeValid) this.rebuild();
    const t = this.tree;
    let pos = 0;
    let rest = index;
    let step = 1;
    while (step * 2 < t.length) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next < t.length && t[next] <= rest) {
        pos = next;
        rest -= t[next];
      }
    }
    return { leaf: pos, pos: rest };
  }

  /** The leaf that holds (or would hold) (score, ele): the first whose last element is not before it. */
  private leafFor(score: number, ele: string): number {
    const leaves = this.leaves;
    let lo = 0;
    let hi = leaves.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const l = leaves[mid];
      const last = l.eles.length - 1;
      if (before(l.scores[last], l.eles[last], score, ele)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Offset of the first element of `l` that is not before (score, ele). */
  private static lowerBound(l: Leaf, score: number, ele: string): number {
    let lo = 0;
    let hi = l.eles.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(l.scores[mid], l.eles[mid], score, ele)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(score: number, ele: string): void {
    if (this.leaves.length === 0) {
      this.leaves.push(new Leaf([score], [ele]));
      this.length = 1;
      this.treeValid = false;
      return;
    }
    const li = this.leafFor(score, ele);
    const l = this.leaves[li];
    const at = OrderedList.lowerBound(l, score, ele);
    l.scores.splice(at, 0, score);
    l.eles.splice(at, 0, ele);
    this.length++;
    if (l.eles.length > LEAF_MAX) {
      const half = l.eles.length >> 1;
      this.leaves.splice(li + 1, 0, new Leaf(l.scores.splice(half), l.eles.splice(half)));
      this.treeValid = false;
    } else {
      this.add(li, 1);
    }
  }

  delete(score: number, ele: string): boolean {
    if (this.leaves.length === 0) return false;
    const li = this.leafFor(score, ele);
    const l = this.leaves[li];
    const at = OrderedList.lowerBound(l, score, ele);
    if (at >= l.eles.length || l.eles[at] !== ele || l.scores[at] !== score) return false;
    l.scores.splice(at, 1);
    l.eles.splice(at, 1);
    this.length--;
    if (l.eles.length === 0) {
      this.leaves.splice(li, 1);
      this.treeValid = false;
    } else {
      this.add(li, -1);
    }
    return true;
  }

  /** 0-based index of (score, ele), -1 when absent. */
  indexOf(score: number, ele: string): number {
    if (this.leaves.length === 0) return -1;
    const li = this.leafFor(score, ele);
    const l = this.leaves[li];
    const at = OrderedList.lowerBound(l, score, ele);
    if (at >= l.eles.length || l.eles[at] !== ele) return -1;
    return this.prefix(li) + at;
  }

  /**
   * Index of the first element for which `stillBefore` is false, given that it is true for a prefix
   * of the list and false after (a range bound); `length` when it holds everywhere.
   */
  partition(stillBefore: (score: number, ele: string) => boolean): number {
    const leaves = this.leaves;
    let lo = 0;
    let hi = leaves.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const l = leaves[mid];
      const last = l.eles.length - 1;
      if (stillBefore(l.scores[last], l.eles[last])) lo = mid + 1;
      else hi = mid;
    }
    if (lo === leaves.length) return this.length;
    const l = leaves[lo];
    let a = 0;
    let b = l.eles.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (stillBefore(l.scores[mid], l.eles[mid])) a = mid + 1;
      else b = mid;
    }
    return this.prefix(lo) + a;
  }

  /** `count` members from index `from`, walking down when `reverse`. */
  collect(from: number, count: number, reverse: boolean): ScoredMember[] {
    const out: ScoredMember[] = [];
    if (count <= 0 || from < 0 || from >= this.length) return out;
    const c = this.locate(from);
    let leaf = this.leaves[c.leaf];
    let li = c.leaf;
    let pos = c.pos;
    while (count-- > 0) {
      out.push({ member: leaf.eles[pos], score: leaf.scores[pos] });
      if (reverse) {
        if (--pos < 0) {
          if (--li < 0) break;
          leaf = this.leaves[li];
          pos = leaf.eles.length - 1;
        }
      } else if (++pos >= leaf.eles.length) {
        if (++li >= this.leaves.length) break;
        leaf = this.leaves[li];
        pos = 0;
      }
    }
    return out;
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
  private readonly list = new OrderedList();
  /** Past the listpack limits once: Redis never converts back in place. */
  converted = false;
  /** Σ stringBytes of the members (memoryBytes). */
  private elementBytes = 0;
  accountedBytes = 0;

  memoryBytes(): number {
    // Per member: a Map entry with a boxed score, and a slot in each of a leaf's two arrays.
    return 2 * OBJECT_BYTES + this.dict.size * (MAP_ENTRY_BYTES + 16 + 2 * ARRAY_SLOT_BYTES) + this.list.leaves.length * OBJECT_BYTES + this.elementBytes;
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
    z.converted = this.converted;
    for (const m of this.entries()) z.insert(m.member, m.score);
    return z;
  }

  /**
   * Sets the encoding of a set built whole (a stored result, a loaded value). One that stays a
   * listpack reads its -0 scores back as 0, as Redis's listpack keeps scores as text (d2string).
   */
  settle(converted: boolean): void {
    this.converted = converted;
    if (converted) return;
    for (const [member, score] of this.dict) {
      if (Object.is(score, -0)) {
        this.list.delete(score, member);
        this.list.insert(0, member);
        this.dict.set(member, 0);
      }
    }
  }

  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  /** Inserts a new member (the caller checked it is absent). */
  insert(member: string, score: number): void {
    // A listpack keeps -0 as 0 (see settle).
    if (score === 0 && !this.converted) score = 0;
    this.dict.set(member, score);
    this.list.insert(score, member);
    this.elementBytes += stringBytes(member.length);
  }

  /** Sets the score of an existing member. */
  update(member: string, score: number): void {
    const cur = this.dict.get(member)!;
    // Equal scores (-0 and 0 too, as Redis's `score != curscore`) change nothing.
    if (cur === score) return;
    this.list.delete(cur, member);
    this.list.insert(score, member);
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
    this.list.delete(score, member);
    this.elementBytes -= stringBytes(member.length);
    return true;
  }

  /** 0-based rank from the low end (or the high end when `reverse`), -1 when absent. */
  rank(member: string, reverse: boolean): number {
    const score = this.dict.get(member);
    if (score === undefined) return -1;
    const i = this.list.indexOf(score, member);
    return reverse ? this.list.length - 1 - i : i;
  }

  /** Members with 0-based ranks start..end inclusive (already clamped), in order or reversed. */
  rangeByRank(start: number, end: number, reverse: boolean): ScoredMember[] {
    const out: ScoredMember[] = [];
    if (start > end || start >= this.size) return out;
    return this.list.collect(reverse ? this.size - 1 - start : start, end - start + 1, reverse);
  }

  /** Members in a score range, skipping `offset`, at most `limit` (-1: all). */
  rangeByScore(r: ScoreRange, reverse: boolean, offset = 0, limit = -1): ScoredMember[] {
    const lo = this.list.partition((score) => !scoreGteMin(score, r));
    const hi = this.list.partition((score) => scoreLteMax(score, r));
    return this.window(lo, hi, reverse, offset, limit);
  }

  /** Members with indexes in [lo, hi), from the low end or the high end, after `offset`, at most `limit`. */
  private window(lo: number, hi: number, reverse: boolean, offset: number, limit: number): ScoredMember[] {
    const available = hi - lo - offset;
    if (available <= 0) return [];
    const count = limit < 0 ? available : Math.min(limit, available);
    return this.list.collect(reverse ? hi - 1 - offset : lo + offset, count, reverse);
  }

  rangeByLex(r: LexRange, reverse: boolean, offset = 0, limit = -1): ScoredMember[] {
    if (!this.converted) return lexWalk([...this.entries()], r, reverse, offset, limit);
    const lo = this.list.partition((_, ele) => !lexGteMin(ele, r));
    const hi = this.list.partition((_, ele) => lexLteMax(ele, r));
    return this.window(lo, hi, reverse, offset, limit);
  }

  countByScore(r: ScoreRange): number {
    const lo = this.list.partition((score) => !scoreGteMin(score, r));
    return Math.max(0, this.list.partition((score) => scoreLteMax(score, r)) - lo);
  }

  countByLex(r: LexRange): number {
    if (!this.converted) return this.rangeByLex(r, false).length;
    const lo = this.list.partition((_, ele) => !lexGteMin(ele, r));
    return Math.max(0, this.list.partition((_, ele) => lexLteMax(ele, r)) - lo);
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
      const m = this.list.collect(max ? this.size - 1 : 0, 1, false)[0];
      out.push(m);
      this.remove(m.member);
    }
    return out;
  }

  /** Every member in order. */
  *entries(): Generator<ScoredMember> {
    for (const l of this.list.leaves) for (let i = 0; i < l.eles.length; i++) yield { member: l.eles[i], score: l.scores[i] };
  }

  /** Member → score map (read-only use: set algebra, random picks). */
  members(): ReadonlyMap<string, number> {
    return this.dict;
  }
}
