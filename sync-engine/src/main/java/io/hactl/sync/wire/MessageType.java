package io.hactl.sync.wire;

/** Message types on the wire. Numbers are pinned (PROTOCOL.md); unknown numbers are rejected. */
public enum MessageType {
    /** A flow's current state (create or update: the latest state wins). Reliable. */
    FLOW_UPDATE(1, true, MessageType.VARIABLE),
    /** A flow is gone. Reliable. */
    FLOW_DELETE(2, true, MessageType.VARIABLE),
    /** The sender starts a bulk send of its whole internal cache. Reliable. */
    BULK_BEGIN(3, true, 0),
    /** The bulk send is complete; carries the number of flows sent. Reliable. */
    BULK_END(4, true, 4),
    /** Asks the peer for a bulk send of its internal cache. Reliable. */
    RESYNC_REQUEST(5, true, 0),
    /**
     * The sender is leaving MASTER: load my flows into your kernel now, before your VRRP takes
     * the addresses over. Reliable.
     */
    HANDOVER(6, true, 0),
    /** Receiver got every reliable message in [from, to]. */
    ACK(16, false, 8),
    /** Receiver is missing [from, to]: resend them. */
    NACK(17, false, 8),
    /** Liveness, round-trip time and the sender's next sequence number (reveals tail loss). */
    HEARTBEAT(18, false, 28),
    /** A challenge: "I am instance (epoch in the header), echo this nonce". */
    HELLO(19, false, 8),
    /** Answer to HELLO, echoing its nonce. */
    HELLO_BACK(20, false, 8),
    /**
     * The sender's internal cache size and what it still has in flight, so the receiver can check
     * its external cache against it. Sent alone in its datagram, after each heartbeat.
     */
    CACHE_SUMMARY(21, false, 12);

    /** {@link #bodyLength} of the types whose body is as long as the flow or key it carries. */
    public static final int VARIABLE = -1;

    private final int code;
    private final boolean reliable;
    private final int bodyLength;

    MessageType(int code, boolean reliable, int bodyLength) {
        this.code = code;
        this.reliable = reliable;
        this.bodyLength = bodyLength;
    }

    /** The length of the body (the message without its header), or {@link #VARIABLE}. */
    public int bodyLength() {
        return bodyLength;
    }

    public int code() {
        return code;
    }

    /** Reliable messages take a sequence number, are acknowledged and resent when lost. */
    public boolean reliable() {
        return reliable;
    }

    /** The type of a wire number; throws for a number this version does not know. */
    public static MessageType valueOf(int code) throws WireException {
        MessageType t = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (t == null) {
            throw new WireException(DropReason.UNKNOWN_MESSAGE, "unknown message type " + code);
        }
        return t;
    }

    /** Types by wire number (one per message received: no values() copy each time). */
    private static final MessageType[] BY_CODE = new MessageType[256];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }
}
