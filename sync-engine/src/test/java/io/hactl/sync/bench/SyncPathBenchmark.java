package io.hactl.sync.bench;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.engine.CompactFlowCheck;
import io.hactl.sync.mode.DatagramOutbox;
import io.hactl.sync.mode.FlowKey;
import io.hactl.sync.mode.FtfwMode;
import io.hactl.sync.mode.ModeConfig;
import io.hactl.sync.mode.PeerReceiver;
import io.hactl.sync.mode.StateSource;
import io.hactl.sync.mode.SyncListener;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.DatagramCodec;
import io.hactl.sync.wire.Encryption;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The CPU cost of a bulk on each side, without a network (not a test; for profiling): a sender's
 * FTFW mode packs and seals N flows into datagrams, a receiver's mode opens them and fills a
 * flow store as the engine does. Repeated until the JIT settles; prints microseconds per flow.
 * Usage: SyncPathBenchmark [FLOWS] [ROUNDS] [ENCRYPTION], ENCRYPTION as sync.encryption names it
 */
public final class SyncPathBenchmark {
    static final ModeConfig ONE_PASS = new ModeConfig(300, 2_000_000, Duration.ofMillis(200), Duration.ofMillis(1200),
            2_000_000, Duration.ofMillis(20));

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 250_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Encryption enc = Encryption.ofConfigName(args.length > 2 ? args[2] : "none");
        if (enc == null) {
            throw new IllegalArgumentException("unknown encryption " + args[2]);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        List<byte[]> encodings = new ArrayList<>(n);
        for (Flow f : InsertBenchmark.flows(n)) {
            encodings.add(CompactFlow.encode(f));
        }
        for (int r = 0; r < rounds; r++) {
            List<ByteBuffer> datagrams = new ArrayList<>();
            SyncStats sendStats = new SyncStats();
            DatagramOutbox out = new DatagramOutbox(new Authenticator(key, enc), 1, 1472, datagrams::add, sendStats);
            FtfwMode sender = new FtfwMode(ONE_PASS, STATELESS, out, new Ignoring(), sendStats, "b");

            FlowStore store = new FlowStore("external", 1 << 20);
            SyncStats recvStats = new SyncStats();
            List<ByteBuffer> back = new ArrayList<>();
            DatagramOutbox acks = new DatagramOutbox(new Authenticator(key, enc), 2, 1472, back::add, recvStats);
            SyncListener fill = new Ignoring() {
                @Override
                public void onFlowUpdate(byte[] flow, long arrivedNanos) {
                    store.putEncoded(flow, 5); // checked with its datagram by the receiver, as in the engine
                }
            };
            FtfwMode receiverMode = new FtfwMode(ONE_PASS, STATELESS, acks, fill, recvStats, "a");
            PeerReceiver receiver = new PeerReceiver(new Authenticator(key, enc), receiverMode, CompactFlowCheck.INSTANCE, "a");
            handshake(sender, datagrams, receiver, back, key, enc);

            long t0 = System.nanoTime();
            int[] i = {0};
            sender.bulk(() -> i[0] < encodings.size() ? encodings.get(i[0]++) : null);
            sender.tick(1);
            long t1 = System.nanoTime();

            // as the transport hands them over: in native memory (Netty's direct buffers)
            List<ByteBuffer> direct = new ArrayList<>(datagrams.size());
            for (ByteBuffer d : datagrams) {
                direct.add(ByteBuffer.allocateDirect(d.remaining()).put(d.duplicate()).flip());
            }
            long t2 = System.nanoTime();
            for (ByteBuffer d : direct) {
                receiver.receive(d.duplicate(), 2);
            }
            long t3 = System.nanoTime();
            if (store.size() != n) {
                throw new IllegalStateException("receiver holds " + store.size() + " of " + n);
            }
            System.out.printf(Locale.ROOT, "round %d: %d datagrams; send %.3f us/flow, receive %.3f us/flow%n", r,
                    datagrams.size(), (t1 - t0) / 1e3 / n, (t3 - t2) / 1e3 / n);
        }
    }

    /** Brings both sides into a session (nothing reliable is sent before), then empties both lists. */
    static void handshake(FtfwMode sender, List<ByteBuffer> toReceiver, PeerReceiver receiver,
                          List<ByteBuffer> toSender, byte[] key, Encryption enc) throws Exception {
        sender.start(1);
        for (int round = 0; round < 10 && !(toReceiver.isEmpty() && toSender.isEmpty()); round++) {
            List<ByteBuffer> forward = new ArrayList<>(toReceiver);
            List<ByteBuffer> backward = new ArrayList<>(toSender);
            toReceiver.clear();
            toSender.clear();
            for (ByteBuffer d : forward) {
                receiver.receive(d, 1);
            }
            for (ByteBuffer d : backward) {
                sender.received(DatagramCodec.open(d, new Authenticator(key, enc)), 1);
            }
        }
        if (!toReceiver.isEmpty() || !toSender.isEmpty()) {
            throw new IllegalStateException("no session after 10 rounds");
        }
    }

    static final StateSource STATELESS = new StateSource() {
        @Override
        public byte[] current(FlowKey key) {
            return null;
        }

        @Override
        public FlowKey keyOf(byte[] flow) {
            return new FlowKey(Arrays.copyOf(flow, CompactFlow.keyLength(flow)));
        }

        @Override
        public int flows() {
            return 0;
        }
    };

    /** Hears everything and does nothing with it. */
    static class Ignoring implements SyncListener {
        @Override
        public void onFlowUpdate(byte[] flow, long arrivedNanos) { }

        @Override
        public void onFlowDelete(byte[] k) { }

        @Override
        public void onBulkBegin(long arrivedNanos) { }

        @Override
        public void onBulkEnd(long flows) { }

        @Override
        public void onResyncRequest() { }

        @Override
        public void onPeerRestart() { }

        @Override
        public void onPeerAlive(boolean alive) { }
    }
}
