/*
 * Conversion between in-memory values and the RDB model (storage/rdb/model.ts), both ways. Used by
 * snapshots, RDB loading, DUMP/RESTORE and DEBUG RELOAD. Encoding limits decide the reported
 * encoding of loaded collections as Redis's loader does.
 *
 * Keep in step: a new value type adds one case to each function.
 */

import type { RdbValue } from '../../storage/rdb/model.js';
import { stringOf, storedString, type Value } from '../types/object.js';
import { ZSet } from '../types/zset.js';

/** Encoding thresholds that loaded values are checked against (the *-max-listpack-* directives). */
export interface EncodingLimits {
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

export class UnsupportedValueError extends Error {}

export function toRdbValue(v: Value): RdbValue {
  if (typeof v !== 'object') return { type: 'string', value: stringOf(v) };
  switch (v.type) {
    case 'zset': {
      const entries: Array<[string, number]> = [];
      for (const m of (v as ZSet).entries()) entries.push([m.member, m.score]);
      return { type: 'zset', entries };
    }
    default:
      throw new UnsupportedValueError(`values of type ${v.type} cannot be serialized yet`);
  }
}

export function fromRdbValue(r: RdbValue, limits: EncodingLimits): Value {
  switch (r.type) {
    case 'string':
      return storedString(r.value);
    case 'zset': {
      const z = new ZSet();
      let maxLen = 0;
      for (const [m, s] of r.entries) {
        z.insert(m, s);
        if (m.length > maxLen) maxLen = m.length;
      }
      z.converted = z.size > limits.zsetMaxListpackEntries || maxLen > limits.zsetMaxListpackValue;
      return z;
    }
    default:
      throw new UnsupportedValueError(`values of type ${r.type} cannot be loaded yet`);
  }
}
