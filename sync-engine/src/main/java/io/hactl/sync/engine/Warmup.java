package io.hactl.sync.engine;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.ctnetlink.InMemoryConntrackKernel;
import io.hactl.sync.ctnetlink.NetlinkException;
import io.hactl.sync.transport.LinkSpec;
import io.hactl.sync.transport.TransportException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A rehearsal at start, so that the first failover runs compiled code: two engines on loopback,
 * each on its own in-memory conntrack table, replicate synthetic flows live, answer a requested
 * resync and commit, for a few rounds. The JIT compiles what a failover takes (event decoding,
 * caches, FTFW, datagram sealing and opening, commit planning, batched writes); interpreted, the
 * first large resync or commit of a daemon's life takes two to three times as long. Bounded in
 * rounds and time; touches neither the kernel's table nor any network but loopback.
 */
public final class Warmup {
    /** The rehearsal engines' node names start with this (their logs go to a quiet logger). */
    static final String NODE_PREFIX = "rehearsal-";
    private static final int BULKS_PER_ROUND = 4;
    /** Rounds done past the budget (up to three times it) when a busy machine slows them. */
    private static final int MIN_ROUNDS = 3;

    /** What the rehearsal did, and why it stopped: "done", or the failure that ended it early. */
    public record Result(int rounds, long flowsReplicated, long kernelEvents, long millis, String stopped) {}

    private Warmup() {}

