package io.hactl.sync.mode;

import io.hactl.sync.wire.WireException;

/**
 * Validates the flow bodies of a datagram's messages before any of them is delivered, so that an
 * authentic datagram with one bad flow is rejected whole and leaves nothing behind (no flow of
 * it stored, no sequence number taken, no acknowledgement sent).
 */
public interface FlowCheck {
    /** A FLOW_UPDATE body; throws (reason {@code MALFORMED}) when it must not be stored. */
    void flow(byte[] flow) throws WireException;

    /** A FLOW_DELETE body: a flow key; throws (reason {@code MALFORMED}) when it is no key. */
    void key(byte[] key) throws WireException;
}
