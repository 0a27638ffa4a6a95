// Node's fast latin1 codecs (what buf.write(s, off, 'latin1') and buf.toString('latin1', a, b)
// call internally), present on every Buffer but missing from @types/node. strata encodes all user
// bytes as latin1 strings, so these are on every hot path.
declare global {
  interface Buffer {
    latin1Write(s: string, offset: number): number;
    latin1Slice(start: number, end: number): string;
  }
}

export {};
