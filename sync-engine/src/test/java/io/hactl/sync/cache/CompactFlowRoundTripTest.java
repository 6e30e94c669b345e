package io.hactl.sync.cache;

import io.hactl.sync.wire.CompactFlow;

import static io.hactl.sync.cache.TestFlows.withoutId;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every flow survives encode-decode-encode unchanged (apart from the kernel id). */
class CompactFlowRoundTripTest {

    static Stream<Arguments> varied() {
        return TestFlows.varied().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("varied")
    void decodeEncodeDecodeGivesTheSameFlowAndBytes(String name, Flow flow) throws Exception {
        byte[] bytes = CompactFlow.encode(flow);
        Flow decoded = CompactFlow.decode(bytes);
        assertThat(decoded).isEqualTo(withoutId(flow));
        assertThat(CompactFlow.encode(decoded)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("varied")
    void keyPrefixIsTheEncodedKeyOfOrigAndZone(String name, Flow flow) {
        byte[] bytes = CompactFlow.encode(flow);
        byte[] key = CompactFlow.encodeKey(flow.orig(), flow.zone());
        assertThat(CompactFlow.keyLength(bytes)).isEqualTo(key.length);
        assertThat(java.util.Arrays.copyOf(bytes, key.length)).isEqualTo(key);
    }

    @Test
    void randomFlowsRoundTrip() throws Exception {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            Flow f = TestFlows.random(r);
            byte[] bytes = CompactFlow.encode(f);
            Flow decoded = CompactFlow.decode(bytes);
            assertThat(decoded).as("flow %d: %s", i, f).isEqualTo(withoutId(f));
            assertThat(CompactFlow.encode(decoded)).isEqualTo(bytes);
            assertThat(CompactFlow.hasMaster(bytes)).isEqualTo(f.master() != null);
        }
    }

    @Test
    void decodesASliceOfALargerBufferWithoutMovingIt() throws Exception {
        Flow f = TestFlows.everything();
        byte[] bytes = CompactFlow.encode(f);
        ByteBuffer datagram = ByteBuffer.allocate(bytes.length + 20).order(ByteOrder.LITTLE_ENDIAN);
        datagram.position(7);
        datagram.put(bytes);
        datagram.position(7).limit(7 + bytes.length);

        assertThat(CompactFlow.decode(datagram)).isEqualTo(withoutId(f));
        assertThat(datagram.position()).isEqualTo(7);
        assertThat(datagram.limit()).isEqualTo(7 + bytes.length);
        assertThat(datagram.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(CompactFlow.decode(datagram.slice())).isEqualTo(withoutId(f));
    }

    @Test
    void decodesFromADirectReadOnlyBuffer() throws Exception {
        Map<String, Flow> flows = TestFlows.varied();
        for (Flow f : flows.values()) {
            byte[] bytes = CompactFlow.encode(f);
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
            assertThat(CompactFlow.decode(direct)).isEqualTo(withoutId(f));
        }
    }

    @Test
    void equalFlowsHaveEqualBytesWhetherTheReplyIsNullOrGiven() {
        Flow dumped = TestFlows.tcp4(3); // reply given, equal to the inverse
        Flow bare = dumped.toBuilder().reply(null).build();
        // a null reply and an inverse reply are distinct flows, and stay distinct
        assertThat(CompactFlow.encode(dumped)).isNotEqualTo(CompactFlow.encode(bare));
        assertThat(CompactFlow.encode(dumped)).hasSize(CompactFlow.encode(bare).length);
    }
}
