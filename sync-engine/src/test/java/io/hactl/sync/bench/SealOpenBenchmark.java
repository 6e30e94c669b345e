package io.hactl.sync.bench;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.DatagramCodec;
import io.hactl.sync.wire.Encryption;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.MessageCodec;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The cost of the protection alone (not a test; for profiling): seals and opens full datagrams
 * of flow updates (1,472 bytes, as on a 1500-byte MTU) with each {@code sync.encryption},
 * alternating between them, and prints the median microseconds per datagram and per flow.
 * Opens from native memory, as the transport hands datagrams over.
 * Usage: SealOpenBenchmark [DATAGRAMS] [ROUNDS]
 */
public final class SealOpenBenchmark {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        List<Message> messages = new ArrayList<>();
        int size = 0;
        for (Flow f : InsertBenchmark.flows(200)) {
            Message m = new Message.FlowUpdate(messages.size() + 1, CompactFlow.encode(f));
            if (size + MessageCodec.size(m) > 1472 - 62) {
                break;
            }
            messages.add(m);
            size += MessageCodec.size(m);
        }
        Encryption[] all = Encryption.values();
        double[][] seal = new double[all.length][rounds];
        double[][] open = new double[all.length][rounds];
        ByteBuffer out = ByteBuffer.allocate(65_507);
        ByteBuffer in = ByteBuffer.allocateDirect(65_507);
        for (int r = 0; r < rounds; r++) {
            for (int e = 0; e < all.length; e++) {
                Authenticator sender = new Authenticator(key, all[e]);
                Authenticator receiver = new Authenticator(key, all[e]);
                long sealNanos = 0;
                long openNanos = 0;
                for (int i = 0; i < n; i++) {
                    out.clear();
                    long t0 = System.nanoTime();
                    DatagramCodec.seal(out, 1, 2, i, messages, sender);
                    long t1 = System.nanoTime();
                    out.flip();
                    in.clear();
                    in.put(out).flip();
                    long t2 = System.nanoTime();
                    DatagramCodec.open(in, receiver);
                    long t3 = System.nanoTime();
                    sealNanos += t1 - t0;
                    openNanos += t3 - t2;
                }
                seal[e][r] = sealNanos / 1e3 / n;
                open[e][r] = openNanos / 1e3 / n;
            }
        }
        System.out.printf(Locale.ROOT, "%d flow updates, %d bytes per datagram; medians of %d rounds of %d%n",
                messages.size(), 62 + size, rounds, n);
        for (int e = 0; e < all.length; e++) {
            double s = median(seal[e]);
            double o = median(open[e]);
            System.out.printf(Locale.ROOT, "%-18s seal %.2f us (%.3f us/flow), open %.2f us (%.3f us/flow)%n",
                    all[e].configName(), s, s / messages.size(), o, o / messages.size());
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
