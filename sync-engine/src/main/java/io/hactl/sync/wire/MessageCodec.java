package io.hactl.sync.wire;

import java.nio.ByteBuffer;

/**
 * Encodes and decodes single messages (big-endian). Stateless. Decoding checks every length
 * before reading and reports bad input as a {@link WireException}.
 *
 * <pre>
 * type u8 | flags u8 (0) | length u16 (whole message) | seq u32 | body
 * FLOW_UPDATE    body: compact flow bytes
 * FLOW_DELETE    body: compact flow key bytes
 * BULK_BEGIN     body: -
 * BULK_END       body: flows u32
 * RESYNC_REQUEST body: -
 * HANDOVER       body: -
 * ACK, NACK      body: from u32, to u32
 * HEARTBEAT      body: nextSeq u32, sentNanos u64, echoNanos u64, heldNanos u64
 * HELLO          body: nonce u64
 * HELLO_BACK     body: echo u64
 * CACHE_SUMMARY  body: nextSeq u32, flows u32, pending u32
 * </pre>
 */
public final class MessageCodec {
    private MessageCodec() {}

    /**
     * Encoded size of {@code m}, header included. The fixed lengths come from a table, not from a
     * branch per type: the JIT compiles a switch for the types it has seen, and a type it has not
     * (a bulk's first BULK_BEGIN after hours of updates) would throw the compiled send path away.
     */
    public static int size(Message m) {
        int body = m.type().bodyLength();
        if (body == MessageType.VARIABLE) {
            body = m instanceof Message.FlowUpdate u ? u.flow().length : ((Message.FlowDelete) m).key().length;
        }
        return Wire.MESSAGE_HEADER_LEN + body;
    }

    public static void encode(Message m, ByteBuffer out) {
        int len = size(m);
        if (len > 0xffff) {
            throw new IllegalArgumentException(m.type() + " of " + len + " bytes exceeds 65535");
        }
        out.put((byte) m.type().code());
        out.put((byte) 0);
        out.putShort((short) len);
        out.putInt(m.seq());
        switch (m.type()) {
            case FLOW_UPDATE -> out.put(((Message.FlowUpdate) m).flow());
            case FLOW_DELETE -> out.put(((Message.FlowDelete) m).key());
            case BULK_BEGIN, RESYNC_REQUEST, HANDOVER -> { }
            case BULK_END -> out.putInt((int) ((Message.BulkEnd) m).flows());
            case ACK -> {
                Message.Ack a = (Message.Ack) m;
                out.putInt(a.from()).putInt(a.to());
            }
            case NACK -> {
                Message.Nack n = (Message.Nack) m;
                out.putInt(n.from()).putInt(n.to());
            }
            case HEARTBEAT -> {
                Message.Heartbeat h = (Message.Heartbeat) m;
                out.putInt(h.nextSeq()).putLong(h.sentNanos()).putLong(h.echoNanos()).putLong(h.heldNanos());
            }
            case HELLO -> out.putLong(((Message.Hello) m).nonce());
            case HELLO_BACK -> out.putLong(((Message.HelloBack) m).echo());
            case CACHE_SUMMARY -> {
                Message.CacheSummary c = (Message.CacheSummary) m;
                out.putInt(c.nextSeq()).putInt((int) c.flows()).putInt((int) c.pending());
            }
        }
    }

    /**
     * Decodes the message at {@code in}'s position, which must lie within {@code in}'s limit;
     * moves the position past it.
     */
    public static Message decode(ByteBuffer in) throws WireException {
        int start = in.position();
        int remaining = in.remaining();
        if (remaining < Wire.MESSAGE_HEADER_LEN) {
            throw new WireException(DropReason.MALFORMED, remaining + " trailing bytes, too short for a message header");
        }
        int code = Byte.toUnsignedInt(in.get(start));
        int flags = Byte.toUnsignedInt(in.get(start + 1));
        int len = Short.toUnsignedInt(in.getShort(start + 2));
        int seq = in.getInt(start + Wire.MESSAGE_SEQ_AT);
        if (len < Wire.MESSAGE_HEADER_LEN || len > remaining) {
            throw new WireException(DropReason.MALFORMED, "message type " + code + " has length " + len
                    + ", outside " + Wire.MESSAGE_HEADER_LEN + ".." + remaining);
        }
        MessageType type = MessageType.valueOf(code);
        if (flags != 0) {
            throw new WireException(DropReason.MALFORMED, type + " has unknown flags 0x" + Integer.toHexString(flags));
        }
        int bodyLen = len - Wire.MESSAGE_HEADER_LEN;
        if (type.bodyLength() != MessageType.VARIABLE && bodyLen != type.bodyLength()) {
            throw new WireException(DropReason.MALFORMED, type + " body has length " + bodyLen + ", expected "
                    + type.bodyLength());
        }
        in.position(start + Wire.MESSAGE_HEADER_LEN);
        Message m = switch (type) {
            case FLOW_UPDATE -> new Message.FlowUpdate(seq, bytes(in, bodyLen, type));
            case FLOW_DELETE -> new Message.FlowDelete(seq, bytes(in, bodyLen, type));
            case BULK_BEGIN -> new Message.BulkBegin(seq);
            case BULK_END -> new Message.BulkEnd(seq, Integer.toUnsignedLong(in.getInt()));
            case RESYNC_REQUEST -> new Message.ResyncRequest(seq);
            case HANDOVER -> new Message.Handover(seq);
            case ACK -> new Message.Ack(in.getInt(), in.getInt());
            case NACK -> new Message.Nack(in.getInt(), in.getInt());
            case HEARTBEAT -> new Message.Heartbeat(in.getInt(), in.getLong(), in.getLong(), in.getLong());
            case HELLO -> new Message.Hello(in.getLong());
            case HELLO_BACK -> new Message.HelloBack(in.getLong());
            case CACHE_SUMMARY -> new Message.CacheSummary(in.getInt(), Integer.toUnsignedLong(in.getInt()),
                    Integer.toUnsignedLong(in.getInt()));
        };
        if (!type.reliable() && seq != 0) {
            throw new WireException(DropReason.MALFORMED, type + " carries sequence number " + seq + ", expected 0");
        }
        in.position(start + len);
        return m;
    }

    private static byte[] bytes(ByteBuffer in, int len, MessageType type) throws WireException {
        if (len == 0) {
            throw new WireException(DropReason.MALFORMED, type + " has an empty body");
        }
        byte[] b = new byte[len];
        in.get(b);
        return b;
    }
}
