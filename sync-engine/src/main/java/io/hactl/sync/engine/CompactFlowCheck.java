package io.hactl.sync.engine;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;
import io.hactl.sync.mode.FlowCheck;
import io.hactl.sync.wire.DropReason;
import io.hactl.sync.wire.WireException;

/** The engine's {@link FlowCheck}: flows from the peer must be canonical compact encodings. */
public final class CompactFlowCheck implements FlowCheck {
    public static final CompactFlowCheck INSTANCE = new CompactFlowCheck();

    private CompactFlowCheck() {}

    @Override
    public void flow(byte[] flow) throws WireException {
        try {
            CompactFlow.check(flow); // the common shape without building the flow
        } catch (CompactFlowException e) {
            throw new WireException(DropReason.MALFORMED, "FLOW_UPDATE: " + e.getMessage());
        }
    }

    @Override
    public void key(byte[] key) throws WireException {
        if (!CompactFlow.isKey(key)) {
            throw new WireException(DropReason.MALFORMED, "FLOW_DELETE: " + key.length
                    + " bytes are not a flow key");
        }
    }
}
