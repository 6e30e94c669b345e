package io.hactl.sync.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts datagram payloads with an AEAD (PROTOCOL.md, "Encryption"). The cipher
 * key is derived per sender epoch from the pre-shared key with HKDF-SHA256, so the raw key is
 * never used by two algorithms and two instances never share a key unless their random epochs
 * collide. The nonce is the epoch's low 32 bits and the 64-bit datagram number, which a sender
 * never repeats within its epoch. One instance per thread: a {@link Cipher} is not thread-safe.
 */
final class Aead {
    /** Tag length of both AES-GCM and ChaCha20-Poly1305. */
    static final int TAG_LEN = Wire.AEAD_TAG_LEN;
    static final int NONCE_LEN = 12;
    static final int KEY_LEN = 32;
    /** HKDF-Extract salt: binds the derived keys to this protocol. */
    static final byte[] SALT = "hactl sync v2".getBytes(StandardCharsets.US_ASCII);

    private final Encryption encryption;
    private final Cipher cipher;
    private final Mac expand;
    private final byte[] nonce = new byte[NONCE_LEN];
    private final byte[] header = new byte[Wire.HEADER_LEN];
    private final ByteBuffer nonceBuf = ByteBuffer.wrap(nonce).order(ByteOrder.BIG_ENDIAN);
    /** Decrypted payloads; messages are copied out of it while decoding. */
    private final ByteBuffer plain = ByteBuffer.allocate(Wire.MAX_DATAGRAM).order(ByteOrder.BIG_ENDIAN);
    // Slot 0: our own epoch's key. Slots 1 and 2: receive keys; new epochs go into the slot that
    // did not last decrypt an authentic datagram, so forged or stray epochs never evict the key
    // of the peer's current epoch.
    private final long[] epochs = new long[3];
    private final SecretKeySpec[] keys = new SecretKeySpec[3];
    private static final int SEND = 0;
    private int authenticSlot = 1;
    private long lastEpoch;
    private long lastNumber = -1; // no sender seals a negative number

    Aead(Encryption encryption, byte[] key) {
        if (encryption == Encryption.NONE) {
            throw new IllegalArgumentException("no AEAD for " + encryption);
        }
        this.encryption = encryption;
        this.expand = Hkdf.keyed(Hkdf.extract(SALT, key));
        try {
            this.cipher = Cipher.getInstance(encryption.transformation());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(encryption.transformation() + " is part of every Java 17 runtime", e);
        }
    }

    /** HKDF-Expand info for the key of one sender epoch: the cipher's name, a space, the epoch. */
    static byte[] info(Encryption encryption, long epoch) {
        byte[] name = ("hactl aead " + encryption.configName() + " ").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(name.length + 8).put(name).putLong(epoch);
        return b.array();
    }

    /**
     * Encrypts {@code buf[payloadAt, payloadAt + payloadLen)} in place and writes the tag after
     * it; the header {@code buf[headerAt, payloadAt)} is the associated data.
     */
    void seal(ByteBuffer buf, int headerAt, int payloadAt, int payloadLen, long epoch, long number) {
        if (number < 0) {
            // 2^63 datagrams: unreachable, but a repeated nonce would give the key away
            throw new IllegalStateException("datagram numbers of epoch " + Long.toHexString(epoch) + " are used up");
        }
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key(SEND, epoch), spec(epoch, number));
            cipher.updateAAD(aad(buf, headerAt, payloadAt));
            ByteBuffer in = buf.duplicate().limit(payloadAt + payloadLen).position(payloadAt);
            ByteBuffer out = buf.duplicate().limit(payloadAt + payloadLen + TAG_LEN).position(payloadAt);
            cipher.doFinal(in, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt with " + encryption.configName(), e);
        }
    }

    /**
     * Checks the tag and decrypts {@code buf[payloadAt, payloadAt + payloadLen + TAG_LEN)};
     * returns the plaintext (valid until the next call), or null when the tag does not match.
     */
    ByteBuffer open(ByteBuffer buf, int headerAt, int payloadAt, int payloadLen, long epoch, long number) {
        plain.clear();
        int slot = receiveSlot(epoch);
        try {
            SecretKeySpec key = key(slot, epoch);
            if (epoch == lastEpoch && number == lastNumber) {
                // the JDK's ChaCha20 refuses to init twice in a row with one key and nonce, even
                // to decrypt; a duplicated or replayed datagram must still just be dropped later
                cipher.init(Cipher.DECRYPT_MODE, key, spec(epoch, ~number));
            }
            lastEpoch = epoch;
            lastNumber = number;
            cipher.init(Cipher.DECRYPT_MODE, key, spec(epoch, number));
            cipher.updateAAD(aad(buf, headerAt, payloadAt));
            cipher.doFinal(buf.duplicate().limit(payloadAt + payloadLen + TAG_LEN).position(payloadAt), plain);
        } catch (GeneralSecurityException e) {
            // a bad tag, or anything else the cipher refuses in what the network brought: the
            // datagram is not authentic and is dropped (counted by the caller), never thrown
            // out of the receive loop
            return null;
        }
        authenticSlot = slot;
        return plain.flip();
    }

    /**
     * The header as an array: Java 17's ChaCha20-Poly1305 computes a wrong tag from
     * {@code updateAAD(ByteBuffer)} (EncryptedDatagramTest's known answer catches it).
     */
    private byte[] aad(ByteBuffer buf, int from, int to) {
        buf.get(from, header, 0, to - from);
        return header;
    }

    private AlgorithmParameterSpec spec(long epoch, long number) {
        nonceBuf.putInt(0, (int) epoch).putLong(4, number);
        return encryption == Encryption.AES_256_GCM ? new GCMParameterSpec(TAG_LEN * 8, nonce)
                : new IvParameterSpec(nonce);
    }

    private int receiveSlot(long epoch) {
        for (int i = 1; i < keys.length; i++) {
            if (keys[i] != null && epochs[i] == epoch) {
                return i;
            }
        }
        return authenticSlot == 1 ? 2 : 1;
    }

    private SecretKeySpec key(int slot, long epoch) {
        if (keys[slot] == null || epochs[slot] != epoch) {
            keys[slot] = new SecretKeySpec(Hkdf.expand(expand, info(encryption, epoch), KEY_LEN),
                    encryption == Encryption.AES_256_GCM ? "AES" : "ChaCha20");
            epochs[slot] = epoch;
        }
        return keys[slot];
    }
}
