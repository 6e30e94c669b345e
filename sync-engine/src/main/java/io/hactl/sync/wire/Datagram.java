package io.hactl.sync.wire;

import java.util.List;

/**
 * An authenticated datagram as received: the sender's epoch (its start time, which grows with
 * every restart), the datagram's number within that epoch, and its messages.
 */
public record Datagram(long epoch, long number, List<Message> messages) {
    public Datagram {
        messages = List.copyOf(messages);
    }
}
