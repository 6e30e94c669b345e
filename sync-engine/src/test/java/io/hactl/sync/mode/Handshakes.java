package io.hactl.sync.mode;

import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.Datagram;
import io.hactl.sync.wire.DatagramCodec;
import io.hactl.sync.wire.Encryption;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.WireException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Sessions for mode tests: crafts a peer instance's datagrams with the key (as the peer would
 * send them), or shuttles datagrams between two modes until they talk to each other.
 */
final class Handshakes {
    static final long NOW = 5_000_000_000L;
    /** The sequence number the crafted peer announces in its first heartbeat. */
    static final int FIRST_SEQ = 1;

    private Handshakes() {}

    static List<Datagram> open(List<ByteBuffer> datagrams, byte[] key) {
        return open(datagrams, key, Encryption.NONE);
    }

    static List<Datagram> open(List<ByteBuffer> datagrams, byte[] key, Encryption encryption) {
        List<Datagram> out = new ArrayList<>();
        for (ByteBuffer b : datagrams) {
            try {
                out.add(DatagramCodec.open(b.duplicate(), new Authenticator(key, encryption)));
            } catch (WireException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /** The nonce of the last HELLO in {@code datagrams}. */
    static long lastChallenge(List<ByteBuffer> datagrams, byte[] key) {
        long nonce = 0;
        for (Datagram d : open(datagrams, key)) {
            for (Message m : d.messages()) {
                if (m instanceof Message.Hello h) {
                    nonce = h.nonce();
                }
            }
        }
        if (nonce == 0) {
            throw new AssertionError("no HELLO sent");
        }
        return nonce;
    }

    /**
     * Starts {@code node} and answers its challenge as a peer instance of epoch {@code peerEpoch}
     * that already talks to it (datagram 0: HELLO_BACK and a heartbeat announcing {@link #FIRST_SEQ}).
     */
    static void establish(SimNode node, long peerEpoch, byte[] key, List<ByteBuffer> fromNode) {
        node.mode.start(NOW);
        long nonce = lastChallenge(fromNode, key);
        ByteBuffer answer = seal(node, peerEpoch, 0, List.of(new Message.HelloBack(nonce),
                new Message.Heartbeat(FIRST_SEQ, NOW, 0, -1)), key);
        if (node.receiver.receive(answer, NOW) != null) {
            throw new AssertionError("the answer to the challenge was dropped");
        }
    }

    /** A datagram of the crafted peer instance to {@code node}, numbered {@code number}. */
    static ByteBuffer seal(SimNode node, long peerEpoch, long number, List<Message> messages, byte[] key) {
        ByteBuffer out = ByteBuffer.allocate(65_507);
        DatagramCodec.seal(out, peerEpoch, node.outbox.epoch(), number, messages, new Authenticator(key));
        return out.flip();
    }

    /**
     * Starts two modes whose outboxes fill {@code xOut} and {@code yOut} and delivers their
     * datagrams to each other until both send to each other (bounded); empties both lists.
     */
    static void connect(SyncMode x, List<ByteBuffer> xOut, SyncMode y, List<ByteBuffer> yOut, byte[] key, long now) {
        connect(x, xOut, y, yOut, key, Encryption.NONE, now);
    }

    static void connect(SyncMode x, List<ByteBuffer> xOut, SyncMode y, List<ByteBuffer> yOut, byte[] key,
                        Encryption encryption, long now) {
        x.start(now);
        y.start(now);
        for (int round = 0; round < 10; round++) {
            List<Datagram> toY = open(xOut, key, encryption);
            List<Datagram> toX = open(yOut, key, encryption);
            xOut.clear();
            yOut.clear();
            if (toX.isEmpty() && toY.isEmpty()) {
                return;
            }
            toY.forEach(d -> y.received(d, now));
            toX.forEach(d -> x.received(d, now));
        }
        throw new AssertionError("no session after 10 rounds");
    }
}
