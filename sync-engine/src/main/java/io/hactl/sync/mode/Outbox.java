package io.hactl.sync.mode;

import io.hactl.sync.wire.Message;

/** Where a sync mode puts messages for the peer; the engine packs them into datagrams. */
public interface Outbox {
    void add(Message message);

    /** End of a processing pass: send what is packed so far. */
    void flush();
}
