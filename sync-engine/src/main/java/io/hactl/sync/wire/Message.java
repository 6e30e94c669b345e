package io.hactl.sync.wire;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One message inside a datagram. Reliable messages carry their sender's sequence number;
 * control messages carry 0 there.
 */
public sealed interface Message {
    MessageType type();

    /** Sequence number of a reliable message; 0 for control messages. */
    default int seq() {
        return 0;
    }

    /**
     * A flow's state in the compact flow encoding (io.hactl.sync.wire.CompactFlow). The array is
     * taken over, not copied (this is the hot path): neither side may modify it afterwards.
     */
    record FlowUpdate(int seq, byte[] flow) implements Message {

        @Override
        public MessageType type() {
            return MessageType.FLOW_UPDATE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FlowUpdate m && m.seq == seq && Arrays.equals(m.flow, flow);
        }

        @Override
        public int hashCode() {
            return 31 * seq + Arrays.hashCode(flow);
        }

        @Override
        public String toString() {
            return "FlowUpdate[seq=" + Integer.toUnsignedString(seq) + ", " + HexFormat.of().formatHex(flow) + "]";
        }
    }

    /** A flow is gone; the body is its key (the key prefix of the compact encoding), taken over, not copied. */
    record FlowDelete(int seq, byte[] key) implements Message {

        @Override
        public MessageType type() {
            return MessageType.FLOW_DELETE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FlowDelete m && m.seq == seq && Arrays.equals(m.key, key);
        }

        @Override
        public int hashCode() {
            return 31 * seq + Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return "FlowDelete[seq=" + Integer.toUnsignedString(seq) + ", " + HexFormat.of().formatHex(key) + "]";
        }
    }

    record BulkBegin(int seq) implements Message {
        @Override
        public MessageType type() {
            return MessageType.BULK_BEGIN;
        }
    }

    /** End of a bulk send of {@code flows} flows. */
    record BulkEnd(int seq, long flows) implements Message {
        public BulkEnd {
            if (flows < 0 || flows > 0xffff_ffffL) {
                throw new IllegalArgumentException("flow count " + flows + " is not a u32");
            }
        }

        @Override
        public MessageType type() {
            return MessageType.BULK_END;
        }
    }

    record ResyncRequest(int seq) implements Message {
        @Override
        public MessageType type() {
            return MessageType.RESYNC_REQUEST;
        }
    }

    /** The sender leaves MASTER: the receiver should load the flows into its kernel now. */
    record Handover(int seq) implements Message {
        @Override
        public MessageType type() {
            return MessageType.HANDOVER;
        }
    }

    /** Every reliable message from {@code from} to {@code to} (inclusive, wrapping) arrived. */
    record Ack(int from, int to) implements Message {
        @Override
        public MessageType type() {
            return MessageType.ACK;
        }
    }

    /** Messages {@code from} to {@code to} (inclusive, wrapping) are missing. */
    record Nack(int from, int to) implements Message {
        @Override
        public MessageType type() {
            return MessageType.NACK;
        }
    }

    /**
     * Liveness and round-trip time. {@code nextSeq} is the sequence number the sender's next
     * reliable message will take, so a receiver notices lost messages at the tail of a burst.
     * {@code echoNanos} repeats the {@code sentNanos} of the last heartbeat received from the
     * peer and {@code heldNanos} how long ago that was: RTT = now - echoNanos - heldNanos, on the
     * peer's own clock.
     */
    record Heartbeat(int nextSeq, long sentNanos, long echoNanos, long heldNanos) implements Message {
        @Override
        public MessageType type() {
            return MessageType.HEARTBEAT;
        }
    }

    /**
     * A challenge: "I am instance (epoch in the header); prove you are live now by echoing
     * {@code nonce}". Sent by a node without a session, or whose peer went silent or jumped
     * ahead, and in answer to a HELLO from an instance it has no session with.
     */
    record Hello(long nonce) implements Message {
        @Override
        public MessageType type() {
            return MessageType.HELLO;
        }
    }

    /** The answer to a HELLO: echoes its nonce, which binds it to that challenge and to now. */
    record HelloBack(long echo) implements Message {
        @Override
        public MessageType type() {
            return MessageType.HELLO_BACK;
        }
    }

    /**
     * What the sender's internal cache held when it sent this: {@code flows} flows, while
     * {@code pending} changes were not yet acknowledged or still queued ({@link #PENDING_UNKNOWN}
     * while a bulk is being sent); {@code nextSeq} is the number its next reliable message takes,
     * so the receiver knows which of its messages the count already reflects.
     */
    record CacheSummary(int nextSeq, long flows, long pending) implements Message {
        /** {@code pending} while a bulk send is queued: its flows are not counted one by one. */
        public static final long PENDING_UNKNOWN = 0xffff_ffffL;

        public CacheSummary {
            if (flows < 0 || flows > 0xffff_ffffL) {
                throw new IllegalArgumentException("flow count " + flows + " is not a u32");
            }
            if (pending < 0 || pending > PENDING_UNKNOWN) {
                throw new IllegalArgumentException("pending count " + pending + " is not a u32");
            }
        }

        @Override
        public MessageType type() {
            return MessageType.CACHE_SUMMARY;
        }
    }
}
