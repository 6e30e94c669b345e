package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.ctnetlink.InMemoryConntrackKernel;
import io.hactl.sync.mode.BulkSource;
import io.hactl.sync.mode.FlowKey;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.transport.LinkSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The engine's parts wired as {@link SyncEngine} wires them, on an in-memory kernel, with a
 * clock the test sets and a loop and a worker that run their tasks only when the test
 * {@link #drain drains} them, on the test's thread: every interleaving is the test's choice.
 * No sync link: what the parts queue for the peer is recorded in {@link #announced} and
 * {@link #bulks}.
 */
final class EngineParts {
    /** A task queue run by the test. */
    static final class Tasks implements Executor {
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            queue.add(task);
        }

        /** Runs one queued task; false when none was queued. */
        boolean runOne() {
            Runnable r = queue.poll();
            if (r == null) {
                return false;
            }
            r.run();
            return true;
        }
    }

    final InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
    final EngineConfig cfg;
    final Tasks loop = new Tasks();
    final Tasks worker = new Tasks();
    long now = 1_000_000_000L;
    final FlowStore internal;
    final FlowStore external;
    final EngineCounters counters = new EngineCounters();
    final SyncStats stats = new SyncStats();
    final EngineContext ctx;
    final Conntrack conntrack;
    final ConntrackEvents events;
    final KernelResync resync;
    final KernelPurge purge;
    final BatchWriter batches;
    final WarmStandby standby;
    final KernelWriter writer;
    final PeerState peer;
    final List<FlowKey> announced = new ArrayList<>();
    final List<BulkSource> bulks = new ArrayList<>();
    final List<String> heard = new ArrayList<>();
    int pumps;
    int bulkAsks;

    EngineParts(EngineConfig cfg, Standing standing) throws Exception {
        this.cfg = cfg;
        internal = new FlowStore("internal", cfg.cacheLimit());
        external = new FlowStore("external", cfg.cacheLimit());
        ctx = new EngineContext(cfg, internal, external, counters, loop, worker, () -> now, standing, () -> { });
        InMemoryKernelAccess access = new InMemoryKernelAccess(kernel);
        events = access.openEvents(cfg.eventBuffer(), new DecodeStats());
        conntrack = access.openConntrack(new DecodeStats());
        events.socket().dropMessagesFromPort(conntrack.socket().portId());
        resync = new KernelResync(ctx, conntrack, conntrack.socket().portId(), announced::add, () -> pumps++);
        purge = new KernelPurge(ctx, conntrack, () -> bulkAsks++, () -> writer().kernelTouched());
        batches = new BatchWriter(ctx, conntrack);
        standby = new WarmStandby(ctx, conntrack, batches);
        writer = new KernelWriter(ctx, conntrack, events, purge, resync, batches, standby);
        peer = new PeerState(ctx, new EngineListener() {
            @Override
            public void onBulkReceived(long flows, boolean clean) {
                heard.add("bulk " + flows + (clean ? " clean" : " unclean"));
            }
        }, stats, new PeerCountCheck(SyncEngine.COUNT_PERSIST.toNanos()), purge.plan(), writer, standby, bulks::add);
        peer.tableRead(); // as after the start dump; a test of the start itself builds its own
    }

    private KernelWriter writer() {
        return writer;
    }

    /** gw1 towards gw2 (the link is never opened here). */
    static EngineConfig config() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        return EngineConfig.defaults("gw1", "gw2", List.of(new LinkSpec("lo", new InetSocketAddress(lo, 7001),
                new InetSocketAddress(lo, 7002), false)), new byte[32]);
    }

    /** Runs loop and worker tasks until both queues are empty, the loop's first. */
    void drain() {
        while (loop.runOne() || worker.runOne()) {
            // every stage a task completes queues the next one here
        }
    }

    void advance(Duration d) {
        now += d.toNanos();
    }

    long counter(String name) {
        return counters.get(name);
    }

    /** An established TCP flow 10.{net}.{i}.{i} -> 10.60.0.10:443, with {@code mark}. */
    static Flow flow(int net, int i, long mark) {
        return flow(net, i, mark, Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED);
    }

    static Flow flow(int net, int i, long mark, long status) {
        try {
            return Flow.builder(Tuple.tcp(InetAddress.getByAddress(new byte[] {10, (byte) net, (byte) (i >> 8), (byte) i}),
                            InetAddress.getByName("10.60.0.10"), 20000, 443)).timeout(3600).mark(mark)
                    .status(status).protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build();
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static FlowKey key(Flow f) {
        return new FlowKey(CompactFlow.encodeKey(f.orig(), f.zone()));
    }
}
