/*
 * A binary min-heap of (time, name) pairs in two parallel arrays: the earliest time is at index 0.
 * Used for field TTLs inside a hash and for the per-database queue of hashes with field TTLs.
 * Entries are never updated in place; users push a new entry and recognise stale ones when they
 * reach the top (lazy deletion).
 */

export class TimeHeap {
  times: number[] = [];
  names: string[] = [];

  get size(): number {
    return this.times.length;
  }

  push(time: number, name: string): void {
    const t = this.times;
    const n = this.names;
    let i = t.length;
    t.push(time);
    n.push(name);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (t[parent] <= time) break;
      t[i] = t[parent];
      n[i] = n[parent];
      i = parent;
    }
    t[i] = time;
    n[i] = name;
  }

  /** Removes the top entry (the heap must not be empty). */
  pop(): void {
    const t = this.times;
    const n = this.names;
    const lastTime = t.pop()!;
    const lastName = n.pop()!;
    const size = t.length;
    if (size === 0) return;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && t[child + 1] < t[child]) child++;
      if (t[child] >= lastTime) break;
      t[i] = t[child];
      n[i] = n[child];
      i = child;
    }
    t[i] = lastTime;
    n[i] = lastName;
  }

  clear(): void {
    this.times = [];
    this.names = [];
  }

  clone(): TimeHeap {
    const h = new TimeHeap();
    h.times = this.times.slice();
    h.names = this.names.slice();
    return h;
  }
}
