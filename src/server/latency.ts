/*
 * Latency measurement, as Redis 7.0's latency.c and its per-command histograms.
 *
 * LatencyMonitor: named events ("command", "fast-command", later "aof-fsync-always", ...) whose
 * duration reached latency-monitor-threshold ms. Each event keeps the last 160 samples, one per
 * second (a later sample within the same second only raises that second's value), and its all
 * time maximum. LATENCY LATEST / HISTORY / RESET / DOCTOR read it.
 *
 * LatencyHistogram: the HDR histogram Redis keeps per command (INFO latencystats, LATENCY
 * HISTOGRAM). Values are nanoseconds in [1, 1e9] with 2 significant digits, so the bucket layout,
 * the percentile rule and the reported bucket bounds are HdrHistogram's: 256 sub-buckets, each
 * further bucket twice as wide as the previous one.
 */

/** History length for every monitored event (LATENCY_TS_LEN). */
export const LATENCY_TS_LEN = 160;

export interface LatencySample {
  /** Unix time, seconds. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

export class LatencySeries {
  /** Ring of samples, oldest first starting at `idx`; empty slots have time 0. */
  readonly samples: LatencySample[] = Array.from({ length: LATENCY_TS_LEN }, () => ({ time: 0, latency: 0 }));
  /** Index of the next sample to write. */
  idx = 0;
  max = 0;

  add(now: number, latency: number): void {
    if (latency > this.max) this.max = latency;
    const prev = this.samples[(this.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
    if (prev.time === now) {
      if (latency > prev.latency) prev.latency = latency;
      return;
    }
    const slot = this.samples[this.idx];
    slot.time = now;
    slot.latency = latency;
    this.idx = (this.idx + 1) % LATENCY_TS_LEN;
  }

  latest(): LatencySample {
    return this.samples[(this.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
  }

  /** Samples in time order, empty slots skipped. */
  history(): LatencySample[] {
    const out: LatencySample[] = [];
    for (let j = 0; j < LATENCY_TS_LEN; j++) {
      const s = this.samples[(this.idx + j) % LATENCY_TS_LEN];
      if (s.time !== 0) out.push(s);
    }
    return out;
  }
}

export class LatencyMonitor {
  /** In creation order, which is the order LATENCY LATEST lists them. */
  readonly events = new Map<string, LatencySeries>();
  /** latency-monitor-threshold, ms; 0 disables the monitor. */
  thresholdMs = 0;

  /** latencyAddSampleIfNeeded: records `ms` under `event` when it reaches the threshold. */
  addSampleIfNeeded(event: string, ms: number): void {
    if (this.thresholdMs === 0 || ms < this.thresholdMs) return;
    let ts = this.events.get(event);
    if (ts === undefined) {
      ts = new LatencySeries();
      this.events.set(event, ts);
    }
    ts.add(Math.floor(Date.now() / 1000), ms);
  }

  /** Forgets one event (case-insensitively, as Redis) or all when `event` is null; returns how many. */
  reset(event: string | null): number {
    let n = 0;
    for (const name of [...this.events.keys()]) {
      if (event === null || name.toLowerCase() === event.toLowerCase()) {
        this.events.delete(name);
        n++;
      }
    }
    return n;
  }
}

/* ---------------------------------- HDR histogram ---------------------------------- */

const SUB_BUCKET_HALF_MAGNITUDE = 7; // log2(256 / 2): 2 significant digits need 256 sub-buckets
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 255;
export const HISTOGRAM_MIN_NS = 1;
export const HISTOGRAM_MAX_NS = 1_000_000_000;
/** Buckets needed so that 256 << (buckets - 1) exceeds the 1 s maximum: 23. */
const BUCKET_COUNT = 23;
const COUNTS_LEN = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF;

function bucketIndex(v: number): number {
  // Bit length of (v | mask) minus 8; values stay below 2^31, so clz32 is exact.
  return 32 - Math.clz32(v | SUB_BUCKET_MASK) - (SUB_BUCKET_HALF_MAGNITUDE + 1);
}

function countsIndex(v: number): number {
  const b = bucketIndex(v);
  const sub = v >>> b;
  return ((b + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (sub - SUB_BUCKET_HALF);
}

function valueAtIndex(i: number): number {
  let b = (i >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (i & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF;
  if (b < 0) {
    sub -= SUB_BUCKET_HALF;
    b = 0;
  }
  return sub * 2 ** b;
}

/** The largest value that lands in the same bucket as `v`. */
export function highestEquivalent(v: number): number {
  const b = bucketIndex(v);
  const width = 2 ** b;
  return (v >>> b) * width + width - 1;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(COUNTS_LEN);
  total = 0;

  /** Records a duration in nanoseconds, clamped to [1 ns, 1 s]. */
  record(ns: number): void {
    const v = ns < HISTOGRAM_MIN_NS ? HISTOGRAM_MIN_NS : ns > HISTOGRAM_MAX_NS ? HISTOGRAM_MAX_NS : ns;
    this.counts[countsIndex(v)]++;
    this.total++;
  }

  /** hdr_value_at_percentile: the highest value equivalent to the percentile's bucket. */
  valueAtPercentile(percentile: number): number {
    const p = Math.min(percentile, 100);
    const wanted = Math.max(1, Math.floor((p / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < COUNTS_LEN; i++) {
      seen += this.counts[i];
      if (seen >= wanted) return highestEquivalent(valueAtIndex(i));
    }
    return 0;
  }

  /**
   * The cumulative distribution LATENCY HISTOGRAM reports: [usec, count of calls at or below]
   * at power-of-two bounds from 1024 ns, only where the count grows (hdr_iter_log, base 2).
   */
  cumulative(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let seen = 0;
    let previous = 0;
    let i = 0;
    for (let level = 1024; previous < this.total && level < 2 * HISTOGRAM_MAX_NS; level *= 2) {
      const upTo = countsIndex(Math.min(level, HISTOGRAM_MAX_NS));
      for (; i <= upTo; i++) seen += this.counts[i];
      if (seen > previous) out.push([Math.floor(highestEquivalent(level) / 1000), seen]);
      previous = seen;
    }
    return out;
  }
}
