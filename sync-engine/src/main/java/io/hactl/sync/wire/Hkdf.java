package io.hactl.sync.wire;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF with HMAC-SHA256 (RFC 5869), over the JDK's HMAC. */
final class Hkdf {
    private static final int HASH_LEN = 32;

    private Hkdf() {}

    /** RFC 5869 section 2.2: PRK = HMAC-Hash(salt, IKM). */
    static byte[] extract(byte[] salt, byte[] ikm) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[HASH_LEN] : salt, "HmacSHA256"));
            return mac.doFinal(ikm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /**
     * RFC 5869 section 2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), the first {@code length}
     * bytes of T(1) | T(2) ...; {@code mac} must already be keyed with the PRK.
     */
    static byte[] expand(Mac mac, byte[] info, int length) {
        if (length < 1 || length > 255 * HASH_LEN) {
            throw new IllegalArgumentException("HKDF output of " + length + " bytes");
        }
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        for (int i = 1, done = 0; done < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        return out;
    }

    /** A MAC keyed with {@code prk}, for {@link #expand}. */
    static Mac keyed(byte[] prk) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
