package io.hactl.sync.engine;

import io.hactl.sync.mode.DatagramOutbox;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.Datagram;
import io.hactl.sync.wire.DatagramCodec;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.Wire;
import io.hactl.sync.wire.WireException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Datagrams sealed with the pair's key, as an instance of the peer would send them. */
final class PeerDatagrams {
    private PeerDatagrams() {}

    /** An instance of epoch {@code epoch} challenging the receiver, then sending one flow. */
    static List<ByteBuffer> helloAndFlow(byte[] key, long epoch, byte[] flow) {
        List<ByteBuffer> out = new ArrayList<>();
        DatagramOutbox box = new DatagramOutbox(new Authenticator(key), epoch, 1472, out::add, new SyncStats());
        box.add(new Message.Hello(epoch ^ 0x5a5a));
        box.flush();
        box.add(new Message.FlowUpdate(1, flow));
        box.flush();
        return out;
    }

    /**
     * Protocol version 1 as a peer whose clock ran an hour ahead sent it: the epoch was its start
     * time in microseconds, here one hour in the future, numbers far ahead; a HELLO and a
     * heartbeat announcing a sequence number far ahead.
     */
    static ByteBuffer version1FromTheFuture(byte[] key, long number) {
        long epoch = (System.currentTimeMillis() + 3_600_000L) * 1000;
        ByteBuffer payload = ByteBuffer.allocate(12 + 36)
                .put((byte) 19).put((byte) 0).putShort((short) 12).putInt(0).putInt(1)            // HELLO nextSeq 1
                .put((byte) 18).put((byte) 0).putShort((short) 36).putInt(0)                        // HEARTBEAT
                .putInt(0x7fff_0000).putLong(1).putLong(0).putLong(-1)
                .flip();
        ByteBuffer b = ByteBuffer.allocate(22 + payload.remaining() + Wire.MAC_LEN);
        b.putShort((short) Wire.MAGIC).put((byte) 1).put((byte) 0).putLong(epoch).putLong(number)
                .putShort((short) payload.remaining()).put(payload);
        new Authenticator(key).sign(b, 0, b.position());
        return b.position(0);
    }

    /**
     * An instance of the peer that completes the handshake with the receiver from a socket bound
     * to the peer's address and port, then sends datagrams whose numbers and sequence numbers
     * jump far ahead. Returns the receiver's epoch.
     */
    static long sessionThatJumpsAhead(DatagramSocket s, InetSocketAddress to, byte[] key, byte[] flow)
            throws Exception {
        Authenticator auth = new Authenticator(key);
        long epoch = Long.MAX_VALUE - 5;
        long nonce = 0x0123_4567_89ab_cdefL;
        long number = 1_000_000_000_000L;
        send(s, to, auth, epoch, 0, number++, List.of(new Message.Hello(nonce)));
        long peerEpoch = 0;
        long peerNonce = 0;
        s.setSoTimeout(200);
        for (int i = 0; i < 50 && (peerEpoch == 0 || peerNonce == 0); i++) {
            Datagram d = receive(s, auth);
            if (d == null) {
                send(s, to, auth, epoch, 0, number++, List.of(new Message.Hello(nonce))); // lost or not yet answered
                continue;
            }
            for (Message m : d.messages()) {
                if (m instanceof Message.HelloBack hb && hb.echo() == nonce) {
                    peerEpoch = d.epoch();
                } else if (m instanceof Message.Hello h) {
                    peerNonce = h.nonce();
                }
            }
        }
        if (peerEpoch == 0 || peerNonce == 0) {
            throw new AssertionError("the receiver did not answer the challenge");
        }
        int seq = 0x7fff_0000;
        send(s, to, auth, epoch, peerEpoch, number++, List.of(new Message.HelloBack(peerNonce),
                new Message.Heartbeat(seq, 1, 0, -1)));
        // numbers far ahead of the session's, then sequence numbers far ahead of the expected one
        send(s, to, auth, epoch, peerEpoch, number + 21_486_436_321L, List.of(new Message.FlowUpdate(seq, flow)));
        send(s, to, auth, epoch, peerEpoch, number, List.of(new Message.FlowUpdate(seq + (1 << 30), flow),
                new Message.Heartbeat(seq + (1 << 30), 2, 0, -1)));
        return peerEpoch;
    }

    private static void send(DatagramSocket s, InetSocketAddress to, Authenticator auth, long epoch, long peerEpoch,
                             long number, List<Message> messages) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(1472);
        int n = DatagramCodec.seal(out, epoch, peerEpoch, number, messages, auth);
        s.send(new DatagramPacket(out.array(), n, to));
    }

    private static Datagram receive(DatagramSocket s, Authenticator auth) throws Exception {
        byte[] buf = new byte[9000];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        try {
            return DatagramCodec.open(ByteBuffer.wrap(buf, 0, p.getLength()), auth);
        } catch (WireException e) {
            return null;
        }
    }
}
