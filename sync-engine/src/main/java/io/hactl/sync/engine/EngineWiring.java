package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.mode.SyncMode;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.transport.TransportException;
import io.hactl.sync.transport.TransportStats;
import io.hactl.sync.wire.Message;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of one {@link SyncEngine} and their wiring: the event loop, the kernel worker and the
 * kernel sockets, the sync link and its mode, and the components that share an
 * {@link EngineContext}; opened by {@link #open}, driven by the loop's tick, closed in reverse.
 * The engine's operations reach them here; nothing outside the package does.
 */
final class EngineWiring implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineWiring.class);
    static final long TICK_MILLIS = 10;

    final EngineConfig cfg;
    private final EngineListener engineListener;
    final LongSupplier clock;
    private final Standing initialStanding;
    private final DecodeStats decodeStats = new DecodeStats();
    private final SyncStats syncStats = new SyncStats();
    private final TransportStats transportStats = new TransportStats();
    final EngineCounters counters = new EngineCounters();
    final FlowStore internal;
    final FlowStore external;
    private final PeerCountCheck peerCount = new PeerCountCheck(SyncEngine.COUNT_PERSIST.toNanos());

    private MultiThreadIoEventLoopGroup group;
    private IoEventLoop loop;
    private ExecutorService kernelWorker;
    private Conntrack kernel;
    private KernelEvents kernelEvents;
    private KernelCountCheck kernelCount;
    private PeerLink link;
    SyncMode mode;
    private ScheduledFuture<?> ticker;
    EngineContext ctx;
    KernelResync resync;
    KernelPurge purge;
    KernelWriter writer;
    WarmStandby standby;
    PeerState peer;
    PeerAdoption adoption;
    StatusSnapshot snapshots;

    EngineWiring(EngineConfig cfg, EngineListener listener, Standing standing, LongSupplier clock) {
        this.initialStanding = java.util.Objects.requireNonNull(standing, "standing");
        this.cfg = cfg;
        this.engineListener = listener;
        this.clock = clock;
        this.internal = new FlowStore("internal", cfg.cacheLimit());
        this.external = new FlowStore("external", cfg.cacheLimit());
    }

    void open(KernelAccess kernelAccess) throws NetlinkException, TransportException {
        String node = cfg.node();
        ConntrackEvents events = kernelAccess.openEvents(cfg.eventBuffer(), decodeStats);
        kernelEvents = new KernelEvents(node, events, cfg.eventBufferMax(), new KernelEvents.Sink() {
            @Override
            public void apply(List<FlowEvent> batch) {
                writer.kernelEvents(batch);
                resync.applyEvents(batch);
            }

            @Override
            public void lost() {
                writer.kernelEventsLost();
                resync.overrun();
            }
        }, clock);
        kernel = kernelAccess.openConntrack(decodeStats);
        int kernelPort = kernel.socket().portId();
        // our own commits and injections cause events: let the kernel drop them unseen
        boolean filtered = events.socket().dropMessagesFromPort(kernelPort);
        LOG.debug("{}: own events filtered in the kernel: {}", node, filtered);
        kernelWorker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hactl-kernel-" + node);
            t.setDaemon(true);
            return t;
        });
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("hactl-sync-" + node, true),
                EpollIoHandler.newFactory());
        loop = (IoEventLoop) group.next();

        FatalErrors fatal = new FatalErrors(node, engineListener);
        ctx = new EngineContext(cfg, internal, external, counters, fatal.guard("event loop", loop),
                fatal.guard("event loop", afterIo(loop)),
                fatal.guard("kernel worker", kernelWorker), clock, initialStanding, this::refreshStatus, fatal);
        resync = new KernelResync(ctx, kernel, kernelPort, key -> mode.flowChanged(key), new CoalescedTask(ctx.loop, () -> mode.pump()));
        purge = new KernelPurge(ctx, kernel, () -> {
            mode.control(new Message.ResyncRequest(0));
            mode.pump();
        }, () -> writer.kernelTouched());
        BatchWriter batches = new BatchWriter(ctx, kernel);
        standby = new WarmStandby(ctx, kernel, batches);
        writer = new KernelWriter(ctx, kernel, events, purge, resync, batches, standby);
        adoption = new PeerAdoption(ctx, batches.copies(), resync, () -> {
            purge.cancel("adoption");
            external.clear();
        });
        peer = new PeerState(ctx, engineListener, syncStats, peerCount, purge.plan(), writer, standby,
                s -> mode.bulk(s));
        ReplicationLag lag = new ReplicationLag(internal, syncStats);
        snapshots = new StatusSnapshot(ctx, syncStats, transportStats, decodeStats, lag, peer, purge, writer, peerCount,
                () -> kernelCount == null ? null : kernelCount.latest(),
                this::kernelWork);

        link = new PeerLink(cfg, group, new InternalState(internal), peer, syncStats, transportStats, clock, lag::acked);
        mode = link.mode();

        // subscribed first, so nothing changes unseen between the dump and the events
        long dumped = resync.dumpAtStart();
        ctx.onLoop(() -> {
            long now = clock.getAsLong();
            mode.start(now);
            peer.tableRead(); // after every chunk of the dump: a bulk asked for meanwhile goes now, whole
            // no bulk of our own here: a peer that wants our flows asks (its startup resync)
            if (cfg.startupResync()) {
                mode.control(new Message.ResyncRequest(0));
                purge.plan().bulkAsked();
            }
            ticker = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            return null;
        }).join();
        kernelEvents.register(loop, fatal);
        kernelCount = new KernelCountCheck(node, kernelAccess.openConntrack(decodeStats), cfg.filter(),
                KernelCountCheck.Loop.of(loop, internal, external, () -> counters.get("kernel_events")),
                clock, KernelCountCheck.MIN_INTERVAL_MILLIS);
        kernelCount.start();
        LOG.info("{}: sync engine started ({} mode, {} flows in the kernel table, links: {})", node,
                cfg.reliable() ? "ftfw" : "notrack", dumped, link.describe());
    }

    private void tick() {
        long now = clock.getAsLong();
        try {
            link.tick(now);
            purge.tick(now);
            resync.tick(now);
            peer.tick();
            standby.flushInjections();
            snapshots.tick(now);
        } catch (RuntimeException e) {
            LOG.error("{}: engine tick failed", cfg.node(), e); // never kill the scheduled tick
        } catch (Error e) {
            ctx.fatal.check("engine tick", e);
            throw e;
        }
    }

    /**
     * {@code loop} for tasks that should wait for its next pass over its sockets and timers: a
     * task scheduled with no delay is taken up at the start of the next pass, while one executed
     * from the loop runs in the current pass, behind every task queued before it.
     */
    static Executor afterIo(EventLoop loop) {
        return task -> loop.schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    /** Warm standby's backlog and a pending resync from the kernel, as they are now (on the loop). */
    KernelWork kernelWork() {
        return new KernelWork(standby.backlog(), standby.reconcileDue(), resync.pending());
    }

    /**
     * Takes the status anew once an operation has run, before its caller hears back: a status
     * read right after {@code hactl purge} (say) shows the purge, not the tick's snapshot from up
     * to {@link #TICK_MILLIS} before it.
     */
    private void refreshStatus() {
        if (ticker == null) {
            return; // not started: the first tick takes it
        }
        try {
            snapshots.take(clock.getAsLong());
        } catch (RuntimeException e) {
            LOG.error("{}: status snapshot failed", cfg.node(), e); // the operation's answer still goes out
        }
    }

    @Override
    public void close() {
        if (ctx != null) {
            ctx.fatal.stopping();
        }
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (kernelEvents != null) {
            kernelEvents.stop();
        }
        if (kernelCount != null) {
            kernelCount.close();
        }
        if (link != null) {
            link.close();
        }
        // the worker first, while the loop still takes what its last task hands back
        if (kernelWorker != null) {
            kernelWorker.shutdown();
            try {
                kernelWorker.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (kernel != null) {
            kernel.close();
        }
    }
}
