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
import { HashObject, type HashLimits } from '../types/hash.js';
import { SetObject } from '../types/set.js';
import { ListValue } from '../types/list.js';

/** Encoding thresholds that loaded values are checked against (the *-max-listpack-* directives). */
export interface EncodingLimits {
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  hash: HashLimits;
  setMaxIntsetEntries: number;
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
    case 'hash': {
      const h = v as HashObject;
      const entries: Array<[string, string]> = [];
      const fieldExpires = new Map<string, number>();
      for (let i = 0; i < h.size; i++) {
        const f = h.fieldAt(i);
        entries.push([f, h.valueAt(i)]);
        const at = h.getExpire(f);
        if (at >= 0) fieldExpires.set(f, at);
      }
      return fieldExpires.size > 0 ? { type: 'hash', entries, fieldExpires } : { type: 'hash', entries };
    }
    case 'set':
      return { type: 'set', members: (v as SetObject).members() };
    case 'list':
      return { type: 'list', items: (v as ListValue).toArray() };
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
    case 'hash': {
      const h = new HashObject();
      if (r.fieldExpires !== undefined && r.fieldExpires.size > 0) h.enableTtls();
      for (const [f, x] of r.entries) h.set(f, x, limits.hash);
      if (r.fieldExpires !== undefined) for (const [f, at] of r.fieldExpires) h.setExpire(f, at);
      return h;
    }
    case 'list':
      return ListValue.from(r.items);
    case 'set': {
      const set = SetObject.forFirstMember(r.members[0]);
      for (const m of r.members) set.add(m, limits.setMaxIntsetEntries);
      return set;
    }
    default:
      throw new UnsupportedValueError(`values of type ${r.type} cannot be loaded yet`);
  }
}
