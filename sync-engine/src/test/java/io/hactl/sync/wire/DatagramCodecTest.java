package io.hactl.sync.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class DatagramCodecTest {
    static final byte[] KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final byte[] OTHER_KEY = HexFormat.of().parseHex("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    static byte[] hex(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            int c = l.indexOf("//");
            sb.append((c >= 0 ? l.substring(0, c) : l).replaceAll("\\s", ""));
        }
        return HexFormat.of().parseHex(sb.toString());
    }

    static ByteBuffer seal(long epoch, long number, List<Message> messages, byte[] key) {
        return seal(epoch, 0x7777, number, messages, key);
    }

    static ByteBuffer seal(long epoch, long peerEpoch, long number, List<Message> messages, byte[] key) {
        ByteBuffer out = ByteBuffer.allocate(Wire.MAX_DATAGRAM);
        DatagramCodec.seal(out, epoch, peerEpoch, number, messages, new Authenticator(key));
        return out.flip();
    }

    static byte[] hmac(byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        return mac.doFinal(data);
    }

    @Test
    void sealedDatagramIsLaidOutAsDocumented() throws Exception {
        ByteBuffer d = seal(0x0006_1234_5678_9abcL, 0xfedc_ba98_7654_3210L, 7,
                List.of(new Message.FlowUpdate(5, new byte[] {1, 2, 3}), new Message.Ack(1, 4)), KEY);
        byte[] signed = hex(
                "6863",               // magic "hc"
                "02",                 // version 2
                "00",                 // flags
                "0006123456789abc",   // epoch of the sender instance
                "fedcba9876543210",   // epoch of the receiver instance of its session
                "0000000000000007",   // datagram number 7
                "001b",               // payload length 27 = 11 + 16
                "01 00 000b 00000005 010203",           // FLOW_UPDATE len 11 seq 5, body 01 02 03
                "10 00 0010 00000000 00000001 00000004"); // ACK len 16 seq 0, from 1 to 4
        byte[] all = new byte[d.remaining()];
        d.duplicate().get(all);
        assertThat(all).hasSize(signed.length + Wire.MAC_LEN);
        assertThat(java.util.Arrays.copyOf(all, signed.length)).isEqualTo(signed);
        assertThat(java.util.Arrays.copyOfRange(all, signed.length, all.length)).isEqualTo(hmac(signed));
    }

    @Test
    void everyMessageTypeSurvivesSealAndOpen() throws Exception {
        List<Message> messages = List.of(
                new Message.FlowUpdate(-1, new byte[] {9, 8, 7, 6}),
                new Message.FlowDelete(0, new byte[] {5}),
                new Message.BulkBegin(17),
                new Message.BulkEnd(18, 0xffff_ffffL),
                new Message.ResyncRequest(19),
                new Message.Handover(20),
                new Message.Ack(-5, 3),
                new Message.Nack(100, 200),
                new Message.Heartbeat(77, Long.MAX_VALUE, 123456789L, 42L),
                new Message.Hello(0x0123_4567_89ab_cdefL),
                new Message.HelloBack(-2),
                new Message.CacheSummary(-7, 0xffff_fffeL, Message.CacheSummary.PENDING_UNKNOWN));
        Datagram d = DatagramCodec.open(seal(-1_700_000_000_000_000L, 5, 99, messages, KEY), new Authenticator(KEY));
        assertThat(d.epoch()).isEqualTo(-1_700_000_000_000_000L);
        assertThat(d.peerEpoch()).isEqualTo(5);
        assertThat(d.number()).isEqualTo(99);
        assertThat(d.messages()).containsExactlyElementsOf(messages);
        for (int i = 0; i < messages.size(); i++) {
            assertThat(d.type(i)).as("type of message %d, from its header", i).isEqualTo(messages.get(i).type());
            assertThat(d.seq(i)).as("number of message %d, from its header", i).isEqualTo(messages.get(i).seq());
            assertThat(MessageCodec.size(messages.get(i))).isLessThanOrEqualTo(Wire.MESSAGE_HEADER_LEN + 28);
        }
    }

    @Test
    void aDatagramOfManyMessagesKeepsEachOnesTypeAndNumberInOrder() throws Exception {
        List<Message> messages = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            messages.add(i % 10 == 9 ? new Message.Ack(i, i + 1) : new Message.FlowUpdate(1000 + i, new byte[] {(byte) i}));
        }
        Datagram d = DatagramCodec.open(seal(3, 4, 5, messages, KEY), new Authenticator(KEY));
        assertThat(d.size()).isEqualTo(100);
        assertThat(d.messages()).containsExactlyElementsOf(messages);
        for (int i = 0; i < 100; i++) {
            assertThat(d.type(i)).isEqualTo(i % 10 == 9 ? MessageType.ACK : MessageType.FLOW_UPDATE);
            assertThat(d.seq(i)).isEqualTo(i % 10 == 9 ? 0 : 1000 + i);
            assertThat(d.message(i)).isEqualTo(messages.get(i));
        }
    }

    @Test
    void datagramSignedWithAnotherKeyIsRejectedAsBadMac() {
        ByteBuffer d = seal(1, 1, List.of(new Message.Hello(1)), OTHER_KEY);
        assertThatThrownBy(() -> DatagramCodec.open(d, new Authenticator(KEY)))
                .isInstanceOfSatisfying(WireException.class, e -> assertThat(e.reason()).isEqualTo(DropReason.BAD_MAC));
    }

    @Test
    void anyAlteredByteAfterTheFramingFailsAuthentication() {
        ByteBuffer d = seal(5, 6, List.of(new Message.FlowUpdate(1, new byte[] {1, 2, 3, 4})), KEY);
        for (int i = 4; i < d.limit(); i++) {
            if (i >= 28 && i < 30) {
                continue; // the payload length: a change there is caught as TRUNCATED
            }
            ByteBuffer copy = ByteBuffer.allocate(d.limit()).put(d.duplicate()).flip();
            copy.put(i, (byte) (copy.get(i) ^ 0x01));
            int at = i;
            assertThatThrownBy(() -> DatagramCodec.open(copy, new Authenticator(KEY)))
                    .as("byte %d flipped", at)
                    .isInstanceOfSatisfying(WireException.class,
                            e -> assertThat(e.reason()).isEqualTo(at == Wire.FLAGS_AT && (copy.get(at) & 0xff) == 1
                                    ? DropReason.ENCRYPTION_MISMATCH // flags 1 claim AES-256-GCM
                                    : at >= 28 && at < 30 ? DropReason.TRUNCATED : DropReason.BAD_MAC));
        }
    }

    @Test
    void framingErrorsAreNamedAndClassified() {
        ByteBuffer good = seal(5, 6, List.of(new Message.Hello(3)), KEY);
        assertThat(reason(good)).isNull();
        ByteBuffer badMagic = ByteBuffer.allocate(good.limit()).put(good.duplicate()).flip().put(0, (byte) 0x41);
        ByteBuffer badVersion = ByteBuffer.allocate(good.limit()).put(good.duplicate()).flip().put(2, (byte) 1);
        assertThat(reason(badMagic)).isEqualTo(DropReason.BAD_MAGIC);
        assertThat(reason(badVersion)).isEqualTo(DropReason.BAD_VERSION);
        for (int len = 0; len < good.limit(); len++) {
            ByteBuffer cut = good.duplicate().limit(len);
            assertThat(reason(cut)).as("cut at %d", len).isEqualTo(DropReason.TRUNCATED);
        }
    }

    @Test
    void authenticMalformedContentIsRejectedWithTheReason() throws Exception {
        // hand-built payloads, correctly signed
        assertThat(openPayload(hex("63 00 0008 00000000"))).isEqualTo(DropReason.UNKNOWN_MESSAGE);      // type 99
        assertThat(openPayload(hex("01 00 0004 00000000"))).isEqualTo(DropReason.MALFORMED);            // length 4 < 8
        assertThat(openPayload(hex("01 00 0020 00000001 00"))).isEqualTo(DropReason.MALFORMED);         // length beyond payload
        assertThat(openPayload(hex("01 00 0008 00000001"))).isEqualTo(DropReason.MALFORMED);            // empty flow body
        assertThat(openPayload(hex("10 00 000c 00000000 00000001"))).isEqualTo(DropReason.MALFORMED);   // ACK body 4, want 8
        assertThat(openPayload(hex("10 00 0010 00000009 00000001 00000002"))).isEqualTo(DropReason.MALFORMED); // ACK with seq
        assertThat(openPayload(hex("13 01 0010 00000000 0000000000000001"))).isEqualTo(DropReason.MALFORMED); // unknown flags
        assertThat(openPayload(hex("13 00 0010 00000000 0000000000000001 ff"))).isEqualTo(DropReason.MALFORMED); // trailing byte
        assertThat(openPayload(hex("13 00 000c 00000000 00000001"))).isEqualTo(DropReason.MALFORMED);   // version 1's HELLO
        assertThat(openPayload(hex("06 00 0009 00000001 00"))).isEqualTo(DropReason.MALFORMED);         // HANDOVER with a body
    }

    @Test
    void handOverIsTypeSixWithNoBody() throws Exception {
        ByteBuffer d = seal(1, 1, List.of(new Message.Handover(20)), KEY);
        byte[] all = new byte[d.remaining()];
        d.duplicate().get(all);
        assertThat(java.util.Arrays.copyOfRange(all, Wire.HEADER_LEN - 2, Wire.HEADER_LEN + 8)).isEqualTo(hex(
                "0008",                  // payload length 8
                "06 00 0008 00000014")); // HANDOVER len 8 seq 20, no body
    }

    @Test
    void cacheSummaryIsType21WithSequenceFlowsAndPending() throws Exception {
        ByteBuffer d = seal(1, 1, List.of(new Message.CacheSummary(300, 15_300, 4)), KEY);
        byte[] all = new byte[d.remaining()];
        d.duplicate().get(all);
        assertThat(java.util.Arrays.copyOfRange(all, Wire.HEADER_LEN - 2, Wire.HEADER_LEN + 20)).isEqualTo(hex(
                "0014",           // payload length 20
                "15 00 0014",     // CACHE_SUMMARY, flags 0, length 20
                "00000000",       // seq 0: not reliable
                "0000012c",       // nextSeq 300
                "00003bc4",       // flows 15,300
                "00000004"));     // pending 4
        assertThat(openPayload(hex("15 00 0010 00000000 0000012c 00003bc4"))).isEqualTo(DropReason.MALFORMED); // body 8
        assertThat(openPayload(hex("15 00 0014 00000001 0000012c 00003bc4 00000004"))).isEqualTo(DropReason.MALFORMED);
    }

    static DropReason openPayload(byte[] payload) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(Wire.OVERHEAD + payload.length);
        b.putShort((short) Wire.MAGIC).put((byte) Wire.VERSION).put((byte) 0).putLong(1).putLong(2).putLong(1)
                .putShort((short) payload.length)
                .put(payload);
        new Authenticator(KEY).sign(b, 0, b.position());
        b.position(0);
        return reason(b);
    }

    static DropReason reason(ByteBuffer b) {
        try {
            DatagramCodec.open(b, new Authenticator(KEY));
            return null;
        } catch (WireException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.reason();
        }
    }

    @Test
    void randomGarbageNeverEscapesAsAnotherException() {
        Random rnd = new Random(2026);
        ByteBuffer good = seal(5, 6, List.of(new Message.FlowUpdate(1, new byte[40]), new Message.Nack(1, 2)), KEY);
        for (int i = 0; i < 5000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[rnd.nextInt(200)];
                rnd.nextBytes(b);
            } else {
                b = new byte[good.limit()];
                good.duplicate().get(b);
                b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
            }
            try {
                DatagramCodec.open(ByteBuffer.wrap(b), new Authenticator(KEY));
            } catch (WireException expected) {
                // the only way out for bad input
            }
        }
    }

    @Test
    void helloAndItsAnswerCarryTheNonceAsEightBytes() {
        ByteBuffer d = seal(1, 0, 0, List.of(new Message.Hello(0x1122_3344_5566_7788L),
                new Message.HelloBack(0x1122_3344_5566_7788L)), KEY);
        byte[] all = new byte[d.remaining()];
        d.duplicate().get(all);
        assertThat(java.util.Arrays.copyOfRange(all, Wire.HEADER_LEN - 2, Wire.HEADER_LEN + 32)).isEqualTo(hex(
                "0020",                                    // payload length 32
                "13 00 0010 00000000 1122334455667788",    // HELLO len 16, nonce
                "14 00 0010 00000000 1122334455667788"));  // HELLO_BACK len 16, echo
    }
}
