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
import io.hactl.sync.mode.ModeConfig;
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
        return run(null, flows, maxRounds, budget);
    }

    /**
     * As {@link #run(int, int, Duration)}, shaped like the daemon's engine {@code shape}: its
     * filter, mode tunables and commit settings (null: the defaults, with a gateway's filter).
     * A rehearsal of another shape leaves code compiled for branches the daemon never takes, and
     * the daemon's first flows then take branches C2 left out: it throws the code away
     * (-XX:+LogCompilation of a bench pair: uncommon traps in the filter, the event decoder and
     * the bulk loop during the first live load and resync).
     */
    public static Result run(EngineConfig shape, int flows, int maxRounds, Duration budget) {
        return run(shape, flows, maxRounds, budget, REHEARSAL_DATAGRAM);
    }

    /**
     * One more round after {@link #run(EngineConfig, int, int, Duration)}, once the compilers
     * have gone quiet, with the smallest datagrams (one to three flows each): C2 raises its
     * compile thresholds with the length of its queue, long all through the first rounds, so
     * what runs once per datagram (Netty's write path, the sending of a datagram, the MAC) was
     * still in profiled C1 code; -Xlog:jit+compilation of bench daemons showed C2 compiling it,
     * for the first time, during the first 100k-flow resync. This round calls it about as
     * often as such a bulk does, while nothing else waits for the compilers.
     */
    public static Result topUp(EngineConfig shape, int flows, Duration budget) {
        return run(shape, flows, 1, budget, TOP_UP_DATAGRAM);
    }

    private static Result run(EngineConfig shape, int flows, int maxRounds, Duration budget, int datagram) {
        long t0 = System.nanoTime();
        // the daemon's engine reads the kernel through JnaNetlinkSocket: loaded now, before C2
        // compiles the rehearsal's code on the assumption that the in-memory socket is the only
        // NetlinkSocket there is (LogCompilation: dependency_failed, unique_concrete_method
        // NetlinkSocket.receive, when the engine opened its first kernel socket)
        try {
            Class.forName("io.hactl.sync.ctnetlink.JnaNetlinkSocket", false, Warmup.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e); // same module: cannot happen
        }
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
            FlowFilter filter = shape != null ? shape.filter() : GATEWAY_FILTER;
            List<Flow> load = synthetic(flows, filter);
            if (load.stream().noneMatch(filter::accepts)) {
                filter = FlowFilter.ACCEPT_ALL; // (ICMP only, say) better rehearsed without it than not at all
            }
            int[] ports = ports();
            InetAddress lo = InetAddress.getLoopbackAddress();
            LinkSpec aToB = new LinkSpec("lo", new InetSocketAddress(lo, ports[0]), new InetSocketAddress(lo, ports[1]), false);
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            EngineConfig configA = config(shape, filter, "a", aToB, key, flows, datagram);
            EngineConfig configB = config(shape, filter, "b", new LinkSpec("lo", aToB.remote(), aToB.local(), false), key,
                    flows, datagram);
            // flows that close on their own: holes in both caches, FLOW_DELETE on the wire
            List<Flow> closing = new ArrayList<>();
            for (int i = 0; i < load.size(); i += 16) {
                closing.add(load.get(i));
            }
            a = SyncEngine.start(configA, EngineListener.NONE, KernelAccess.inMemory(kernelA));
            b = SyncEngine.start(configB, toB, KernelAccess.inMemory(kernelB));
            if (!peerAlive.await(3, TimeUnit.SECONDS)) {
                throw new TimeoutException("the rehearsal engines do not hear each other on loopback (a firewall rule?)");
            }
            // at least a few rounds, even when the machine is busy (two daemons starting at once)
            long hardDeadline = t0 + 3 * budget.toNanos();
            while (rounds < maxRounds && (System.nanoTime() < deadline
                    || rounds < MIN_ROUNDS && System.nanoTime() < hardDeadline)) {
                if (rounds > 0) {
                    // a restarted peer, as a daemon's first datagrams are to its peer and its
                    // peer's to it: a new epoch, HELLO and HELLO_BACK, a startup resync
                    b.close();
                    b = null;
                    b = SyncEngine.start(configB, toB, KernelAccess.inMemory(kernelB));
                }
                loaderA.batch(load, BatchMode.CREATE); // live replication, from a's events
                loaderA.batchDelete(closing);
                a.resyncInternal().get(10, TimeUnit.SECONDS); // as a new master does; after it a holds them all
                // bulks are the largest bursts a daemon sees: several per round (the in-memory
                // table, slower than the kernel, takes no part in them)
                for (int i = 0; i < BULKS_PER_ROUND; i++) {
                    bulks.clear(); // a startup resync's bulk of the empty table may still come
                    b.requestResync().get(5, TimeUnit.SECONDS);
                    awaitBulk(bulks);
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

    /** Waits for a bulk with flows in it (one of the empty table, from a startup resync, is not it). */
    private static void awaitBulk(BlockingQueue<Long> bulks) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Long n = bulks.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (n == null) {
                throw new TimeoutException("no bulk within 10 s");
            }
            if (n > 0) {
                return;
            }
        }
    }

    /**
     * An engine of the rehearsal: the daemon's shape (or the defaults) with {@code filter}, on
     * loopback, with small datagrams and socket buffers (below), and fewer messages per pass than
     * a bulk holds, so that bulks also stop at the pass limit as a daemon's large ones do.
     * -XX:+PrintCompilation of bench daemons: the per-datagram paths are now compiled by C2 in
     * the rehearsal, not during the first 100k-flow bulks; over five such resyncs right after the
     * start the compilers took 34-96 ms of CPU per resync (95-150 ms before) and the resyncs took
     * 0.07-0.18 s (0.12-0.33 s before).
     */
    private static EngineConfig config(EngineConfig shape, FlowFilter filter, String node, LinkSpec link, byte[] key,
                                       int flows, int datagram) {
        EngineConfig d = shape != null ? shape : EngineConfig.defaults(node, node, List.of(link), key);
        ModeConfig m = d.mode();
        ModeConfig mode = new ModeConfig(m.ackWindow(), m.resendLimit(), m.heartbeat(), m.deadAfter(),
                Math.max(1, Math.min(m.maxPerPass(), flows / 8)), m.ackDelay());
        return new EngineConfig(NODE_PREFIX + node, NODE_PREFIX + (node.equals("a") ? "b" : "a"), d.reliable(),
                List.of(link), key, mode, filter, Math.max(d.cacheLimit(), 2 * flows), d.directInject(),
                d.commitTimeout(), d.purgeTimeout(), d.tcpWindowTracking(), true, datagram,
                REHEARSAL_SOCKET_BUFFER, d.eventBuffer(), d.eventBufferMax(), d.overrunResync());
    }

    /** A gateway's filter, for a rehearsal without the daemon's: protocols, its own prefixes ignored. */
    static final FlowFilter GATEWAY_FILTER = new FlowFilter(new java.util.HashSet<>(List.of(Tuple.TCP, Tuple.UDP, 1, 58, 132)),
            List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"), Cidr.parse("169.254.0.0/16")), java.util.Set.of());

    /**
     * Small datagrams (about 10 flows each instead of 35), so that what runs once per datagram
     * (sealing, opening, FTFW's receive, Netty's read and write paths) is called about as often as
     * a daemon's first large bulks call it, and reaches C2 in the rehearsal rather than during
     * them.
     */
    private static final int REHEARSAL_DATAGRAM = 400;

    /** The smallest datagram the outbox takes: one to three flows each (see {@link #topUp}). */
    static final int TOP_UP_DATAGRAM = io.hactl.sync.wire.Wire.OVERHEAD + 128;

    /**
     * Small enough that the rehearsal's bulks overflow it now and then: losses, NACKs and
     * retransmissions run in the rehearsal too, not first in a daemon's first large bulk.
     */
    private static final int REHEARSAL_SOCKET_BUFFER = 128 << 10;

    /** Two loopback UDP ports free a moment ago (a clash only ends the rehearsal early). */
    private static int[] ports() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket s1 = new DatagramSocket(new InetSocketAddress(lo, 0));
             DatagramSocket s2 = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            return new int[] {s1.getLocalPort(), s2.getLocalPort()};
        }
    }

    /**
     * Flows as a gateway carries them: established TCP of 10.0.0.0/8 clients to one server, half
     * of them with the all-zero SYN proxy state the kernel reports for flows written through
     * ctnetlink (a commit's, the bench's), some UDP and some IPv6; and, for each prefix the
     * filter ignores, flows inside it and flows that share all but its last byte, so that the
     * filter's every branch runs.
     */
    static List<Flow> synthetic(int n, FlowFilter filter) {
        List<Flow> out = new ArrayList<>(n);
        List<Cidr> ignored = filter.ignore();
        try {
            InetAddress dst = InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1});
            InetAddress dst6 = InetAddress.getByName("2001:db8::1");
            for (int i = 0; i < n; i++) {
                InetAddress src;
                InetAddress to = dst;
                if (!ignored.isEmpty() && i % 64 == 33) {
                    src = InetAddress.getByAddress(near(ignored.get(i / 64 % ignored.size()), i / 64 / ignored.size() % 2 == 0));
                    to = src.getAddress().length == 16 ? dst6 : dst;
                } else if (i % 16 == 7) {
                    src = InetAddress.getByName("2001:db8:1::" + Integer.toHexString(i & 0xffff));
                    to = dst6;
                } else {
                    src = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
                }
                Flow.Builder f;
                if (i % 16 == 11) {
                    f = Flow.builder(Tuple.udp(src, to, 1024 + (i & 0x7fff), 53)).timeout(30).status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_CONFIRMED);
                } else {
                    f = Flow.builder(Tuple.tcp(src, to, 1024 + (i & 0x7fff), 443)).timeout(300)
                            .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED | Ctnl.IPS_CONFIRMED)
                            .protoInfo(new TcpInfo(TcpInfo.ESTABLISHED, 7, 7, Ctnl.IP_CT_TCP_FLAG_SACK_PERM, 0));
                }
                if (i % 2 == 1) {
                    f.synproxy(new io.hactl.sync.conntrack.Synproxy(0, 0, 0));
                }
                out.add(f.mark(i & 7).build());
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: literal addresses
        }
        return out;
    }

    /** An address inside the prefix, or one that differs from it in the prefix's last byte only. */
    private static byte[] near(Cidr c, boolean inside) {
        byte[] a = c.network().getAddress();
        a[a.length - 1] |= 1;
        if (!inside && c.prefix() > 0) {
            int last = (c.prefix() - 1) / 8; // the byte that holds the prefix's last bit
            a[last] ^= (byte) (0x80 >>> ((c.prefix() - 1) % 8));
        }
        return a;
    }
}
