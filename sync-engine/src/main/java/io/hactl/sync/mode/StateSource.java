package io.hactl.sync.mode;

/**
 * Where a sync mode reads the current state of a flow when it (re)transmits it: the internal
 * cache. Reading at send time is what coalesces bursts of updates into one message.
 */
public interface StateSource {
    /** The flow's current compact encoding, or null when the flow is gone (send a delete). */
    byte[] current(FlowKey key);

    /** The key of a flow's compact encoding (its key prefix). */
    FlowKey keyOf(byte[] flow);

    /** How many flows the internal cache holds now: the count the peer checks its external cache against. */
    int flows();
}
