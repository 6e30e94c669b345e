package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
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
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync engine of one gateway: kernel events fill the internal cache, which the sync mode
 * replicates to the peer; the peer's flows fill the external cache, which a commit loads into
 * the kernel (or, with direct-inject, every received flow goes straight into it).
 *
 * <p>A facade that wires the parts: {@link KernelResync} (kernel events and dumps into the
 * internal cache), {@link PeerState} (the peer's flows and bulks), {@link KernelWriter} (commit),
 * {@link WarmStandby} (direct inject), both writing through {@link BatchWriter}, {@link KernelPurge}, and {@link StatusSnapshot}; they share an
 * {@link EngineContext}.
 *
 * <p>Threads: one event loop owns the caches, the mode and the sync links; one thread reads
 * kernel events; one worker does the kernel writes and dumps, so a long commit never stalls
 * replication. The operations are safe to call from any thread and complete their futures when
 * done. Everything is opened in the network namespace of the thread that calls {@link #start}.
 */
public final class SyncEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    private static final long TICK_MILLIS = 10;
    /** How long the peer's summaries must show a count difference before it is evidence (PeerCountCheck). */
    static final Duration COUNT_PERSIST = Duration.ofSeconds(1);

    private final EngineConfig cfg;
    private final EngineListener engineListener;
    private final LongSupplier clock;
    private final Standing initialStanding;
    private final DecodeStats decodeStats = new DecodeStats();
    private final SyncStats syncStats = new SyncStats();
    private final TransportStats transportStats = new TransportStats();
    private final EngineCounters counters = new EngineCounters();
    private final FlowStore internal;
    private final FlowStore external;
    private final PeerCountCheck peerCount = new PeerCountCheck(COUNT_PERSIST.toNanos());

    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private ExecutorService kernelWorker;
    private Conntrack kernel;
    private KernelEvents kernelEvents;
    private KernelCountCheck kernelCount;
    private PeerLink link;
    private SyncMode mode;
    private ScheduledFuture<?> ticker;
    private EngineContext ctx;
    private KernelResync resync;
    private KernelPurge purge;
    private KernelWriter writer;
    private WarmStandby standby;
    private PeerState peer;
    private StatusSnapshot snapshots;

    private SyncEngine(EngineConfig cfg, EngineListener listener, Standing standing, LongSupplier clock) {
        this.initialStanding = java.util.Objects.requireNonNull(standing, "standing");
        this.cfg = cfg;
        this.engineListener = listener;
        this.clock = clock;
        this.internal = new FlowStore("internal", cfg.cacheLimit());
        this.external = new FlowStore("external", cfg.cacheLimit());
    }

    /**
     * Opens the kernel sockets and sync links in the calling thread's network namespace, loads
     * the kernel table into the internal cache, asks the peer for its flows (startup resync) and
     * starts replicating.
     */
    public static SyncEngine start(EngineConfig cfg, EngineListener listener)
            throws NetlinkException, TransportException {
        return start(cfg, listener, KernelAccess.NETLINK);
    }

    /** As {@link #start(EngineConfig, EngineListener)}, on the conntrack table {@code kernelAccess} opens. */
    public static SyncEngine start(EngineConfig cfg, EngineListener listener, KernelAccess kernelAccess)
            throws NetlinkException, TransportException {
        return start(cfg, listener, kernelAccess, Standing.UNKNOWN);
    }

    /**
     * As {@link #start(EngineConfig, EngineListener, KernelAccess)}, knowing whose the marked
     * flows already in the kernel are ({@code standing}: from the role before a restart).
     */
    public static SyncEngine start(EngineConfig cfg, EngineListener listener, KernelAccess kernelAccess,
                                   Standing standing) throws NetlinkException, TransportException {
        return start(cfg, listener, kernelAccess, standing, System::nanoTime);
    }

    /** As {@link #start(EngineConfig, EngineListener, KernelAccess, Standing)}, on a monotonic clock of nanoseconds. */
    static SyncEngine start(EngineConfig cfg, EngineListener listener, KernelAccess kernelAccess, Standing standing,
                            LongSupplier clock) throws NetlinkException, TransportException {
        SyncEngine e = new SyncEngine(cfg, listener, standing, clock);
        try {
            e.open(kernelAccess);
        } catch (NetlinkException | TransportException | RuntimeException ex) {
            e.close();
            throw ex;
        }
        return e;
    }

    private void open(KernelAccess kernelAccess) throws NetlinkException, TransportException {
        String node = cfg.node();
        ConntrackEvents events = kernelAccess.openEvents(cfg.eventBuffer(), decodeStats);
        kernelEvents = new KernelEvents(node, events, cfg.eventBufferMax(),
                batch -> ctx.loop.execute(() -> {
                    writer.kernelEvents(batch);
                    resync.applyEvents(batch);
                }),
                () -> ctx.loop.execute(() -> {
                    writer.kernelEventsLost();
                    resync.overrun();
                }), clock);
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
        loop = group.next();

        FatalErrors fatal = new FatalErrors(node, engineListener);
        ctx = new EngineContext(cfg, internal, external, counters, fatal.guard("event loop", loop),
                fatal.guard("kernel worker", kernelWorker), clock, initialStanding, this::refreshStatus, fatal);
        resync = new KernelResync(ctx, kernel, kernelPort, key -> mode.flowChanged(key), new CoalescedTask(ctx.loop, () -> mode.pump()));
        purge = new KernelPurge(ctx, kernel, () -> {
            mode.control(new Message.ResyncRequest(0));
            mode.pump();
        }, () -> writer.kernelTouched());
        BatchWriter batches = new BatchWriter(ctx, kernel);
        standby = new WarmStandby(ctx, kernel, batches);
        writer = new KernelWriter(ctx, kernel, events, purge, resync, batches, standby);
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
        kernelEvents.start();
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
            snapshots.take(now);
        } catch (RuntimeException e) {
            LOG.error("{}: engine tick failed", cfg.node(), e); // never kill the scheduled tick
        } catch (Error e) {
            ctx.fatal.check("engine tick", e);
            throw e;
        }
    }

    // ------------------------------------------------------------ operations

    /**
     * Loads the external cache into the kernel: masters before related flows, timeouts as
     * {@link CommitPlanner} sets them, in batches. Cancels a scheduled purge.
     */
    public CompletableFuture<CommitResult> commit() {
        return ctx.fatal.watch("commit", writer.commit(false));
    }

    /**
     * As {@link #commit}, but only the flows the kernel does not hold as last received: those a
     * commit or warm standby (direct-inject) wrote and for which nothing arrived since are left
     * out, unless their timeout in the kernel runs out within {@link BatchWriter#EXPIRY_MARGIN}.
     * The MASTER transition after warm standby or a preload then writes only what changed, at the
     * moment the traffic arrives.
     */
    public CompletableFuture<CommitResult> commitChanges() {
        return ctx.fatal.watch("commit", writer.commit(true));
    }

    /**
     * Whether this node is a warm standby whose kernel holds every flow of the external cache as
     * received, nothing queued or being written and no reconcile due: a MASTER commit now would
     * write nothing (asked on the loop, so a flow that arrived a moment ago counts).
     */
    public CompletableFuture<Boolean> standbyCurrent() {
        return ctx.askLoop(() -> kernelWork().standbyCurrent());
    }

    /**
     * As {@link #standbyCurrent}, answered at once on the caller's thread from what the loop last
     * recorded: a flow it has read from the peer and not yet written counts, one still in the
     * socket does not (nor would it for the loop). For a takeover that must not wait for the loop.
     */
    public boolean standbyCurrentNow() {
        return standby.currentNow();
    }

    /** Warm standby's backlog and a pending resync from the kernel, as they are now (on the loop). */
    private KernelWork kernelWork() {
        return new KernelWork(standby.backlog(), standby.reconcileDue(), resync.pending());
    }

    /** Which cache a flush empties. */
    public enum Cache { INTERNAL, EXTERNAL, BOTH }

    /** Empties a cache (nothing is sent to the peer); cancels a scheduled purge. */
    public CompletableFuture<Integer> flush(Cache which) {
        return ctx.onLoop(() -> {
            purge.cancel("flush");
            int n = 0;
            if (which != Cache.EXTERNAL) {
                n += internal.size();
                internal.clear();
                mode.clearQueues();
            }
            if (which != Cache.INTERNAL) {
                n += external.size();
                external.clear();
            }
            LOG.info("{}: flushed {} cache ({} flows)", cfg.node(), which.name().toLowerCase(), n);
            return n;
        });
    }

    /** Reloads the internal cache from a kernel dump; changes (and vanished flows) go to the peer. */
    public CompletableFuture<Integer> resyncInternal() {
        return ctx.fatal.watch("resync from the kernel", resync.resync(KernelResync.Announce.ALL));
    }

    /**
     * As {@link #resyncInternal()} without queueing the changes for the peer, for the MASTER
     * transition: the bulk send right after it carries every flow anyway (and the bulk's clean end
     * removes at the peer what vanished), so announcing them first would send each flow twice, at
     * the moment the traffic arrives.
     */
    public CompletableFuture<Integer> resyncInternalQuietly() {
        return ctx.fatal.watch("resync from the kernel", resync.resync(KernelResync.Announce.NONE));
    }

    /** Sends the whole internal cache to the peer, framed by BULK_BEGIN / BULK_END. */
    public CompletableFuture<Integer> bulkSend() {
        return ctx.onLoop(() -> {
            int n = peer.sendBulk();
            mode.pump(); // its first datagrams leave now, not at the next tick
            return n;
        });
    }

    /**
     * Tells the peer that this node leaves MASTER (HANDOVER), so that it loads the flows into its
     * kernel before its VRRP takes the addresses over. It leaves after the flow changes already
     * queued; any of them lost on the way arrive after it, for the commit of the peer's MASTER
     * transition.
     */
    public CompletableFuture<Void> announceHandover() {
        return ctx.onLoop(() -> {
            mode.control(new Message.Handover(0));
            mode.pump(); // now, not at the next tick: the peer's commit waits for it
            counters.count("handovers_sent");
            return null;
        });
    }

    /** Asks the peer for a bulk send of its internal cache. */
    public CompletableFuture<Void> requestResync() {
        return ctx.onLoop(() -> {
            purge.plan().bulkAsked();
            mode.control(new Message.ResyncRequest(0));
            mode.pump(); // now, not at the next tick (up to 10 ms later)
            return null;
        });
    }

    /**
     * Schedules the purge: after the purge timeout, the flows a commit or an inject wrote from the
     * peer's cache (those carrying the owner mark) that the peer no longer has (not in the
     * external cache) are deleted from the kernel; nothing else. It runs only if this node is then
     * certainly not MASTER ({@link Standing#mayPurge}); a peer coming back meanwhile makes it wait
     * for the peer's bulk; commit and flush cancel it.
     */
    public CompletableFuture<Duration> schedulePurge() {
        return schedulePurge("requested");
    }

    /** As {@link #schedulePurge()}, recording {@code reason} for status. */
    public CompletableFuture<Duration> schedulePurge(String reason) {
        return ctx.onLoop(() -> purge.schedule(reason));
    }

    public CompletableFuture<Boolean> cancelPurge() {
        return ctx.onLoop(() -> purge.cancel("requested"));
    }

    /**
     * Sets whose the marked flows are and whether a purge may run, on a role change. Flows
     * already in the caches stay; what the kernel reports from now on is taken as {@code s} says.
     */
    public CompletableFuture<Standing> setStanding(Standing s) {
        return ctx.onLoop(() -> {
            Standing was = ctx.standing(s);
            standby.standingChanged();
            if (was != s) {
                LOG.info("{}: standing {} -> {}", cfg.node(), was, s);
            }
            return was;
        });
    }

    /** What the purge is up to. */
    public PurgeStatus purgeStatus() {
        return purge.status();
    }

    // ------------------------------------------------------------ status

    /** How old the latest snapshot is: above a second or two the engine's loop is stuck. */
    public long statusAgeMillis() {
        return snapshots.ageMillis(clock.getAsLong());
    }

    /** The latest snapshot (refreshed every tick); never blocks. */
    public EngineStatus status() {
        return snapshots.latest(clock.getAsLong());
    }

    /** Flows of a cache, for {@code hactl cache}. */
    public CompletableFuture<List<Flow>> flows(Cache which) {
        return ctx.onLoop(() -> {
            List<Flow> out = new ArrayList<>();
            (which == Cache.EXTERNAL ? external : internal).forEach((h, f, u) -> out.add(f));
            return out;
        });
    }

    public EngineConfig config() {
        return cfg;
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
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (kernelWorker != null) {
            kernelWorker.shutdown();
            try {
                kernelWorker.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (kernel != null) {
            kernel.close();
        }
    }
}
