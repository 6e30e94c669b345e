package io.hactl.sync.mode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.cache.TestFlows;
import io.hactl.sync.engine.CompactFlowCheck;
import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.DropReason;
import io.hactl.sync.wire.Message;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An authentic datagram with one flow that does not decode is rejected whole: none of its flows
 * reaches the cache, none of its sequence numbers is taken, nothing is acknowledged.
 */
class MalformedDatagramTest {
    static final byte[] KEY = HexFormat.of().parseHex("5ec0de5ec0de5ec0de5ec0de5ec0de5e");

    /** TCP state 10 is TCP_CONNTRACK_MAX: the compact decoder refuses it. */
    static byte[] badTcpState(byte[] valid) {
        byte[] bad = valid.clone();
        bad[bad.length - 5] = 10;
        return bad;
    }

    @Test
    void oneUndecodableFlowRejectsTheWholeDatagramAndLeavesNoFlowBehind() {
        List<ByteBuffer> toA = new ArrayList<>();
        SimNode b = new SimNode("b", true, ModeConfig.DEFAULTS, KEY, 2000, toA::add, CompactFlowCheck.INSTANCE);
        Handshakes.establish(b, 1000, KEY, toA);
        toA.clear();

        List<Message> messages = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            messages.add(new Message.FlowUpdate(Handshakes.FIRST_SEQ + i - 1, CompactFlow.encode(TestFlows.tcp4(i))));
        }
        byte[] bad = badTcpState(CompactFlow.encode(TestFlows.tcp4(5)));
        messages.add(new Message.FlowUpdate(Handshakes.FIRST_SEQ + 4, bad));
        long receivedBefore = b.stats.messagesReceived.get();

        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, 10, messages, KEY), Handshakes.NOW))
                .isEqualTo(DropReason.MALFORMED);
        b.mode.tick(Handshakes.NOW + 1);

        assertThat(b.flowUpdates).as("no flow of the datagram is delivered").isZero();
        assertThat(b.stats.drops(DropReason.MALFORMED)).isEqualTo(1);
        assertThat(b.stats.messagesReceived.get()).isEqualTo(receivedBefore);
        assertThat(b.stats.acksSent.get()).as("nothing of it acknowledged").isZero();

        // the same four flows without the bad one are taken, in the sequence numbers they had
        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, 11, messages.subList(0, 4), KEY), Handshakes.NOW))
                .isNull();
        assertThat(b.flowUpdates).isEqualTo(4);
        assertThat(b.stats.messagesLost.get()).isZero();
    }

    @Test
    void aDeleteWhoseKeyIsNoKeyRejectsTheDatagram() {
        List<ByteBuffer> toA = new ArrayList<>();
        SimNode b = new SimNode("b", true, ModeConfig.DEFAULTS, KEY, 2000, toA::add, CompactFlowCheck.INSTANCE);
        Handshakes.establish(b, 1000, KEY, toA);
        byte[] flow = CompactFlow.encode(TestFlows.tcp4(1));
        byte[] key = CompactFlow.encodeKey(TestFlows.tcp4(1).orig(), 0);
        List<Message> messages = List.of(new Message.FlowUpdate(Handshakes.FIRST_SEQ, flow),
                new Message.FlowDelete(Handshakes.FIRST_SEQ + 1, Arrays.copyOf(key, key.length - 1)));

        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, 10, messages, KEY), Handshakes.NOW))
                .isEqualTo(DropReason.MALFORMED);
        assertThat(b.flowUpdates).isZero();
    }
}
