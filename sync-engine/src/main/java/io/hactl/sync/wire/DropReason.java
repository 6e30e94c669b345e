package io.hactl.sync.wire;

/** Why a received datagram (or a message in it) was dropped; each is counted separately. */
public enum DropReason {
    /**
     * Not from the configured peer's address and port: dropped before any MAC or parse work, and
     * never logged as the peer's.
     */
    BAD_SOURCE,
    /** Shorter than header + MAC, or its payload length disagrees with its size. */
    TRUNCATED,
    /** Does not start with the hactl magic: not ours. */
    BAD_MAGIC,
    /** Another protocol version. */
    BAD_VERSION,
    /** The HMAC does not match: wrong key or forged. */
    BAD_MAC,
    /** Authentic and of the session, but its number was seen before or is older than the window. */
    REPLAYED,
    /**
     * Authentic, but neither from the peer instance of the session nor addressed to this instance
     * (an old instance's datagram, or the peer's before the handshake completed); only its
     * HELLO or HELLO_BACK, bound to a fresh nonce, is looked at.
     */
    NO_SESSION,
    /**
     * Authentic and of the session, but its datagram number or a sequence number runs further
     * ahead than a peer can legitimately have moved on: not used to move the window or to count
     * losses; the peer is challenged to prove where it really is.
     */
    SEQUENCE_JUMP,
    /** Authentic but a message inside is malformed (bad lengths, bad flow encoding). */
    MALFORMED,
    /** A message type this version does not know. */
    UNKNOWN_MESSAGE,
    /**
     * Protected another way than this gateway is configured for (its header flags name another
     * {@code sync.encryption}, or none this version knows): both gateways must agree.
     */
    ENCRYPTION_MISMATCH
}
