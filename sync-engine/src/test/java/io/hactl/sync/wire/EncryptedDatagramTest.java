package io.hactl.sync.wire;

import static io.hactl.sync.wire.DatagramCodecTest.KEY;
import static io.hactl.sync.wire.DatagramCodecTest.OTHER_KEY;
import static io.hactl.sync.wire.DatagramCodecTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The encrypted datagram (PROTOCOL.md, "Encryption"). The known answers were computed with
 * another implementation (Python's cryptography package: HKDF, AESGCM, ChaCha20Poly1305) from
 * the layout PROTOCOL.md gives, not taken from this code's output.
 */
class EncryptedDatagramTest {
    static final List<Message> MESSAGES = List.of(new Message.FlowUpdate(5, new byte[] {1, 2, 3}), new Message.Ack(1, 4));

    static ByteBuffer seal(Encryption enc, byte[] key, long epoch, long number, List<Message> messages) {
        ByteBuffer out = ByteBuffer.allocate(Wire.MAX_DATAGRAM);
        DatagramCodec.seal(out, epoch, 0xfedc_ba98_7654_3210L, number, messages, new Authenticator(key, enc));
        return out.flip();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] all = new byte[b.remaining()];
        b.duplicate().get(all);
        return all;
    }

    static DropReason reason(ByteBuffer b, Encryption enc) {
        try {
            DatagramCodec.open(b, new Authenticator(KEY, enc));
            return null;
        } catch (WireException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.reason();
        }
    }

    @Test
    void aes256GcmDatagramMatchesTheKnownAnswer() {
        byte[] all = bytes(seal(Encryption.AES_256_GCM, KEY, 0x0006_1234_5678_9abcL, 7, MESSAGES));
        assertThat(all).isEqualTo(hex(
                "6863",                // magic
                "02",                  // version 2
                "01",                  // flags: AES-256-GCM
                "0006123456789abc",    // epoch
                "fedcba9876543210",    // peer epoch
                "0000000000000007",    // number 7
                "001b",                // payload length 27, as in clear
                "386cd44e9bc5c2c979049dcfe9a98c19e0094d80149791e3da5521", // ciphertext
                "154e6e4a1ce9932389eb360077e0adcf"));                     // tag
    }

    @Test
    void chacha20Poly1305DatagramMatchesTheKnownAnswer() {
        byte[] all = bytes(seal(Encryption.CHACHA20_POLY1305, KEY, 0x0006_1234_5678_9abcL, 7, MESSAGES));
        assertThat(all).isEqualTo(hex(
                "6863 02",
                "02",                  // flags: ChaCha20-Poly1305
                "0006123456789abc fedcba9876543210 0000000000000007 001b",
                "c3a910ac3a9e25159dcbd6d97f4bd88e70d07c9f3e441b8cc1d299", // ciphertext
                "d732ac5cd6f7ac92899bb9fda069483f"));                     // tag
    }

    @Test
    void hkdfMatchesRfc5869TestCase1() {
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] prk = Hkdf.extract(HexFormat.of().parseHex("000102030405060708090a0b0c"), ikm);
        assertThat(prk).isEqualTo(hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"));
        assertThat(Hkdf.expand(Hkdf.keyed(prk), HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9"), 42)).isEqualTo(hex(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
    }

    @ParameterizedTest
    @EnumSource(value = Encryption.class, names = {"AES_256_GCM", "CHACHA20_POLY1305"})
    void sealedDatagramsOpenAgainAndHideTheirPayload(Encryption enc) throws Exception {
        Authenticator sender = new Authenticator(KEY, enc);
        Authenticator receiver = new Authenticator(KEY, enc);
        byte[] flow = "10.77.0.1 flow body".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (long n = 0; n < 50; n++) {
            List<Message> messages = List.of(new Message.FlowUpdate((int) n, flow), new Message.Ack(1, (int) n));
            ByteBuffer out = ByteBuffer.allocate(Wire.MAX_DATAGRAM);
            int size = DatagramCodec.seal(out, -3, 9, n, messages, sender);
            out.flip();
            assertThat(size).isEqualTo(Wire.HEADER_LEN + MessageCodec.size(messages.get(0))
                    + MessageCodec.size(messages.get(1)) + Wire.AEAD_TAG_LEN);
            assertThat(new String(bytes(out), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("10.77.0.1");
            Datagram d = DatagramCodec.open(out, receiver);
            assertThat(d.epoch()).isEqualTo(-3);
            assertThat(d.peerEpoch()).isEqualTo(9);
            assertThat(d.number()).isEqualTo(n);
            assertThat(d.messages()).containsExactlyElementsOf(messages);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Encryption.class, names = {"AES_256_GCM", "CHACHA20_POLY1305"})
    void everyFlippedBitIsDroppedAsBadMacOrByTheFraming(Encryption enc) {
        ByteBuffer good = seal(enc, KEY, 5, 6, MESSAGES);
        for (int i = 0; i < good.limit(); i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = bytes(good);
                b[i] ^= (byte) (1 << bit);
                DropReason r = reason(ByteBuffer.wrap(b), enc);
                DropReason expected = i < 2 ? DropReason.BAD_MAGIC
                        : i == 2 ? DropReason.BAD_VERSION
                        : i == Wire.FLAGS_AT ? DropReason.ENCRYPTION_MISMATCH
                        : i == 28 || i == 29 ? DropReason.TRUNCATED
                        : DropReason.BAD_MAC; // epochs, number (the AAD), ciphertext and tag
                assertThat(r).as("byte %d bit %d", i, bit).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Encryption.class, names = {"AES_256_GCM", "CHACHA20_POLY1305"})
    void theSameDatagramTwiceInARowOpensTwiceAndAForgedCopyIsBadMac(Encryption enc) throws Exception {
        Authenticator receiver = new Authenticator(KEY, enc);
        ByteBuffer good = seal(enc, KEY, 5, 6, MESSAGES);
        byte[] forged = bytes(good);
        forged[forged.length - 1] ^= 1;
        assertThat(DatagramCodec.open(good.duplicate(), receiver).number()).isEqualTo(6);
        assertThat(DatagramCodec.open(good.duplicate(), receiver).number()).isEqualTo(6); // replays: the window's job
        assertThatThrownBy(() -> DatagramCodec.open(ByteBuffer.wrap(forged), receiver)).isInstanceOfSatisfying(
                WireException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.BAD_MAC));
        assertThatThrownBy(() -> DatagramCodec.open(ByteBuffer.wrap(forged), receiver)).isInstanceOfSatisfying(
                WireException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.BAD_MAC));
        assertThat(DatagramCodec.open(good.duplicate(), receiver).messages()).isEqualTo(MESSAGES);
    }

    @ParameterizedTest
    @EnumSource(value = Encryption.class, names = {"AES_256_GCM", "CHACHA20_POLY1305"})
    void anotherKeyIsBadMac(Encryption enc) {
        assertThat(reason(seal(enc, OTHER_KEY, 5, 6, MESSAGES), enc)).isEqualTo(DropReason.BAD_MAC);
    }

    @Test
    void mismatchedSettingsAreNamedNotMistakenForAWrongKey() {
        for (Encryption sent : Encryption.values()) {
            for (Encryption configured : Encryption.values()) {
                DropReason r = reason(seal(sent, KEY, 5, 6, MESSAGES), configured);
                assertThat(r).as("%s sent, %s configured", sent, configured)
                        .isEqualTo(sent == configured ? null : DropReason.ENCRYPTION_MISMATCH);
            }
        }
        ByteBuffer plain = seal(Encryption.NONE, KEY, 5, 6, MESSAGES);
        assertThatThrownBy(() -> DatagramCodec.open(plain, new Authenticator(KEY, Encryption.AES_256_GCM)))
                .hasMessageContaining("protected with none").hasMessageContaining("sync.encryption aes-256-gcm");
        byte[] unknown = bytes(seal(Encryption.AES_256_GCM, KEY, 5, 6, MESSAGES));
        unknown[Wire.FLAGS_AT] = (byte) 0x80;
        assertThat(reason(ByteBuffer.wrap(unknown), Encryption.AES_256_GCM)).isEqualTo(DropReason.ENCRYPTION_MISMATCH);
    }

    @Test
    void theCipherKeyDependsOnTheSenderEpochAndTheAlgorithm() {
        // the same number under two epochs: different keys, so no nonce is reused across instances
        byte[] a = bytes(seal(Encryption.AES_256_GCM, KEY, 0x1_0000_0005L, 6, MESSAGES));
        byte[] b = bytes(seal(Encryption.AES_256_GCM, KEY, 0x2_0000_0005L, 6, MESSAGES));
        assertThat(Arrays.copyOfRange(a, Wire.HEADER_LEN, a.length))
                .isNotEqualTo(Arrays.copyOfRange(b, Wire.HEADER_LEN, b.length));
        assertThat(Aead.info(Encryption.AES_256_GCM, 1)).isNotEqualTo(Aead.info(Encryption.CHACHA20_POLY1305, 1));
    }

    @Test
    void shortEncryptedDatagramsAreTruncatedNotRead() {
        ByteBuffer good = seal(Encryption.CHACHA20_POLY1305, KEY, 5, 6, List.of(new Message.Hello(3)));
        for (int len = 0; len < good.limit(); len++) {
            assertThat(reason(good.duplicate().limit(len), Encryption.CHACHA20_POLY1305)).as("cut at %d", len)
                    .isEqualTo(DropReason.TRUNCATED);
        }
    }

    @Test
    void aSenderRefusesANumberPastTheRange() {
        ByteBuffer out = ByteBuffer.allocate(Wire.MAX_DATAGRAM);
        assertThatThrownBy(() -> DatagramCodec.seal(out, 1, 2, Long.MIN_VALUE, MESSAGES,
                new Authenticator(KEY, Encryption.AES_256_GCM))).isInstanceOf(IllegalStateException.class);
    }
}
