/*
 * Per-key access data for eviction: Redis's 24-bit `lru` field of a robj, in its two readings.
 *
 *   LRU policies  the LRU clock when the key was last touched: unix seconds mod 2^24
 *                 (LRU_CLOCK, 1 s resolution), wrapping every ~194 days.
 *   LFU policies  16 bits of "last decrement time" in minutes mod 2^16, then an 8-bit logarithmic
 *                 counter: (minutes << 8) | counter. A new key starts at LFU_INIT_VAL so that it
 *                 is not evicted before it had a chance to be read.
 *
 * As in Redis the field is one number either way; switching policy at runtime reinterprets it
 * (hence Redis's "will take some time to adjust"). Both fit a V8 small integer (31 bits), which is
 * why the keyspace can keep them in a Map<string, number> without a heap allocation per key.
 */

export const LRU_CLOCK_MAX = (1 << 24) - 1;
export const LFU_INIT_VAL = 5;

/** The LRU clock at `nowMs` (LRU_CLOCK). */
export function lruClock(nowMs: number): number {
  return (nowMs / 1000) & LRU_CLOCK_MAX;
}

/** Milliseconds since `stamp` (estimateObjectIdleTime), across one wrap of the clock. */
export function idleTimeMs(stamp: number, nowMs: number): number {
  const clock = lruClock(nowMs);
  return clock >= stamp ? (clock - stamp) * 1000 : (clock + (LRU_CLOCK_MAX - stamp)) * 1000;
}

/** LFUGetTimeInMinutes. */
function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) & 0xffff;
}

/** A fresh LFU stamp: counter LFU_INIT_VAL, decremented now. */
export function lfuInit(nowMs: number): number {
  return (lfuMinutes(nowMs) << 8) | LFU_INIT_VAL;
}

/** An LFU stamp with the given counter (RESTORE FREQ, the RDB FREQ opcode). */
export function lfuWithCounter(counter: number, nowMs: number): number {
  return (lfuMinutes(nowMs) << 8) | (counter & 0xff);
}

/** An LRU stamp for a key idle for `idleSeconds` (objectSetLRUOrLFU: one wrap back at most). */
export function lruWithIdle(idleSeconds: number, nowMs: number): number {
  const stamp = lruClock(nowMs) - idleSeconds;
  return stamp < 0 ? stamp + LRU_CLOCK_MAX : stamp;
}

export interface LfuParams {
  logFactor: number;
  decayTime: number;
}

/** LFUDecrAndReturn: the counter after the decay periods elapsed since the stamp. */
export function lfuCounter(stamp: number, nowMs: number, decayTime: number): number {
  const counter = stamp & 0xff;
  if (decayTime === 0) return counter;
  const now = lfuMinutes(nowMs);
  const last = stamp >>> 8;
  const elapsed = now >= last ? now - last : 65535 - last + now;
  const periods = Math.floor(elapsed / decayTime);
  return periods > counter ? 0 : counter - periods;
}

/** updateLFU: decay, then a logarithmic increment (LFULogIncr), stamped now. */
export function lfuTouch(stamp: number, nowMs: number, p: LfuParams): number {
  let counter = lfuCounter(stamp, nowMs, p.decayTime);
  if (counter < 255) {
    const base = counter - LFU_INIT_VAL;
    if (Math.random() < 1 / ((base < 0 ? 0 : base) * p.logFactor + 1)) counter++;
  }
  return (lfuMinutes(nowMs) << 8) | counter;
}
