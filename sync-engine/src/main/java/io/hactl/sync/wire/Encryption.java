package io.hactl.sync.wire;

/**
 * How datagrams are protected (PROTOCOL.md, "Encryption"). The value is the header's flags byte:
 * pinned, never renumbered. Both gateways must be configured alike; a datagram protected another
 * way is dropped as {@link DropReason#ENCRYPTION_MISMATCH}.
 */
public enum Encryption {
    /** HMAC-SHA256 trailer, payload in clear: the protocol as before encryption existed. */
    NONE(0x00, "none", null),
    /** AES-256-GCM, 16-byte tag (NIST SP 800-38D). */
    AES_256_GCM(0x01, "aes-256-gcm", "AES/GCM/NoPadding"),
    /** ChaCha20-Poly1305, 16-byte tag (RFC 8439). */
    CHACHA20_POLY1305(0x02, "chacha20-poly1305", "ChaCha20-Poly1305");

    /** Every one, read once per datagram received: no values() copy each time. */
    private static final Encryption[] ALL = values();

    private final int flag;
    private final String configName;
    private final String transformation;

    Encryption(int flag, String configName, String transformation) {
        this.flag = flag;
        this.configName = configName;
        this.transformation = transformation;
    }

    /** The header flags byte of a datagram so protected. */
    public int flag() {
        return flag;
    }

    /** As written in hactl.yaml. */
    public String configName() {
        return configName;
    }

    /** JCA cipher transformation; null for {@link #NONE}. */
    String transformation() {
        return transformation;
    }

    /** The one whose flag this is, or null for a flags byte no version defines. */
    public static Encryption ofFlag(int flag) {
        for (Encryption e : ALL) {
            if (e.flag == flag) {
                return e;
            }
        }
        return null;
    }

    /** The one with this hactl.yaml name, or null. */
    public static Encryption ofConfigName(String name) {
        for (Encryption e : values()) {
            if (e.configName.equals(name)) {
                return e;
            }
        }
        return null;
    }
}
