package io.hactl.sync.wire;

import java.util.List;

/**
 * An authenticated datagram as received: the sender's epoch (a random number per instance), the
 * epoch of the receiver instance the sender has its session with (0 when it has none), the
 * datagram's number within the sender's epoch, and its messages.
 */
public record Datagram(long epoch, long peerEpoch, long number, List<Message> messages) {
    public Datagram {
        messages = List.copyOf(messages);
    }
}
