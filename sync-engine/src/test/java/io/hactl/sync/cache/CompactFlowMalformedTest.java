package io.hactl.sync.cache;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;
import io.hactl.sync.wire.CompactFormat;

import static io.hactl.sync.cache.TestFlows.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.hactl.sync.conntrack.Flow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input is rejected with a {@link CompactFlowException} naming the field, and never with any
 * other exception: the same bytes arrive from the network.
 */
class CompactFlowMalformedTest {

    /** A valid IPv4 TCP flow without optional parts, to break one field at a time. */
    static final String TCP_HEAD = """
            01          # format 1
            02          # family AF_INET
            06          # protocol TCP
            0000        # zone 0
            0a000001    # orig src 10.0.0.1
            c0a80102    # orig dst 192.168.1.2
            c350        # orig sport 50000
            0050        # orig dport 80
            """;
    static final String UDP_HEAD = TCP_HEAD.replace("06          # protocol TCP", "11          # protocol UDP");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("empty", "", "format"),
                Arguments.of("unknown format byte 2", "02" + TCP_HEAD.substring(2) + "0000 00000000", "format"),
                Arguments.of("format byte 0", "00" + TCP_HEAD.substring(2) + "0000 00000000", "format"),
                Arguments.of("unknown family 3", "01 03 06 0000 0a000001 c0a80102 c350 0050 0000 00000000", "family"),
                Arguments.of("ipv4 addresses under an ipv6 family (bad address length)",
                        "01 0a 06 0000 0a000001 c0a80102 c350 0050 0000 00000000", "orig.dst"),
                Arguments.of("no presence", TCP_HEAD, "presence"),
                Arguments.of("unknown presence bit 13", TCP_HEAD + "2000 00000000", "presence"),
                Arguments.of("unknown presence bit 14", TCP_HEAD + "4000 00000000", "presence"),
                Arguments.of("unknown presence bit 15", TCP_HEAD + "8000 00000000", "presence"),
                Arguments.of("REPLY and REPLY_INVERSE", TCP_HEAD + "0003 00000000 c0a80102 0a000001 0050 c350", "presence"),
                Arguments.of("status cut short", TCP_HEAD + "0000 000000", "status"),
                Arguments.of("explicit reply equal to the inverse",
                        TCP_HEAD + "0001 00000000 c0a80102 0a000001 0050 c350", "reply"),
                Arguments.of("reply cut in its ports", TCP_HEAD + "0001 00000000 c0a80102 cb007107 0050", "reply.dport"),
                Arguments.of("timeout cut short", TCP_HEAD + "0004 00000000 0000", "timeout"),
                Arguments.of("tcp state 10 (TCP_CONNTRACK_MAX)", TCP_HEAD + "0010 00000000 0a 00 00 00 00", "protoinfo.tcp.state"),
                Arguments.of("tcp state 255", TCP_HEAD + "0010 00000000 ff 00 00 00 00", "protoinfo.tcp.state"),
                Arguments.of("tcp protoinfo cut short", TCP_HEAD + "0010 00000000 03 07 07 23", "protoinfo.tcp.flags_reply"),
                Arguments.of("protoinfo on udp", UDP_HEAD + "0010 00000000 03", "protoinfo"),
                Arguments.of("master of unknown family", TCP_HEAD + "0020 00000000 07 06", "master.family"),
                Arguments.of("master cut in its addresses", TCP_HEAD + "0020 00000000 0a 06 20010db8", "master.src"),
                Arguments.of("snat of family 0", TCP_HEAD + "0040 00000000 00 0a000001 0a000001 0000 0000", "snat.family"),
                Arguments.of("dnat ipv6 family with ipv4 addresses", TCP_HEAD + "0080 00000000 0a 0a000001 0a000001 0000 0000", "dnat.min_ip"),
                Arguments.of("seqadj cut short", TCP_HEAD + "0100 00000000 00000001 00000002", "seqadj.orig.offset_after"),
                Arguments.of("empty helper name", TCP_HEAD + "0400 00000000 00", "helper"),
                Arguments.of("helper name not UTF-8", TCP_HEAD + "0400 00000000 02 c328", "helper"),
                Arguments.of("helper name of 16 characters", TCP_HEAD + "0400 00000000 10 61616161616161616161616161616161", "helper"),
                Arguments.of("helper longer than the input", TCP_HEAD + "0400 00000000 05 667470", "helper"),
                Arguments.of("labels of 17 bytes", TCP_HEAD + "0800 00000000 11 0102030405060708090a0b0c0d0e0f1011", "labels"),
                Arguments.of("labels ending in a zero byte", TCP_HEAD + "0800 00000000 02 0100", "labels"),
                Arguments.of("synproxy cut short", TCP_HEAD + "1000 00000000 00000001", "synproxy.its"),
                Arguments.of("a trailing byte", TCP_HEAD + "0000 00000000 00", "trailing"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsNamingTheField(String name, String fixture, String field) {
        assertThatThrownBy(() -> CompactFlow.decode(hex(fixture)))
                .isInstanceOfSatisfying(CompactFlowException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageStartingWith(field + ": ");
    }

    @Test
    void theBaseOfTheTableIsValid() throws Exception {
        assertThat(CompactFlow.decode(hex(TCP_HEAD + "0000 00000000")).orig().dstPort()).isEqualTo(80);
        assertThat(CompactFlow.decode(hex(TCP_HEAD + "0001 00000000 c0a80102 cb007107 0050 ee48")).reply()).isNotNull();
    }

    static Stream<Arguments> varied() {
        return TestFlows.varied().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("varied")
    void everyTruncationIsRejected(String name, Flow flow) {
        byte[] bytes = CompactFlow.encode(flow);
        for (int len = 0; len < bytes.length; len++) {
            byte[] cut = Arrays.copyOf(bytes, len);
            assertThatThrownBy(() -> CompactFlow.decode(cut))
                    .as("cut to %d of %d bytes", len, bytes.length)
                    .isInstanceOf(CompactFlowException.class);
        }
    }

    @Test
    void everyUnknownPresenceBitIsRejected() {
        byte[] bytes = CompactFlow.encode(TestFlows.everything());
        int p = CompactFlow.keyLength(bytes);
        for (int bit = 13; bit < 16; bit++) {
            byte[] bad = bytes.clone();
            bad[p] |= (byte) (1 << (bit - 8));
            assertThatThrownBy(() -> CompactFlow.decode(bad))
                    .isInstanceOfSatisfying(CompactFlowException.class, e -> assertThat(e.field()).isEqualTo("presence"));
        }
    }

    @Test
    void everyFormatByteButOneIsRejected() {
        byte[] bytes = CompactFlow.encode(TestFlows.tcp4(1));
        for (int format = 0; format < 256; format++) {
            if (format != CompactFormat.FORMAT_V1) {
                byte[] bad = bytes.clone();
                bad[0] = (byte) format;
                assertThatThrownBy(() -> CompactFlow.decode(bad))
                        .isInstanceOfSatisfying(CompactFlowException.class, e -> assertThat(e.field()).isEqualTo("format"));
            }
        }
    }

    /**
     * Random corruption of valid encodings: each result either is rejected with a
     * CompactFlowException or decodes to a flow whose encoding is exactly the input (so the
     * encoding stays canonical even for bytes that were never produced by an encoder).
     */
    @Test
    void corruptedInputIsRejectedOrDecodesCanonically() {
        Random r = new Random(7);
        List<byte[]> seeds = new ArrayList<>();
        for (Flow f : TestFlows.varied().values()) {
            seeds.add(CompactFlow.encode(f));
        }
        for (int i = 0; i < 2000; i++) {
            seeds.add(CompactFlow.encode(TestFlows.random(r)));
        }
        int rejected = 0;
        int accepted = 0;
        for (int round = 0; round < 100_000; round++) {
            byte[] bad = mutate(r, seeds.get(r.nextInt(seeds.size())));
            try {
                Flow f = CompactFlow.decode(bad);
                accepted++;
                assertThat(CompactFlow.encode(f)).as("re-encoding of an accepted input").isEqualTo(bad);
            } catch (CompactFlowException e) {
                rejected++;
            } catch (RuntimeException e) {
                fail("decode threw " + e + " for " + TestFlows.toHex(bad), e);
            }
        }
        assertThat(rejected).isPositive();
        assertThat(accepted).isPositive();
    }

    private static byte[] mutate(Random r, byte[] in) {
        byte[] out = in.clone();
        switch (r.nextInt(5)) {
            case 0 -> out[r.nextInt(out.length)] = (byte) r.nextInt(256);
            case 1 -> out[r.nextInt(out.length)] ^= (byte) (1 << r.nextInt(8));
            case 2 -> out = Arrays.copyOf(out, r.nextInt(out.length + 8)); // cut or pad with zeros
            case 3 -> {
                int at = r.nextInt(out.length);
                out = Arrays.copyOf(out, out.length + 1);
                System.arraycopy(out, at, out, at + 1, out.length - at - 1);
                out[at] = (byte) r.nextInt(256);
            }
            default -> {
                for (int i = 1 + r.nextInt(4); i > 0; i--) {
                    out[r.nextInt(out.length)] = (byte) r.nextInt(256);
                }
            }
        }
        return out;
    }
}
