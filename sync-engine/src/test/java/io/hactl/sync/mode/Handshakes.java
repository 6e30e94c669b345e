package io.hactl.sync.mode;

import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.DatagramCodec;
import io.hactl.sync.wire.Message;
import java.nio.ByteBuffer;
import java.util.List;

/** Crafts a peer's datagrams with the key, as a peer instance would send them to a {@link SimNode}. */
final class Handshakes {
    static final long NOW = 5_000_000_000L;
    /** The sequence number the crafted peer announces. */
    static final int FIRST_SEQ = 1;

    private Handshakes() {}

    /** Brings {@code node} into a session with a crafted peer of epoch {@code peerEpoch}. */
    static void establish(SimNode node, long peerEpoch, byte[] key, List<ByteBuffer> fromNode) {
        node.mode.start(NOW);
    }

    /** A datagram of the crafted peer to {@code node}, numbered {@code number}. */
    static ByteBuffer seal(SimNode node, long peerEpoch, long number, List<Message> messages, byte[] key) {
        ByteBuffer out = ByteBuffer.allocate(65_507);
        DatagramCodec.seal(out, peerEpoch, number, messages, new Authenticator(key));
        return out.flip();
    }
}
