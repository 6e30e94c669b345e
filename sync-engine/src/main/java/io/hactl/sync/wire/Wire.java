package io.hactl.sync.wire;

/**
 * hactl's own sync protocol numbers (sync-engine/PROTOCOL.md). Pinned: a number, once released,
 * is never renumbered or reused.
 */
public final class Wire {
    private Wire() {}

    /** First two bytes of every datagram: "hc". */
    public static final int MAGIC = 0x6863;
    /**
     * Protocol version this code speaks. A datagram of another version is dropped and counted.
     * 1: epochs from the wall clock; 2: random epochs, a challenge handshake, the receiver's epoch
     * in every header.
     */
    public static final int VERSION = 2;

    /** magic(2) version(1) flags(1) epoch(8) peer-epoch(8) datagram-number(8) payload-length(2). */
    public static final int HEADER_LEN = 30;
    /** Header offsets. */
    static final int EPOCH_AT = 4;
    static final int PEER_EPOCH_AT = 12;
    static final int NUMBER_AT = 20;
    static final int PAYLOAD_LENGTH_AT = 28;

    /**
     * Most a datagram number may run ahead of the highest one accepted in a session: 65,536
     * datagrams (about 96 MB at 1,472 bytes) lost in a row. Anything further is dropped
     * ({@code SEQUENCE_JUMP}) and the sender's liveness is challenged again instead.
     */
    public static final long MAX_DATAGRAM_JUMP = 1L << 16;
    /**
     * Most a reliable message's sequence number (or a heartbeat's next one) may run ahead of the
     * one expected: 2^20 messages, eight times the default resend limit.
     */
    public static final int MAX_SEQUENCE_JUMP = 1 << 20;
    /** HMAC-SHA256 trailer over header and payload. */
    public static final int MAC_LEN = 32;
    /**
     * Most bytes a datagram carries besides its payload: header and HMAC. An encrypted one
     * carries a {@value #AEAD_TAG_LEN}-byte tag instead of the HMAC, so this bounds both.
     */
    public static final int OVERHEAD = HEADER_LEN + MAC_LEN;
    /** AES-GCM and ChaCha20-Poly1305 tag that replaces the HMAC when encrypted. */
    public static final int AEAD_TAG_LEN = 16;
    /** Header flags byte offset; its value is an {@link Encryption}'s flag. */
    static final int FLAGS_AT = 3;

    /** type(1) flags(1) length(2) seq(4): every message starts so; length counts the header. */
    public static final int MESSAGE_HEADER_LEN = 8;
    /** Where a message's sequence number (u32) lies in its header. */
    public static final int MESSAGE_SEQ_AT = 4;

    /** IPv4 (20) + UDP (8) headers: a datagram for a path MTU of M carries at most M - 28 bytes. */
    public static final int IPV4_UDP_OVERHEAD = 28;
    /** IPv6 (40) + UDP (8). */
    public static final int IPV6_UDP_OVERHEAD = 48;
    /** Largest datagram hactl sends or accepts. */
    public static final int MAX_DATAGRAM = 65_507;
}
