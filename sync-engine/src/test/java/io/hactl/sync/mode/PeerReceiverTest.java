package io.hactl.sync.mode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.wire.DropReason;
import io.hactl.sync.wire.Encryption;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Datagrams as the transport hands them over: Netty's direct buffers, at an offset in a larger read buffer. */
class PeerReceiverTest {
    static final byte[] KEY = new byte[32];

    @Test
    void directBuffersAtAnOffsetAreOpenedLikeHeapOnesAndForgeriesStillFail() {
        List<ByteBuffer> wire = new ArrayList<>();
        List<ByteBuffer> back = new ArrayList<>();
        SimNode a = new SimNode("a", true, ModeConfig.DEFAULTS, KEY, 1, wire::add);
        SimNode b = new SimNode("b", true, ModeConfig.DEFAULTS, KEY, 2, back::add);
        Handshakes.connect(a.mode, wire, b.mode, back, KEY, 1);
        for (int i = 0; i < 300; i++) {
            a.put(i, 1);
        }
        a.mode.tick(1);
        assertThat(wire).hasSizeGreaterThan(1);

        int dropsBefore = 0;
        for (ByteBuffer d : wire) {
            // a read buffer with other bytes before and after this datagram, as recvmmsg fills it
            ByteBuffer direct = ByteBuffer.allocateDirect(d.remaining() + 64);
            direct.position(40);
            direct.put(d.duplicate());
            direct.put(new byte[24]);
            direct.position(40).limit(40 + d.remaining());
            assertThat(b.receiver.receive(direct, 2)).isNull();
        }
        assertThat(b.external).hasSize(300);
        assertThat(b.external.get(SimNode.key(7))).isEqualTo(a.internal.get(SimNode.key(7)));

        ByteBuffer forged = ByteBuffer.allocateDirect(wire.get(0).remaining());
        forged.put(wire.get(0).duplicate()).flip();
        forged.put(30, (byte) (forged.get(30) ^ 1));
        assertThat(b.receiver.receive(forged, 3)).isEqualTo(DropReason.BAD_MAC);
        assertThat(b.stats.drops(DropReason.BAD_MAC)).isEqualTo(dropsBefore + 1);
    }

    @Test
    void encryptedDirectBuffersAreOpenedAndTamperingOrAnotherSettingIsCountedNotThrown() {
        List<ByteBuffer> wire = new ArrayList<>();
        List<ByteBuffer> back = new ArrayList<>();
        Encryption enc = Encryption.CHACHA20_POLY1305;
        SimNode a = new SimNode("a", true, ModeConfig.DEFAULTS, KEY, enc, 1, wire::add, SimNode.ANY_FLOW);
        SimNode b = new SimNode("b", true, ModeConfig.DEFAULTS, KEY, enc, 2, back::add, SimNode.ANY_FLOW);
        Handshakes.connect(a.mode, wire, b.mode, back, KEY, enc, 1);
        for (int i = 0; i < 300; i++) {
            a.put(i, 1);
        }
        a.mode.tick(1);
        assertThat(wire).hasSizeGreaterThan(1);
        for (ByteBuffer d : wire) {
            ByteBuffer direct = ByteBuffer.allocateDirect(d.remaining() + 64);
            direct.position(40);
            direct.put(d.duplicate());
            direct.put(new byte[24]);
            direct.position(40).limit(40 + d.remaining());
            assertThat(b.receiver.receive(direct, 2)).isNull();
        }
        assertThat(b.external).hasSize(300);
        assertThat(b.external.get(SimNode.key(7))).isEqualTo(a.internal.get(SimNode.key(7)));

        ByteBuffer d = wire.get(1);
        for (int at : new int[] {20, 40, d.limit() - 1}) { // header (number), ciphertext, tag
            ByteBuffer forged = ByteBuffer.allocateDirect(d.remaining());
            forged.put(d.duplicate()).flip();
            forged.put(at, (byte) (forged.get(at) ^ 1));
            assertThat(b.receiver.receive(forged, 3)).as("byte %d flipped", at).isEqualTo(DropReason.BAD_MAC);
        }
        assertThat(b.stats.drops(DropReason.BAD_MAC)).isEqualTo(3);

        SimNode plain = new SimNode("c", true, ModeConfig.DEFAULTS, KEY, 3, x -> { });
        for (ByteBuffer x : wire) {
            assertThat(plain.receiver.receive(x.duplicate(), 4)).isEqualTo(DropReason.ENCRYPTION_MISMATCH);
        }
        assertThat(plain.stats.drops(DropReason.ENCRYPTION_MISMATCH)).isEqualTo(wire.size());
        assertThat(plain.external).isEmpty();
    }

    @Test
    void aForeignDatagramIsCountedAsBadSourceAndNothingElse() {
        SimNode b = new SimNode("b", true, ModeConfig.DEFAULTS, KEY, 2, x -> { });
        b.receiver.foreign(new java.net.InetSocketAddress("10.99.0.3", 3780), 100, 1);
        assertThat(b.stats.drops(DropReason.BAD_SOURCE)).isEqualTo(1);
        assertThat(b.stats.datagramsReceived.get()).isZero();
        assertThat(b.stats.bytesReceived.get()).isZero();
    }
}
