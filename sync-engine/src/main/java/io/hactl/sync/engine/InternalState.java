package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.mode.FlowKey;
import io.hactl.sync.mode.StateSource;
import io.hactl.sync.wire.CompactFlow;
import java.util.Arrays;

/** The internal cache as the sync mode reads it: a flow's current state when it is sent (on the loop). */
final class InternalState implements StateSource {
    private final FlowStore internal;

    InternalState(FlowStore internal) {
        this.internal = internal;
    }

    @Override
    public byte[] current(FlowKey key) {
        int h = internal.handleOfKey(key.bytes());
        return h == FlowStore.NO_HANDLE ? null : internal.encodingAt(h);
    }

    @Override
    public FlowKey keyOf(byte[] flow) {
        return new FlowKey(Arrays.copyOf(flow, CompactFlow.keyLength(flow)));
    }

    @Override
    public int flows() {
        return internal.size();
    }
}
