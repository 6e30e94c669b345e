/**
 * The flow caches: the internal cache (this node's kernel flows) and the external cache (the
 * peer's) are each a {@link io.hactl.sync.cache.FlowStore}.
 *
 * <h2>Layout</h2>
 * Each flow is held as its {@link io.hactl.sync.wire.CompactFlow} encoding (typically 36 bytes for
 * IPv4 TCP), packed with the others into 64 KiB pages, with its metadata in parallel primitive
 * arrays indexed by an int <em>handle</em>: where its record is, its length, the time of the last
 * put and the hash of its key ({@link io.hactl.sync.cache.FlowSlab}). An open-addressing index
 * (linear probing, at most 3/4 full, backward-shift deletion so there are no tombstones) maps the
 * key prefix of the encoding to the handle ({@link io.hactl.sync.cache.FlowIndex}); a slot keeps
 * the key hash's high bits beside the handle, so a probe passes other keys without reading the
 * slab. No object is kept per flow, so a garbage collection has nothing per flow to mark or move:
 * about 66 bytes of heap per IPv4 TCP flow and 90 per IPv6 TCP flow by the object layout
 * (FlowStoreMemoryTest holds the store to it; see
 * {@link io.hactl.sync.cache.FlowStore#estimatedHeapBytes()}). Reads copy the encoding out; a
 * batch of encodings on its way to the kernel is packed the same way
 * ({@link io.hactl.sync.cache.EncodingList}). The key hash is SipHash with a
 * random key per cache ({@link io.hactl.sync.cache.KeyHash}), because remote hosts choose the tuples.
 */
package io.hactl.sync.cache;
