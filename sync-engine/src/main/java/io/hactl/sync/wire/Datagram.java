package io.hactl.sync.wire;

import java.util.List;

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
    private final Message[] messages;
    private final MessageType[] types;
    private final int[] seqs;

    /** A datagram of {@code messages}, their types and numbers taken from them. */
    public Datagram(long epoch, long peerEpoch, long number, List<Message> messages) {
        this(epoch, peerEpoch, number, messages.toArray(new Message[0]), null, null);
    }

    /**
     * As received: {@code types[i]} and {@code seqs[i]} are those of {@code messages[i]}, as its
     * header on the wire gave them (null: taken from the messages). The arrays are kept, not copied.
     */
    Datagram(long epoch, long peerEpoch, long number, Message[] messages, MessageType[] types, int[] seqs) {
        this.epoch = epoch;
        this.peerEpoch = peerEpoch;
        this.number = number;
        this.messages = messages;
        if (types == null) {
            types = new MessageType[messages.length];
            seqs = new int[messages.length];
            for (int i = 0; i < messages.length; i++) {
                types[i] = messages[i].type();
                seqs[i] = messages[i].seq();
            }
        }
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
        return messages.length;
    }

    /** Message {@code i}. */
    public Message message(int i) {
        return messages[i];
    }

    /** The type of message {@code i}. */
    public MessageType type(int i) {
        return types[i];
    }

    /** The sequence number of message {@code i} (0 for the unreliable types). */
    public int seq(int i) {
        return seqs[i];
    }

    /** The messages, in order. */
    public List<Message> messages() {
        return List.of(messages);
    }

    @Override
    public String toString() {
        return "Datagram[epoch=" + epoch + ", peerEpoch=" + peerEpoch + ", number=" + number + ", messages="
                + messages() + "]";
    }
}
