package io.hactl.sync.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Seals messages into an authenticated datagram and opens received ones. Stateless apart from
 * the {@link Authenticator} passed in; replay checks belong to the peer's {@link ReplayWindow}.
 *
 * <pre>
 * offset  size  field
 *  0      2     magic 0x6863 ("hc")
 *  2      1     version (2)
 *  3      1     flags: the {@link Encryption} (0 none, 1 AES-256-GCM, 2 ChaCha20-Poly1305)
 *  4      8     epoch: the sender instance's random number, new at every start, never 0
 * 12      8     peer epoch: the receiver instance the sender has its session with; 0 for none
 * 20      8     datagram number within the epoch, from 0 (replay window; never wraps)
 * 28      2     payload length P
 * 30      P     messages (MessageCodec)
 * 30+P    32    HMAC-SHA256 of bytes 0 .. 30+P
 * </pre>
 * Encrypted (flags 1 or 2), the messages are the AEAD's ciphertext of the same length, the
 * header bytes 0 .. 30 its associated data, and its 16-byte tag takes the HMAC's place.
 */
public final class DatagramCodec {
    /** Room for this many messages first; a datagram of flows holds about 20. */
    private static final int MESSAGES_FIRST = 32;

    private DatagramCodec() {}

    /** Writes header, payload and MAC into {@code out} from its position; returns the datagram size. */
    public static int seal(ByteBuffer out, long epoch, long peerEpoch, long number, List<Message> messages,
                           Authenticator auth) {
        int start = out.position();
        out.order(ByteOrder.BIG_ENDIAN);
        out.putShort((short) Wire.MAGIC);
        out.put((byte) Wire.VERSION);
        out.put((byte) auth.encryption().flag());
        out.putLong(epoch);
        out.putLong(peerEpoch);
        out.putLong(number);
        int lenAt = out.position();
        out.putShort((short) 0);
        int payloadStart = out.position();
        for (Message m : messages) {
            MessageCodec.encode(m, out);
        }
        int payloadLen = out.position() - payloadStart;
        if (payloadLen > Wire.MAX_DATAGRAM - Wire.OVERHEAD) {
            throw new IllegalArgumentException("payload of " + payloadLen + " bytes exceeds a datagram");
        }
        out.putShort(lenAt, (short) payloadLen);
        int macAt = out.position();
        Aead aead = auth.aead();
        if (aead != null) {
            aead.seal(out, start, payloadStart, payloadLen, epoch, number);
            out.position(macAt + Wire.AEAD_TAG_LEN);
        } else {
            auth.sign(out, start, macAt);
            out.position(macAt + Wire.MAC_LEN);
        }
        return out.position() - start;
    }

    /**
     * Checks and decodes the datagram between {@code in}'s position and limit. The MAC is
     * verified before anything but the framing is trusted.
     */
    public static Datagram open(ByteBuffer in, Authenticator auth) throws WireException {
        ByteBuffer b = in.slice().order(ByteOrder.BIG_ENDIAN);
        int size = b.remaining();
        Encryption ours = auth.encryption();
        int trailer = ours == Encryption.NONE ? Wire.MAC_LEN : Wire.AEAD_TAG_LEN;
        if (size < Wire.HEADER_LEN + Math.min(Wire.MAC_LEN, Wire.AEAD_TAG_LEN)) {
            throw new WireException(DropReason.TRUNCATED, "datagram of " + size + " bytes is shorter than "
                    + (Wire.HEADER_LEN + Wire.AEAD_TAG_LEN));
        }
        if (Short.toUnsignedInt(b.getShort(0)) != Wire.MAGIC) {
            throw new WireException(DropReason.BAD_MAGIC, "not a hactl datagram (magic 0x"
                    + Integer.toHexString(Short.toUnsignedInt(b.getShort(0))) + ")");
        }
        int version = Byte.toUnsignedInt(b.get(2));
        if (version != Wire.VERSION) {
            throw new WireException(DropReason.BAD_VERSION, "protocol version " + version + ", this hactl speaks "
                    + Wire.VERSION);
        }
        int flags = Byte.toUnsignedInt(b.get(Wire.FLAGS_AT));
        Encryption theirs = Encryption.ofFlag(flags);
        // checked before the MAC: with another protection no MAC or tag could ever match, and
        // the administrator needs to be told the configurations differ, not that keys do
        if (theirs != ours && (theirs != null || ours != Encryption.NONE)) {
            throw new WireException(DropReason.ENCRYPTION_MISMATCH, "datagram "
                    + (theirs == null ? "with unknown flags 0x" + Integer.toHexString(flags)
                    : "protected with " + theirs.configName())
                    + ", this gateway is configured with sync.encryption " + ours.configName());
        }
        int payloadLen = Short.toUnsignedInt(b.getShort(Wire.PAYLOAD_LENGTH_AT));
        if (Wire.HEADER_LEN + payloadLen + trailer != size) {
            throw new WireException(DropReason.TRUNCATED, "payload length " + payloadLen + " does not match a datagram of "
                    + size + " bytes");
        }
        long epoch = b.getLong(Wire.EPOCH_AT);
        long peerEpoch = b.getLong(Wire.PEER_EPOCH_AT);
        long number = b.getLong(Wire.NUMBER_AT);
        int macAt = Wire.HEADER_LEN + payloadLen;
        ByteBuffer payload;
        Aead aead = auth.aead();
        if (aead != null) {
            payload = aead.open(b, 0, Wire.HEADER_LEN, payloadLen, epoch, number);
            if (payload == null) {
                throw new WireException(DropReason.BAD_MAC, "decryption failed (different key, or forged)");
            }
        } else {
            if (!auth.verify(b, 0, macAt)) {
                throw new WireException(DropReason.BAD_MAC, "authentication failed (different key, or forged)");
            }
            if (flags != 0) {
                throw new WireException(DropReason.MALFORMED, "unknown datagram flags 0x" + Integer.toHexString(flags));
            }
            payload = b.position(Wire.HEADER_LEN).limit(macAt);
        }
        Message[] messages = new Message[MESSAGES_FIRST];
        MessageType[] types = new MessageType[MESSAGES_FIRST];
        int[] seqs = new int[MESSAGES_FIRST];
        int n = 0;
        while (payload.hasRemaining()) {
            int at = payload.position();
            Message m = MessageCodec.decode(payload);
            if (n == messages.length) {
                messages = Arrays.copyOf(messages, n * 2);
                types = Arrays.copyOf(types, n * 2);
                seqs = Arrays.copyOf(seqs, n * 2);
            }
            messages[n] = m;
            // the header, as the decode has just checked it: a known type, a number where one belongs
            types[n] = MessageType.valueOf(Byte.toUnsignedInt(payload.get(at)));
            seqs[n++] = payload.getInt(at + Wire.MESSAGE_SEQ_AT);
        }
        return new Datagram(epoch, peerEpoch, number, n, messages, types, seqs);
    }
}
