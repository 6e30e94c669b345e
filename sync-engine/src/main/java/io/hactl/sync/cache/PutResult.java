package io.hactl.sync.cache;

/** What a {@link FlowStore} put did. */
public enum PutResult {
    /** The flow was not held and now is. */
    NEW,
    /** The flow was held with a different state; the new state replaced it. */
    UPDATED,
    /** The flow was held with exactly this state (its timestamp was still refreshed). */
    UNCHANGED,
    /** The flow was not held and the cache is at its limit: refused and counted. */
    REFUSED_FULL
}
