/*
 * Conversion between in-memory values and the RDB model (storage/rdb/model.ts), both ways. Used by
 * snapshots, RDB loading, DUMP/RESTORE and DEBUG RELOAD. Encoding limits decide the reported
 * encoding of loaded collections as Redis's loader does.
 *
 * Keep in step: a new value type adds one case to each function.
 */

import type { RdbValue, StreamId, StreamValue } from '../../storage/rdb/model.js';
import { stringOf, storedString, type Value } from '../types/object.js';
import { ZSet } from '../types/zset.js';
import { HashObject, type HashLimits } from '../types/hash.js';
import { SetObject } from '../types/set.js';
import { ListValue } from '../types/list.js';
import { Consumer, ConsumerGroup, Stream, StreamNode, u64, type PendingEntry, type StreamID } from '../types/stream.js';

/** Encoding thresholds that loaded values are checked against (the *-max-listpack-* directives). */
export interface EncodingLimits {
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  hash: HashLimits;
  setMaxIntsetEntries: number;
  /** stream-node-max-bytes / -entries: how a stream without a stored layout is split into nodes. */
  streamNodeMaxBytes: number;
  streamNodeMaxEntries: number;
}

export function toRdbValue(v: Value): RdbValue {
  if (typeof v !== 'object') return { type: 'string', value: stringOf(v) };
  switch (v.type) {
    case 'zset': {
      const z = v as ZSet;
      const entries: Array<[string, number]> = [];
      for (const m of z.entries()) entries.push([m.member, m.score]);
      // A listpack holds them lowest score first; Redis saves a skiplist from its tail, highest first.
      if (z.converted) entries.reverse();
      return { type: 'zset', entries, compact: !z.converted };
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
      return fieldExpires.size > 0 ? { type: 'hash', entries, fieldExpires } : { type: 'hash', entries, compact: h.encoding() === 'listpack' };
    }
    case 'set':
      return { type: 'set', members: (v as SetObject).members(), intset: (v as SetObject).encoding() === 'intset' };
    case 'list':
      return { type: 'list', items: (v as ListValue).toArray() };
    case 'stream':
      return streamToRdb(v as Stream);
  }
}

export function fromRdbValue(r: RdbValue, limits: EncodingLimits): Value {
  switch (r.type) {
    case 'string':
      return storedString(r.value);
    case 'zset': {
      const z = new ZSet();
      // Built as doubles; settle() decides the encoding and what it keeps.
      z.converted = true;
      let maxLen = 0;
      for (const [m, s] of r.entries) {
        z.insert(m, s);
        if (m.length > maxLen) maxLen = m.length;
      }
      z.settle(z.size > limits.zsetMaxListpackEntries || maxLen > limits.zsetMaxListpackValue);
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
    case 'stream':
      return streamFromRdb(r, limits);
  }
}

// ---------------------------------------------------------------------------------------------
// Streams: the node layout travels with the entries, so that a loaded stream has the nodes and
// tombstones Redis would have (approximate trimming and XINFO depend on them).

function rdbId(id: StreamID): StreamId {
  return [BigInt(id.ms), BigInt(id.seq)];
}

function memId(id: StreamId): StreamID {
  return { ms: u64(id[0]), seq: u64(id[1]) };
}

function streamToRdb(s: Stream): StreamValue {
  const entries: StreamValue['entries'] = [];
  const nodes: NonNullable<StreamValue['nodes']> = [];
  for (const n of s.nodes) {
    const layout = { master: rdbId(n.master), masterFields: [...n.masterFields], entries: [] as Array<{ id: StreamId; fields: string[]; deleted: boolean }> };
    for (const e of n.entries) {
      const item = { id: rdbId(e.id), fields: e.fields as string[], deleted: e.deleted };
      layout.entries.push(item);
      if (!e.deleted) entries.push(item);
    }
    nodes.push(layout);
  }
  const groups: StreamValue['groups'] = [];
  for (const g of s.groupsInOrder()) {
    groups.push({
      name: g.name,
      lastId: rdbId(g.lastId),
      entriesRead: g.entriesRead,
      pending: g.pel.items.map((p) => ({ id: rdbId(p.id), deliveryTime: p.deliveryTime, deliveryCount: p.deliveryCount })),
      // 7.0 keeps one time per consumer: it stands for the active time of later formats too.
      consumers: g.consumersInOrder().map((c) => ({ name: c.name, seenTime: c.seenTime, activeTime: c.seenTime, pending: c.pel.items.map((p) => rdbId(p.id)) })),
    });
  }
  return {
    type: 'stream',
    entries,
    nodes,
    length: s.length,
    lastId: rdbId(s.lastId),
    firstId: rdbId(s.firstId),
    maxDeletedId: rdbId(s.maxDeletedId),
    entriesAdded: s.entriesAdded,
    groups,
  };
}

function streamFromRdb(r: StreamValue, limits: EncodingLimits): Stream {
  const s = new Stream();
  if (r.nodes !== undefined) {
    for (const layout of r.nodes) {
      const node = new StreamNode(memId(layout.master), layout.masterFields);
      for (const e of layout.entries) node.push({ id: memId(e.id), fields: e.fields, deleted: e.deleted }, e.deleted);
      s.nodes.push(node);
    }
  } else {
    const nodeLimits = { maxBytes: limits.streamNodeMaxBytes, maxEntries: limits.streamNodeMaxEntries };
    for (const e of r.entries) s.append(memId(e.id), e.fields, nodeLimits);
  }
  s.length = r.length;
  s.lastId = memId(r.lastId);
  s.firstId = memId(r.firstId);
  s.maxDeletedId = memId(r.maxDeletedId);
  s.entriesAdded = r.entriesAdded;
  for (const rg of r.groups) {
    const g = new ConsumerGroup(rg.name, memId(rg.lastId), rg.entriesRead);
    const pel = new Map<string, { id: StreamID; deliveryTime: number; deliveryCount: number }>();
    for (const p of rg.pending) pel.set(`${p.id[0]}-${p.id[1]}`, { id: memId(p.id), deliveryTime: p.deliveryTime, deliveryCount: p.deliveryCount });
    for (const rc of rg.consumers) {
      const consumer = new Consumer(rc.name, rc.seenTime);
      g.consumers.set(rc.name, consumer);
      for (const id of rc.pending) {
        const p = pel.get(`${id[0]}-${id[1]}`)!;
        const nack: PendingEntry = { ...p, consumer };
        consumer.pel.insert(nack);
        g.pel.insert(nack);
      }
    }
    s.groups.set(rg.name, g);
  }
  return s;
}
