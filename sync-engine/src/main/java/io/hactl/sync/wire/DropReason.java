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
    /** Authentic but seen before (same epoch and datagram number, or an older epoch). */
    REPLAYED,
    /** Authentic but a message inside is malformed (bad lengths, bad flow encoding). */
    MALFORMED,
    /** A message type this version does not know. */
    UNKNOWN_MESSAGE
}
