/*
 * SLOWLOG: commands slower than slowlog-log-slower-than microseconds, newest first, at most
 * slowlog-max-len entries. Arguments are trimmed as Redis does (32 args, 128 bytes each).
 */

import type { Client } from './client.js';

const MAX_ARGC = 32;
const MAX_STRING = 128;

export interface SlowlogEntry {
  id: number;
  time: number;
  usec: number;
  argv: string[];
  peer: string;
  name: string;
}

export class Slowlog {
  entries: SlowlogEntry[] = [];
  private nextId = 0;
  thresholdUsec = 10000;
  maxLen = 128;

  consider(c: Client, argv: readonly string[], usec: number): void {
    if (this.thresholdUsec < 0 || usec < this.thresholdUsec) return;
    const args: string[] = [];
    const n = Math.min(argv.length, MAX_ARGC);
    for (let i = 0; i < n; i++) {
      if (i === MAX_ARGC - 1 && argv.length > MAX_ARGC) {
        args.push(`... (${argv.length - MAX_ARGC + 1} more arguments)`);
        break;
      }
      const a = argv[i];
      args.push(a.length > MAX_STRING ? `${a.slice(0, MAX_STRING)}... (${a.length - MAX_STRING} more bytes)` : a);
    }
    this.entries.unshift({ id: this.nextId++, time: Math.floor(Date.now() / 1000), usec, argv: args, peer: c.addr, name: c.name });
    this.trim();
  }

  trim(): void {
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
