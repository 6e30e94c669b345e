package io.hactl.sync.mode;

import io.hactl.sync.wire.Message;

/** Where a sync mode puts messages for the peer; the engine packs them into datagrams. */
public interface Outbox {
    void add(Message message);

    /** End of a processing pass: send what is packed so far. */
    void flush();

    /** This instance's epoch, carried by every datagram it sends. */
    long epoch();

    /** The peer instance's epoch that datagrams from now on are addressed to; 0 for none. */
    void peerEpoch(long peerEpoch);
}
