package io.hactl.sync.wire;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Protects datagrams with the pair's pre-shared key: HMAC-SHA256 over them ({@link
 * Encryption#NONE}), or an AEAD with keys derived from it. One instance per thread (a {@link Mac}
 * or {@link javax.crypto.Cipher} is not thread-safe): the transport's event loop owns one.
 */
public final class Authenticator {
    private final Encryption encryption;
    private final Mac mac;
    private final Aead aead;
    private final byte[] expected = new byte[Wire.MAC_LEN];

    /** HMAC-SHA256 only, payload in clear. */
    public Authenticator(byte[] key) {
        this(key, Encryption.NONE);
    }

    public Authenticator(byte[] key, Encryption encryption) {
        if (key.length < KeyFile.MIN_BYTES) {
            throw new IllegalArgumentException("key of " + key.length + " bytes is too short");
        }
        this.encryption = encryption;
        if (encryption != Encryption.NONE) {
            // the raw key only feeds HKDF then: never one key for two algorithms
            mac = null;
            aead = new Aead(encryption, key);
            return;
        }
        aead = null;
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    public Encryption encryption() {
        return encryption;
    }

    /** The AEAD, or null when datagrams carry an HMAC. */
    Aead aead() {
        return aead;
    }

    /** Writes the MAC of {@code buf[from, to)} at {@code to}. */
    public void sign(ByteBuffer buf, int from, int to) {
        mac.update(buf.duplicate().limit(to).position(from));
        byte[] m = mac.doFinal();
        buf.put(to, m);
    }

    /** True when the MAC stored at {@code to} matches {@code buf[from, to)}; compares in constant time. */
    public boolean verify(ByteBuffer buf, int from, int to) {
        mac.update(buf.duplicate().limit(to).position(from));
        byte[] m = mac.doFinal();
        buf.get(to, expected);
        return MessageDigest.isEqual(m, expected);
    }
}
