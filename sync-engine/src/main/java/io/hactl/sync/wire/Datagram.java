package io.hactl.sync.wire;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An authenticated datagram as received: the sender's epoch (a random number per instance), the
 * epoch of the receiver instance the sender has its session with (0 when it has none), the
 * datagram's number within the sender's epoch, and its messages.
 *
 * <p>Each message's type and sequence number are also kept apart, as read from its header: the
 * receive path reads them here rather than asking each message, a call on whichever record type it
 * is, which the JIT compiles for the types live replication shows it and compiles again when a
 * bulk's first BULK_BEGIN comes by.
 */
public final class Datagram {
    private final long epoch;
    private final long peerEpoch;
    private final long number;
    private final int size;
    private final Message[] messages;
    private final MessageType[] types;
    private final int[] seqs;

    /**
     * As received: the first {@code size} entries of each array, {@code types[i]} and
     * {@code seqs[i]} those of {@code messages[i]} as its header gave them. The arrays are kept,
     * not copied.
     */
    Datagram(long epoch, long peerEpoch, long number, int size, Message[] messages, MessageType[] types, int[] seqs) {
        this.epoch = epoch;
        this.peerEpoch = peerEpoch;
        this.number = number;
        this.size = size;
        this.messages = messages;
        this.types = types;
        this.seqs = seqs;
    }

    public long epoch() {
        return epoch;
    }

    public long peerEpoch() {
        return peerEpoch;
    }

    public long number() {
        return number;
    }

    /** How many messages it holds. */
    public int size() {
        return size;
    }

    /** Message {@code i}. */
    public Message message(int i) {
        return messages[Objects.checkIndex(i, size)];
    }

    /** The type of message {@code i}. */
    public MessageType type(int i) {
        return types[Objects.checkIndex(i, size)];
    }

    /** The sequence number of message {@code i} (0 for the unreliable types). */
    public int seq(int i) {
        return seqs[Objects.checkIndex(i, size)];
    }

    /** The messages, in order. */
    public List<Message> messages() {
        return List.of(Arrays.copyOf(messages, size));
    }

    @Override
    public String toString() {
        return "Datagram[epoch=" + epoch + ", peerEpoch=" + peerEpoch + ", number=" + number + ", messages="
                + messages() + "]";
    }
}
