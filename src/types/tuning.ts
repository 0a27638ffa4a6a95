/*
 * Process-wide tuning knobs that are not config directives but that DEBUG changes for tests, read
 * by the data types (as Redis's quicklist packed_threshold static).
 */

const DEFAULT_PACKED_THRESHOLD = 1 << 30;

export const tuning = {
  /** List elements at least this large go in plain (unpacked) quicklist nodes. */
  quicklistPackedThreshold: DEFAULT_PACKED_THRESHOLD,
  defaultQuicklistPackedThreshold: DEFAULT_PACKED_THRESHOLD,
};
