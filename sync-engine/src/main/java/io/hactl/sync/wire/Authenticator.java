package io.hactl.sync.wire;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over datagrams with the pair's pre-shared key. One instance per thread (a
 * {@link Mac} is not thread-safe): the transport's event loop owns one.
 */
public final class Authenticator {
    private final Mac mac;
    private final byte[] expected = new byte[Wire.MAC_LEN];

    public Authenticator(byte[] key) {
        if (key.length < KeyFile.MIN_BYTES) {
            throw new IllegalArgumentException("key of " + key.length + " bytes is too short");
        }
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
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