    /**
     * Rehearses with {@code flows} flows per round, for at most {@code maxRounds} rounds and about
     * {@code budget} (the round under way is finished). Failures end it early; they never
     * prevent the daemon from starting, so they are returned as a result with what was done.
     */
    public static Result run(int flows, int maxRounds, Duration budget) {
        long t0 = System.nanoTime();
        long deadline = t0 + budget.toNanos();
        int rounds = 0;
        long replicated = 0;
        long events = 0;
        String stopped = "done";
        InMemoryConntrackKernel kernelA = new InMemoryConntrackKernel();
        InMemoryConntrackKernel kernelB = new InMemoryConntrackKernel();
        BlockingQueue<Long> bulks = new LinkedBlockingQueue<>();
        java.util.concurrent.CountDownLatch peerAlive = new java.util.concurrent.CountDownLatch(1);
        EngineListener toB = new EngineListener() {
            @Override
            public void onBulkReceived(long count, boolean clean) {
                bulks.add(count);
            }

            @Override
            public void onPeerAlive(boolean alive) {
                if (alive) {
                    peerAlive.countDown();
                }
            }
        };
        SyncEngine a = null;
        SyncEngine b = null;
        try (Conntrack loaderA = new Conntrack(kernelA.openSocket(), new DecodeStats());
             Conntrack loaderB = new Conntrack(kernelB.openSocket(), new DecodeStats())) {
            List<Flow> load = synthetic(flows);
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            int[] ports = freeLoopbackPorts();
            a = SyncEngine.start(config("a", ports[0], ports[1], key), EngineListener.NONE,
                    KernelAccess.inMemory(kernelA));
            b = SyncEngine.start(config("b", ports[1], ports[0], key), toB, KernelAccess.inMemory(kernelB));
            if (!peerAlive.await(3, TimeUnit.SECONDS)) {
                throw new TimeoutException("the rehearsal engines do not hear each other on loopback (a firewall rule?)");
            }
            // at least a few rounds, even when the machine is busy (two daemons starting at once)
            long hardDeadline = t0 + 3 * budget.toNanos();
            while (rounds < maxRounds && (System.nanoTime() < deadline
                    || rounds < MIN_ROUNDS && System.nanoTime() < hardDeadline)) {
                loaderA.batch(load, BatchMode.CREATE); // live replication, from a's events
                a.resyncInternal().get(10, TimeUnit.SECONDS); // as a new master does; after it a holds them all
                // bulks are the largest bursts a daemon sees: several per round (the in-memory
                // table, slower than the kernel, takes no part in them)
                for (int i = 0; i < BULKS_PER_ROUND; i++) {
                    b.requestResync().get(5, TimeUnit.SECONDS);
                    awaitBulk(bulks, flows);
                }
                b.commit().get(10, TimeUnit.SECONDS);
                a.announceHandover().get(5, TimeUnit.SECONDS); // b preloads nothing here: only the message's path
                replicated += flows;
                rounds++;
                // empty tables and caches for the next round: the deletes replicate too
                loaderA.flush(Ctnl.AF_UNSPEC);
                loaderB.flush(Ctnl.AF_UNSPEC);
                a.flush(SyncEngine.Cache.BOTH).get(5, TimeUnit.SECONDS);
                b.flush(SyncEngine.Cache.BOTH).get(5, TimeUnit.SECONDS);
            }
        } catch (NetlinkException | TransportException | IOException | ExecutionException | TimeoutException
                 | RuntimeException e) {
            stopped = e.getMessage() != null ? e.getMessage() : e.toString();
            org.slf4j.LoggerFactory.getLogger(SyncEngine.WARMUP_LOGGER).warn("warm-up ended early after {} rounds: {}",
                    rounds, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = "interrupted";
        } finally {
            if (a != null) {
                events = a.status().counters().getOrDefault("kernel_events", 0L);
                a.close();
            }
            if (b != null) {
                b.close();
            }
        }
        return new Result(rounds, replicated, events, (System.nanoTime() - t0) / 1_000_000, stopped);
    }

    private static void awaitBulk(BlockingQueue<Long> bulks, int flows) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Long n = bulks.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (n == null) {
                throw new TimeoutException("no bulk of " + flows + " flows within 10 s");
            }
            if (n == flows) {
                return;
            }
        }
    }

    /**
     * The engines' configuration: the defaults, with a filter as a gateway's (protocols, ignored
     * prefixes), so that the filter's code is compiled for the shape a daemon's has, and with
     * small datagrams and socket buffers (below). -XX:+PrintCompilation of bench daemons: the
     * per-datagram paths are now compiled by C2 in the rehearsal, not during the first 100k-flow
     * bulks; over five such resyncs right after the start the compilers took 34-96 ms of CPU per
     * resync (95-150 ms before) and the resyncs took 0.07-0.18 s (0.12-0.33 s before).
     */
    private static EngineConfig config(String node, int port, int peerPort, byte[] key) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        LinkSpec link = new LinkSpec("lo", new InetSocketAddress(lo, port), new InetSocketAddress(lo, peerPort), false);
        FlowFilter filter = new FlowFilter(new java.util.HashSet<>(List.of(Tuple.TCP, Tuple.UDP, 1, 58, 132)),
                List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"), Cidr.parse("169.254.0.0/16")),
                java.util.Set.of());
        EngineConfig d = EngineConfig.defaults(NODE_PREFIX + node, NODE_PREFIX + (node.equals("a") ? "b" : "a"),
                List.of(link), key);
        return new EngineConfig(d.node(), d.peer(), true, d.links(), key, d.mode(), filter, d.cacheLimit(), false,
                d.commitTimeout(), d.purgeTimeout(), false, true, REHEARSAL_DATAGRAM, REHEARSAL_SOCKET_BUFFER,
                d.eventBuffer(), d.eventBufferMax(), d.overrunResync());
    }

    /**
     * Small datagrams (about 10 flows each instead of 35), so that what runs once per datagram
     * (sealing, opening, FTFW's receive, Netty's read and write paths) is called about as often as
     * a daemon's first large bulks call it, and reaches C2 in the rehearsal rather than during
     * them.
     */
    private static final int REHEARSAL_DATAGRAM = 400;

    /**
     * Small enough that the rehearsal's bulks overflow it now and then: losses, NACKs and
     * retransmissions run in the rehearsal too, not first in a daemon's first large bulk.
     */
    private static final int REHEARSAL_SOCKET_BUFFER = 128 << 10;

    /** Two loopback UDP ports free a moment ago (a clash only ends the rehearsal early). */
    private static int[] freeLoopbackPorts() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket s1 = new DatagramSocket(new InetSocketAddress(lo, 0));
             DatagramSocket s2 = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            return new int[] {s1.getLocalPort(), s2.getLocalPort()};
        }
    }

    /** Established TCP flows of 10.0.0.0/8 clients to one server, as a gateway carries them. */
    static List<Flow> synthetic(int n) {
        List<Flow> out = new ArrayList<>(n);
        try {
            InetAddress dst = InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1});
            for (int i = 0; i < n; i++) {
                InetAddress src = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
                out.add(Flow.builder(Tuple.tcp(src, dst, 1024 + (i & 0x7fff), 443)).timeout(300).mark(i & 7)
                        .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED | Ctnl.IPS_CONFIRMED)
                        .protoInfo(new TcpInfo(TcpInfo.ESTABLISHED, 7, 7, Ctnl.IP_CT_TCP_FLAG_SACK_PERM, 0)).build());
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: literal addresses
        }
        return out;
    }
}
