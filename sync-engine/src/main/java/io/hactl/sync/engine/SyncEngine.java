package io.hactl.sync.engine;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.netlink.AttrWriter;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;
import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.BatchResult;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.mode.BulkSource;
import io.hactl.sync.mode.DatagramOutbox;
import io.hactl.sync.mode.FlowKey;
import io.hactl.sync.mode.FtfwMode;
import io.hactl.sync.mode.NotrackMode;
import io.hactl.sync.mode.PeerReceiver;
import io.hactl.sync.mode.StateSource;
import io.hactl.sync.mode.SyncListener;
import io.hactl.sync.mode.SyncMode;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.transport.DatagramHandler;
import io.hactl.sync.transport.LinkState;
import io.hactl.sync.transport.TransportException;
import io.hactl.sync.transport.TransportStats;
import io.hactl.sync.transport.UdpTransport;
import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.DropReason;
import io.hactl.sync.wire.Message;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync engine of one gateway: kernel events fill the internal cache, which the sync mode
 * replicates to the peer; the peer's flows fill the external cache, which a commit loads into
 * the kernel (or, with direct-inject, every received flow goes straight into it).
 *
 * <p>Threads: one event loop owns the caches, the mode and the sync links; one thread reads
 * kernel events; one worker does the kernel writes and dumps, so a long commit never stalls
 * replication. The operations are safe to call from any thread and complete their futures when
 * done. Everything is opened in the network namespace of the thread that calls {@link #start}.
 */
public final class SyncEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    private static final long TICK_MILLIS = 10;
    private static final long LAG_WINDOW_NANOS = 10_000_000_000L;
    /** How long the peer's summaries must show a count difference before it is evidence (PeerCountCheck). */
    static final Duration COUNT_PERSIST = Duration.ofSeconds(1);

    private final EngineConfig cfg;
    private final Logger log;
    private final EngineListener engineListener;
    private final Supplier<Long> clock = System::nanoTime;
    private final DecodeStats decodeStats = new DecodeStats();
    private final SyncStats syncStats = new SyncStats();
    private final TransportStats transportStats = new TransportStats();
    private final Map<String, java.util.concurrent.atomic.AtomicLong> counters = new java.util.concurrent.ConcurrentHashMap<>();
    private final CommitPlanner planner;
    private final CommitEncoder commitEncoder;
    private final FlowStore internal;
    private final FlowStore external;
    private final PeerCountCheck peerCount = new PeerCountCheck(COUNT_PERSIST.toNanos());

    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private ExecutorService kernelWorker;
    private Conntrack kernel;
    private int kernelPort;
    private KernelEvents kernelEvents;
    private KernelCountCheck kernelCount;
    private UdpTransport transport;
    private SyncMode mode;
    private PeerReceiver receiver;
    private ScheduledFuture<?> ticker;

    // loop-owned state
    private long lastLinkCheck;
    private final PurgePlan purge = new PurgePlan();
    /** Whose the kernel's marked flows are, and whether a purge may run (loop-owned). */
    private Standing standing;
    private volatile PurgeStatus purgeStatus;
    private long resyncAt = -1;
    /** The scheduled resync only catches up after a commit: it announces what the peer did not send. */
    private boolean resyncCatchUpOnly;
    /** What the commits the scheduled catch-up follows wrote (their snapshots' encodings). */
    private List<byte[][]> catchUpCommitted = new ArrayList<>();
    private boolean bulkRestart;
    private boolean bulkReceiving;
    private long bulkBeganAt;
    private long lostAtBulkBegin;
    private long bulksReceived;
    private final List<Flow> injectQueue = new ArrayList<>();
    private final List<Flow> injectDeletes = new ArrayList<>();
    private double lagEwmaNanos = -1;
    private long lagMaxNanos = -1;
    private long lagWindowStart;
    /** When the acknowledgement with the worst lag of the window arrived: older than the window, it is no longer reported. */
    private long lagMaxAt;
    private volatile CommitResult lastCommit;
    private volatile EngineStatus lastStatus;
    /** Snapshot time of the last commit that wrote every flow it took, -1 after a purge (loop-owned). */
    private long lastCleanCommitAt = -1;
    private volatile long lastStatusAt = System.nanoTime();

    private SyncEngine(EngineConfig cfg, EngineListener listener, Standing standing) {
        this.standing = java.util.Objects.requireNonNull(standing, "standing");
        this.cfg = cfg;
        this.log = LOG;
        this.engineListener = listener;
        this.planner = new CommitPlanner(cfg.commitTimeout(), cfg.tcpWindowTracking(), cfg.ownerMark());
        this.commitEncoder = new CommitEncoder(planner);
        this.internal = new FlowStore("internal", cfg.cacheLimit());
        this.external = new FlowStore("external", cfg.cacheLimit());
        EngineCounters.NAMES.forEach(n -> counters.put(n, new java.util.concurrent.atomic.AtomicLong()));
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
        SyncEngine e = new SyncEngine(cfg, listener, standing);
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
        kernelEvents = new KernelEvents(node, events, KernelAccess.EVENT_POLL, cfg.eventBufferMax(),
                batch -> loop.execute(() -> applyEvents(batch)),
                () -> loop.execute(this::scheduleOverrunResync));
        kernel = kernelAccess.openConntrack(decodeStats);
        kernelPort = kernel.socket().portId();
        // our own commits and injections cause events: let the kernel drop them unseen
        boolean filtered = events.socket().dropMessagesFromPort(kernelPort);
        log.debug("{}: own events filtered in the kernel: {}", node, filtered);
        kernelWorker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hactl-kernel-" + node);
            t.setDaemon(true);
            return t;
        });
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("hactl-sync-" + node, true),
                EpollIoHandler.newFactory());
        loop = group.next();

        long epoch = io.hactl.sync.wire.Epochs.next(); // random: a restart is told apart whatever the clocks say
        DatagramOutbox outbox = new DatagramOutbox(new Authenticator(cfg.key(), cfg.encryption()), epoch, cfg.maxDatagram(),
                buf -> transport.send(buf), syncStats);
        SyncListener fromPeer = new FromPeer();
        StateSource state = new StateSource() {
            @Override
            public byte[] current(FlowKey key) {
                return currentState(key);
            }

            @Override
            public FlowKey keyOf(byte[] flow) {
                return new FlowKey(java.util.Arrays.copyOf(flow, CompactFlow.keyLength(flow)));
            }

            @Override
            public int flows() {
                return internal.size();
            }
        };
        mode = cfg.reliable()
                ? new FtfwMode(cfg.mode(), state, outbox, fromPeer, syncStats, cfg.peer())
                : new NotrackMode(cfg.mode(), state, outbox, fromPeer, syncStats, cfg.peer());
        if (mode instanceof FtfwMode f) {
            f.setAckObserver(this::acked);
        }
        receiver = new PeerReceiver(new Authenticator(cfg.key(), cfg.encryption()), mode, CompactFlowCheck.INSTANCE, cfg.peer());
        transport = UdpTransport.open(node, cfg.links(), group, cfg.socketBuffer(), LinkState.KERNEL,
                new DatagramHandler.Receiver() {
                    @Override
                    public void datagram(java.nio.ByteBuffer bytes, java.net.InetSocketAddress sender, int link) {
                        receiver.receive(bytes, clock.get());
                    }

                    @Override
                    public void foreign(java.net.InetSocketAddress sender, int link, int bytes) {
                        receiver.foreign(sender, bytes, clock.get());
                    }
                }, transportStats);

        // subscribed first, so nothing changes unseen between the dump and the events
        List<Flow> dumped = new ArrayList<>();
        long[] peers = {0};
        Standing atStart = standing;
        kernel.dump(Sockets.AF_UNSPEC, f -> {
            if (cfg.filter().accepts(f)) {
                Flow own = own(f, atStart);
                if (own != null) {
                    dumped.add(own);
                } else {
                    peers[0]++;
                }
            }
        });
        if (peers[0] > 0) {
            // a commit or an inject before the restart wrote them: the peer's, not to be sent back as ours
            log.info("{}: {} flows in the kernel carry the owner mark {} and stay the peer's ({})", node, peers[0],
                    cfg.ownerMark(), atStart);
            count("kernel_flows_of_peer_at_start", peers[0]);
        }
        onLoop(() -> {
            long now = clock.get();
            for (Flow f : dumped) {
                internal.put(f, now);
            }
            mode.start(now);
            // no bulk of our own here: a peer that wants our flows asks (its startup resync)
            if (cfg.startupResync()) {
                mode.control(new Message.ResyncRequest(0));
                purge.bulkAsked();
            }
            ticker = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            return null;
        }).join();
        kernelEvents.start();
        kernelCount = new KernelCountCheck(node, kernelAccess.openConntrack(decodeStats), cfg.filter(),
                new KernelCountCheck.Loop() {
                    @Override
                    public void readLater(long delayMillis, Runnable read) {
                        loop.schedule(read, delayMillis, TimeUnit.MILLISECONDS);
                    }

                    @Override
                    public int internal() {
                        return internal.size();
                    }

                    @Override
                    public int external() {
                        return external.size();
                    }

                    @Override
                    public long eventsApplied() {
                        java.util.concurrent.atomic.AtomicLong n = counters.get("kernel_events");
                        return n == null ? 0 : n.get();
                    }
                }, clock::get, KernelCountCheck.MIN_INTERVAL_MILLIS);
        kernelCount.start();
        log.info("{}: sync engine started ({} mode, {} flows in the kernel table, links: {})", node,
                cfg.reliable() ? "ftfw" : "notrack", dumped.size(), describeLinks());
    }

    private String describeLinks() {
        StringBuilder sb = new StringBuilder();
        cfg.links().forEach(l -> sb.append(sb.length() > 0 ? "; " : "").append(l.describe()));
        return sb.toString();
    }

    // ------------------------------------------------------------ loop: kernel side

    private void applyEvents(List<FlowEvent> batch) {
        long now = clock.get();
        for (FlowEvent e : batch) {
            if (e.originPort() == kernelPort && kernelPort != 0) {
                count("kernel_events_own");
                continue; // our own commit or injection: not re-sent
            }
            count("kernel_events");
            Flow f = e.flow();
            if (e.type() == FlowEvent.Type.DESTROY) {
                removeInternal(f);
            } else if (!cfg.filter().accepts(f)) {
                count("kernel_events_filtered");
                removeInternal(f);
            } else if ((f = own(f, standing)) == null) {
                count("kernel_events_of_peer"); // a flow written from the peer's cache, not claimed
            } else {
                switch (internal.put(f, now)) {
                    case NEW, UPDATED -> mode.flowChanged(new FlowKey(CompactFlow.encodeKey(f.orig(), f.zone())));
                    case REFUSED_FULL -> count("internal_cache_refused");
                    case UNCHANGED -> { }
                }
            }
        }
        mode.pump(); // the batch's changes leave now, not at the next tick
    }

    /**
     * The flow as the internal cache holds it (without the owner bits), or null when it carries
     * the owner mark and {@code s} does not claim such flows: the peer's, written here by a commit
     * or an inject, before or after a restart.
     */
    private Flow own(Flow f, Standing s) {
        OwnerMark m = cfg.ownerMark();
        if (f.mark() == Flow.ABSENT || (f.mark() & m.mask()) == 0) {
            return f;
        }
        if (m.marks(f.mark()) && !s.claimsMarked()) {
            return null;
        }
        return f.toBuilder().mark(m.strip(f.mark())).build();
    }

    private void removeInternal(Flow f) {
        if (internal.remove(f.orig(), f.zone())) {
            mode.flowChanged(new FlowKey(CompactFlow.encodeKey(f.orig(), f.zone())));
        }
    }

    private byte[] currentState(FlowKey key) {
        int h = internal.handleOfKey(key.bytes());
        if (h == FlowStore.NO_HANDLE) {
            return null;
        }
        return internal.encodingAt(h);
    }

    private void acked(Object item, long now) {
        if (!(item instanceof FlowKey key)) {
            return;
        }
        int h = internal.handleOfKey(key.bytes());
        if (h == FlowStore.NO_HANDLE) {
            return;
        }
        long rtt = Math.max(0, syncStats.rttNanos.get());
        long lag = Math.max(0, now - internal.updatedAt(h) - rtt / 2);
        lagEwmaNanos = lagEwmaNanos < 0 ? lag : lagEwmaNanos * 0.9 + lag * 0.1;
        if (now - lagWindowStart > LAG_WINDOW_NANOS || lag >= lagMaxNanos) {
            if (now - lagWindowStart > LAG_WINDOW_NANOS) {
                lagWindowStart = now;
            }
            lagMaxNanos = lag;
            lagMaxAt = now;
        }
    }

    private void scheduleOverrunResync() {
        count("kernel_event_overruns");
        if (resyncAt < 0) {
            resyncAt = clock.get() + cfg.overrunResync().toNanos();
        }
        resyncCatchUpOnly = false;
    }

    private void tick() {
        long now = clock.get();
        try {
            mode.tick(now);
            if (now - lastLinkCheck >= cfg.mode().heartbeat().toNanos()) {
                lastLinkCheck = now;
                transport.checkLinks(syncStats.peerAlive);
            }
            switch (purge.check(now, standing)) {
                case RUN -> purgeNow();
                case SKIPPED -> {
                    count("purges_skipped");
                    log.info("{}: purge {}", cfg.node(), purge.status(now).lastOutcome());
                }
                case WAITING -> askBulkForPurge();
                case NOTHING -> { }
            }
            if (resyncAt >= 0 && now >= resyncAt) {
                Announce which = resyncCatchUpOnly ? Announce.LOCAL : Announce.ALL;
                resyncAt = -1;
                resyncCatchUpOnly = false;
                resyncInternal(which);
            }
            if (bulkRestart) {
                bulkRestart = false;
                log.info("{}: a bulk marker to {} was lost: sending the bulk again", cfg.node(), cfg.peer());
                bulkSendNow();
            }
            flushInjections();
            takeStatus(now);
        } catch (RuntimeException e) {
            log.error("{}: engine tick failed", cfg.node(), e); // never kill the scheduled tick
        }
    }

    // ------------------------------------------------------------ loop: from the peer

    private final class FromPeer implements SyncListener {
        @Override
        public void onFlowUpdate(byte[] bytes, long arrivedNanos) {
            Flow f = null;
            if (cfg.directInject()) {
                try {
                    f = CompactFlow.decode(bytes);
                } catch (CompactFlowException e) {
                    // unreachable: checked with its whole datagram before delivery (CompactFlowCheck)
                    syncStats.drop(DropReason.MALFORMED);
                    return;
                }
            }
            // the datagram's arrival time: one clock read for its 35 or so flows, not one each
            if (external.putEncoded(bytes, arrivedNanos) == FlowStore.Result.REFUSED_FULL) {
                count("external_cache_refused");
            }
            if (cfg.directInject()) {
                injectQueue.add(f);
            }
        }

        @Override
        public void onFlowDelete(byte[] key) {
            int h = external.handleOfKey(key);
            if (h == FlowStore.NO_HANDLE) {
                return;
            }
            Flow f = external.flowAt(h);
            external.removeAt(h);
            if (cfg.directInject()) {
                injectDeletes.add(f);
            }
        }

        @Override
        public void onBulkBegin(long arrivedNanos) {
            bulkReceiving = true;
            log.debug("{}: bulk from {} begins", cfg.node(), cfg.peer());
            // the flows that shared its datagram carry the same time: they are the bulk's
            bulkBeganAt = arrivedNanos;
            lostAtBulkBegin = syncStats.messagesLost.get();
        }

        @Override
        public void onBulkEnd(long flows) {
            boolean clean = syncStats.messagesLost.get() == lostAtBulkBegin;
            if (bulkReceiving && !clean) {
                // a message of the bulk (maybe BULK_BEGIN itself) was lost and resent out of
                // order: arrival times no longer tell what the bulk carried, so keep everything
                log.info("{}: bulk from {} had losses; stale flows are kept until the next resync", cfg.node(),
                        cfg.peer());
                count("bulks_unclean");
            } else if (bulkReceiving) {
                // what the peer did not send again it no longer has
                List<Integer> stale = new ArrayList<>();
                external.forEachEncoded((h, enc, updated) -> { // no decoding: only the times matter
                    if (updated < bulkBeganAt) {
                        stale.add(h);
                    }
                });
                for (int h : stale) {
                    if (cfg.directInject()) {
                        injectDeletes.add(external.flowAt(h));
                    }
                    external.removeAt(h);
                }
                count("external_stale_removed", stale.size());
            }
            bulkReceiving = false;
            bulksReceived++;
            purge.bulkReceived(clean);
            log.info("{}: bulk from {} complete: {} flows, external cache {}", cfg.node(), cfg.peer(), flows,
                    external.size());
            engineListener.onBulkReceived(flows, clean);
        }

        @Override
        public void onResyncRequest() {
            log.info("{}: {} asked for a resync: bulk-sending {} flows", cfg.node(), cfg.peer(), internal.size());
            bulkSendNow();
        }

        @Override
        public void onPeerHandover() {
            log.info("{}: {} is leaving MASTER and hands over: {} flows to load", cfg.node(), cfg.peer(),
                    external.size());
            count("handovers_received");
            engineListener.onPeerHandover();
        }

        @Override
        public void onPeerRestart() {
            peerCount.reset();
            peerReturned("restarted");
            engineListener.onPeerRestart();
        }

        @Override
        public void onPeerSummary(long flows, long pending, long ahead, long arrivedNanos) {
            peerCount.onSummary(flows, pending, ahead, external.size(), bulkReceiving, arrivedNanos);
        }

        @Override
        public void onOwnBulkLost() {
            bulkRestart = true; // once per tick, however many markers were lost
        }

        @Override
        public void onPeerAlive(boolean alive) {
            log.info("{}: peer {} is {}", cfg.node(), cfg.peer(), alive ? "alive" : "DEAD (silent for "
                    + cfg.mode().deadAfter().toMillis() + " ms)");
            if (alive) {
                peerReturned("alive again");
            }
            engineListener.onPeerAlive(alive);
        }

        /**
         * A purge scheduled while the peer was away (its silence, a preload) is decided again
         * against what the peer holds now: it waits for a clean bulk, asked for here.
         */
        private void peerReturned(String how) {
            if (purge.peerReturned()) {
                log.info("{}: {} is {}: the scheduled purge waits for its bulk", cfg.node(), cfg.peer(), how);
                count("purges_redecided");
            }
        }
    }

    // ------------------------------------------------------------ kernel writes

    private void flushInjections() {
        if (injectQueue.isEmpty() && injectDeletes.isEmpty()) {
            return;
        }
        long now = clock.get();
        List<Flow> writes = new ArrayList<>(injectQueue.size());
        for (Flow f : injectQueue) {
            writes.add(planner.plan(f, now, now));
        }
        List<Flow> deletes = new ArrayList<>(injectDeletes);
        injectQueue.clear();
        injectDeletes.clear();
        kernelWorker.execute(() -> {
            try {
                if (!writes.isEmpty()) {
                    write(writes, BatchMode.CREATE_OR_UPDATE);
                }
                if (!deletes.isEmpty()) {
                    kernel.batchDelete(deletes);
                }
                count("injected", writes.size());
            } catch (NetlinkException e) {
                count("inject_errors");
                log.warn("{}: direct inject failed: {}", cfg.node(), e.getMessage());
            }
        });
    }

    /**
     * Writes flows in one batched pass; those the kernel refuses as unchangeable are replaced
     * ({@link #replaceBusy}). Runs on the kernel worker.
     */
    private int[] write(List<Flow> flows, BatchMode mode) throws NetlinkException {
        return replaceBusy(kernel.batch(flows, mode), flows::get);
    }

    /**
     * After a batched write: the flows the kernel refused as unchangeable (EBUSY: an entry whose
     * fixed bits differ) are deleted and created again; every other failure is counted by errno.
     * Returns {written, replaced}.
     */
    private int[] replaceBusy(BatchResult r, java.util.function.IntFunction<Flow> flowAt) throws NetlinkException {
        List<Flow> retry = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            if (r.errno(i) == Errno.EBUSY) {
                retry.add(flowAt.apply(i));
            }
        }
        int replaced = 0;
        Map<String, Integer> failures = new HashMap<>(r.failures());
        failures.remove("EBUSY");
        if (!retry.isEmpty()) {
            kernel.batchDelete(retry);
            BatchResult again = kernel.batch(retry, BatchMode.CREATE);
            replaced = again.succeeded();
            again.failures().forEach((k, v) -> failures.merge(k, v, Integer::sum));
        }
        failures.forEach((k, v) -> {
            count("kernel_write_" + k, v);
            count("kernel_write_failed", v);
        });
        return new int[] {r.succeeded(), replaced};
    }

    // ------------------------------------------------------------ operations

    /**
     * Loads the external cache into the kernel: masters before related flows, timeouts as
     * {@link CommitPlanner} sets them, in batches. Cancels a scheduled purge.
     */
    public CompletableFuture<CommitResult> commit() {
        return commit(false);
    }

    /** How recent a clean commit must be for {@link #commitChanges} to write only what changed since. */
    static final Duration CHANGES_WINDOW = Duration.ofSeconds(10);

    /**
     * As {@link #commit}, but when the last commit wrote every flow, left the kernel untouched
     * since (no purge) and is less than {@link #CHANGES_WINDOW} old, only the flows updated since
     * its snapshot: the MASTER transition right after a preload then rewrites nothing the kernel
     * already holds, at the moment the traffic arrives. (Older, and flows with short timeouts may
     * have expired from the kernel meanwhile: then everything is written.)
     */
    public CompletableFuture<CommitResult> commitChanges() {
        return commit(true);
    }

    private CompletableFuture<CommitResult> commit(boolean changesOnly) {
        long t0 = clock.get();
        return onLoop(() -> {
            cancelPurge("commit");
            long now = clock.get();
            long since = changesOnly && lastCleanCommitAt >= 0 && now - lastCleanCommitAt < CHANGES_WINDOW.toNanos()
                    ? lastCleanCommitAt : Long.MIN_VALUE;
            // only references here: decoding and planning happen off the loop
            int n = external.size();
            byte[][] encodings = new byte[n][];
            long[] updated = new long[n];
            int[] i = {0};
            external.forEachEncodedMastersFirst((h, enc, u) -> {
                if (u >= since) {
                    encodings[i[0]] = enc;
                    updated[i[0]++] = u;
                }
            });
            return new Snapshot(java.util.Arrays.copyOf(encodings, i[0]), java.util.Arrays.copyOf(updated, i[0]), now,
                    n - i[0], since == Long.MIN_VALUE ? -1 : (now - since) / 1_000_000);
        }).thenApplyAsync(snap -> {
            boolean paused = false;
            try {
                // the commit's own events would be dropped anyway: spare the kernel building them
                try {
                    if (snap.encodings.length > 0) {
                        kernelEvents.events().pauseNewAndUpdate();
                        paused = true;
                    }
                } catch (NetlinkException e) {
                    log.debug("{}: cannot pause events during the commit: {}", cfg.node(), e.getMessage());
                }
                int[] wr;
                long w0 = clock.get();
                log.debug("{}: commit snapshot of {} flows taken {} ms after the request", cfg.node(),
                        snap.encodings.length, (snap.takenAt - t0) / 1_000_000);
                java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
                long cpu0 = tmx.getCurrentThreadCpuTime();
                long usr0 = tmx.getCurrentThreadUserTime();
                try {
                    wr = commitWrite(snap);
                    log.debug("{}: commit wrote in {} ms (writer cpu {} ms, of which user {} ms)", cfg.node(),
                            (clock.get() - w0) / 1_000_000, (tmx.getCurrentThreadCpuTime() - cpu0) / 1_000_000,
                            (tmx.getCurrentThreadUserTime() - usr0) / 1_000_000);
                } finally {
                    if (paused) {
                        kernelEvents.events().resume();
                    }
                }
                Map<String, Integer> failures = new HashMap<>();
                int failed = snap.encodings.length - wr[0] - wr[1];
                if (failed > 0) {
                    failures.put("failed", failed);
                }
                CommitResult r = new CommitResult(snap.encodings.length, wr[0], wr[1], failures,
                        (clock.get() - t0) / 1_000_000, snap.unchanged, snap.sinceMillis);
                lastCommit = r;
                if (failed == 0) {
                    loop.execute(() -> lastCleanCommitAt = Math.max(lastCleanCommitAt, snap.takenAt));
                }
                log.info("{}: {}", cfg.node(), r);
                if (paused) {
                    // changes by packets during the commit were not seen: pick them up from a dump,
                    // unless a resync from the kernel starts before (the MASTER transition's)
                    loop.execute(() -> {
                        if (resyncAt < 0) {
                            resyncCatchUpOnly = true;
                        }
                        resyncAt = clock.get();
                        catchUpCommitted.add(snap.encodings());
                    });
                }
                return r;
            } catch (NetlinkException e) {
                throw new IllegalStateException("commit failed: " + e.getMessage(), e);
            }
        }, kernelWorker);
    }

    /**
     * What a commit writes: the external cache's encodings, masters first, with their update
     * times; {@code unchanged} flows were left out as the commit {@code sinceMillis} before wrote
     * them (-1: a full commit).
     */
    private record Snapshot(byte[][] encodings, long[] updated, long takenAt, int unchanged, long sinceMillis) {}

    /**
     * Writes the snapshot in batches, each request transcoded from the compact encoding straight
     * into the kernel message (no flow objects). (Two sockets on two threads gain nothing:
     * ctnetlink serializes the inserts under a mutex, and the waiting thread spins on it.)
     * Returns {written, replaced}.
     */
    private int[] commitWrite(Snapshot snap) throws NetlinkException {
        if (snap.encodings.length == 0) {
            return new int[2];
        }
        return replaceBusy(kernel.batch(snap.encodings.length, BatchMode.CREATE_OR_UPDATE, requests(snap)), planned(snap));
    }

    /** The CT_NEW requests of the snapshot's flows, transcoded from their encodings. */
    private Conntrack.NewRequests requests(Snapshot snap) {
        return new Conntrack.NewRequests() {
            @Override
            public int family(int i) {
                return CommitEncoder.family(snap.encodings[i]);
            }

            @Override
            public void write(io.hactl.sync.netlink.AttrWriter w, int i) {
                try {
                    commitEncoder.write(w, snap.encodings[i], snap.updated[i], snap.takenAt);
                } catch (CompactFlowException e) {
                    // the cache holds only what it validated on arrival
                    throw new IllegalStateException("external cache entry undecodable: " + e.getMessage(), e);
                }
            }
        };
    }

    /** The planned flow of the snapshot's flow {@code i} (for the few the kernel refuses). */
    private java.util.function.IntFunction<Flow> planned(Snapshot snap) {
        return i -> {
            try {
                return planner.plan(CompactFlow.decode(snap.encodings[i]), snap.updated[i], snap.takenAt);
            } catch (CompactFlowException e) {
                throw new IllegalStateException("external cache entry undecodable: " + e.getMessage(), e);
            }
        };
    }

    /** Which cache a flush empties. */
    public enum Cache { INTERNAL, EXTERNAL, BOTH }

    /** Empties a cache (nothing is sent to the peer); cancels a scheduled purge. */
    public CompletableFuture<Integer> flush(Cache which) {
        return onLoop(() -> {
            cancelPurge("flush");
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
            log.info("{}: flushed {} cache ({} flows)", cfg.node(), which.name().toLowerCase(), n);
            return n;
        });
    }

    /** Reloads the internal cache from a kernel dump; changes (and vanished flows) go to the peer. */
    public CompletableFuture<Integer> resyncInternal() {
        return resyncInternal(Announce.ALL);
    }

    /**
     * As {@link #resyncInternal()} without queueing the changes for the peer, for the MASTER
     * transition: the bulk send right after it carries every flow anyway (and the bulk's clean end
     * removes at the peer what vanished), so announcing them first sent each flow twice, at the
     * moment the traffic arrives.
     */
    public CompletableFuture<Integer> resyncInternalQuietly() {
        return resyncInternal(Announce.NONE);
    }

    /**
     * Which changes a resync from the kernel queues for the peer: all, none, or (the catch-up
     * after a commit) those of flows the peer did not send, with the vanished ones.
     */
    private enum Announce { ALL, NONE, LOCAL }

    /**
     * A resync from the kernel under way: when its dump began (what has not changed since and is
     * not in it has vanished), the snapshots of the commits it catches up after, and the dump.
     */
    private record KernelResync(long stamp, List<byte[][]> committed, List<Flow> dumped, Standing standing) {}

    private CompletableFuture<Integer> resyncInternal(Announce announce) {
        // a scheduled resync (overrun, catch-up after a commit) is done by any that dumps after it
        return onLoop(() -> {
            resyncAt = -1;
            resyncCatchUpOnly = false;
            // this resync does the catch-up, whichever kind it is
            List<byte[][]> committed = catchUpCommitted;
            catchUpCommitted = new ArrayList<>();
            return new KernelResync(clock.get(), committed, new ArrayList<>(), standing);
        }).thenApplyAsync(run -> {
            List<Flow> dumped = run.dumped();
            try {
                kernel.dump(Sockets.AF_UNSPEC, f -> {
                    Flow own;
                    if (cfg.filter().accepts(f) && (own = own(f, run.standing())) != null) {
                        dumped.add(own); // the peer's marked flows vanish from it as from the kernel
                    }
                });
            } catch (NetlinkException e) {
                throw new IllegalStateException("resync from the kernel failed: " + e.getMessage(), e);
            }
            return run;
        }, kernelWorker).thenCompose(run -> onLoop(() -> {
            List<Flow> dumped = run.dumped();
            long stamp = run.stamp();
            int announced = 0;
            // the catch-up: what the commits wrote, or earlier ones (still in the external cache),
            // is the peer's, not ours to hold or send (their events, dropped by our own port, would
            // not have made it ours); the rest is news. What the commits wrote is looked up in
            // their snapshots: the external cache may have been flushed since (the MASTER
            // transition flushes right after its commit; the bench saw 100,000 flows sent back)
            FlowStore written = announce == Announce.LOCAL ? committedFlows(run.committed()) : null;
            int skipped = 0;
            for (Flow f : dumped) {
                boolean peers = written != null && (written.handleOf(f.orig(), f.zone()) != FlowStore.NO_HANDLE
                        || external.handleOf(f.orig(), f.zone()) != FlowStore.NO_HANDLE);
                if (peers && internal.handleOf(f.orig(), f.zone()) == FlowStore.NO_HANDLE) {
                    skipped++;
                    continue;
                }
                FlowStore.Result r = internal.put(f, stamp);
                if (announce != Announce.NONE && !peers && (r == FlowStore.Result.NEW || r == FlowStore.Result.UPDATED)) {
                    mode.flowChanged(new FlowKey(CompactFlow.encodeKey(f.orig(), f.zone())));
                    announced++;
                }
            }
            List<Integer> gone = new ArrayList<>();
            internal.forEachEncoded((h, enc, updated) -> { // no decoding: only the times matter
                if (updated < stamp) {
                    gone.add(h);
                }
            });
            for (int h : gone) {
                FlowKey key = new FlowKey(internal.keyAt(h));
                internal.removeAt(h);
                if (announce != Announce.NONE) {
                    mode.flowChanged(key);
                    announced++;
                }
            }
            count("resyncs_from_kernel");
            log.info("{}: internal cache resynced from the kernel{}: {} flows ({} vanished, {} changes for the peer{})",
                    cfg.node(), announce == Announce.LOCAL ? " after the commit" : "", internal.size(), gone.size(),
                    announced, skipped > 0 ? ", " + skipped + " committed flows of the peer left out" : "");
            return internal.size();
        }));
    }

    /** An index of what the commits wrote (the arrays are the snapshots', not copies). */
    private static FlowStore committedFlows(List<byte[][]> snapshots) {
        int n = 0;
        for (byte[][] s : snapshots) {
            n += s.length;
        }
        FlowStore written = new FlowStore("committed", Math.max(1, n));
        for (byte[][] s : snapshots) {
            for (byte[] enc : s) {
                written.putEncoded(enc, 0);
            }
        }
        return written;
    }

    /** Sends the whole internal cache to the peer, framed by BULK_BEGIN / BULK_END. */
    public CompletableFuture<Integer> bulkSend() {
        return onLoop(() -> {
            int n = bulkSendNow();
            mode.pump(); // its first datagrams leave now, not at the next tick
            return n;
        });
    }

    private int bulkSendNow() {
        mode.bulk(new BulkSource() {
            private int next;

            @Override
            public byte[] next() {
                int h = internal.nextHandle(next);
                if (h == FlowStore.NO_HANDLE) {
                    return null;
                }
                next = h + 1;
                return internal.encodingAt(h);
            }
        });
        count("bulks_sent");
        return internal.size();
    }

    /**
     * Tells the peer that this node leaves MASTER (HANDOVER), so that it loads the flows into its
     * kernel before its VRRP takes the addresses over. It leaves after the flow changes already
     * queued; any of them lost on the way arrive after it, for the commit of the peer's MASTER
     * transition.
     */
    public CompletableFuture<Void> announceHandover() {
        return onLoop(() -> {
            mode.control(new Message.Handover(0));
            mode.pump(); // now, not at the next tick: the peer's commit waits for it
            count("handovers_sent");
            return null;
        });
    }

    /** Asks the peer for a bulk send of its internal cache. */
    public CompletableFuture<Void> requestResync() {
        return onLoop(() -> {
            purge.bulkAsked();
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
        return onLoop(() -> {
            purge.schedule(clock.get(), cfg.purgeTimeout(), reason);
            log.info("{}: kernel purge scheduled in {} s ({}; {})", cfg.node(), cfg.purgeTimeout().toSeconds(), reason,
                    standing);
            return cfg.purgeTimeout();
        });
    }

    /**
     * A purge that is due compares with the peer's flows: ask for them if nobody did since they
     * may be stale (asked when due, not when scheduled: the daemon's own request on the peer's
     * restart comes first, and one bulk does for both).
     */
    private void askBulkForPurge() {
        if (purge.askForBulk()) {
            mode.control(new Message.ResyncRequest(0));
            mode.pump();
        }
    }

    public CompletableFuture<Boolean> cancelPurge() {
        return onLoop(() -> cancelPurge("requested"));
    }

    private boolean cancelPurge(String why) {
        boolean was = purge.cancel(clock.get(), why);
        if (was) {
            count("purges_cancelled");
            log.info("{}: scheduled purge cancelled: {}", cfg.node(), why);
        }
        return was;
    }

    /**
     * Sets whose the marked flows are and whether a purge may run, on a role change. Flows
     * already in the caches stay; what the kernel reports from now on is taken as {@code s} says.
     */
    public CompletableFuture<Standing> setStanding(Standing s) {
        return onLoop(() -> {
            Standing was = standing;
            standing = java.util.Objects.requireNonNull(s);
            if (was != s) {
                log.info("{}: standing {} -> {}", cfg.node(), was, s);
            }
            return was;
        });
    }

    /** What the purge is up to. */
    public PurgeStatus purgeStatus() {
        PurgeStatus p = purgeStatus;
        return p != null ? p : new PurgeStatus(-1, null, false, null, -1, -1, false, 0);
    }

    /**
     * Dumps the kernel on the worker, picks on the loop the marked flows whose key the external
     * cache lacks, deletes them on the worker: never a sweep over what the filter accepts.
     */
    private void purgeNow() {
        lastCleanCommitAt = -1; // what the commits wrote may be going from the kernel
        OwnerMark m = cfg.ownerMark();
        CompletableFuture.supplyAsync(() -> {
            List<Flow> marked = new ArrayList<>();
            try {
                kernel.dump(Sockets.AF_UNSPEC, f -> {
                    if (m.marks(f.mark())) {
                        marked.add(f);
                    }
                });
            } catch (NetlinkException e) {
                throw new IllegalStateException("dump: " + e.getMessage(), e);
            }
            return marked;
        }, kernelWorker).thenCompose(marked -> onLoop(() -> {
            List<Flow> victims = new ArrayList<>();
            for (Flow f : marked) {
                if (external.handleOf(f.orig(), f.zone()) == FlowStore.NO_HANDLE) {
                    victims.add(f);
                }
            }
            return new PurgeRun(victims, marked.size() - victims.size());
        })).thenApplyAsync(run -> {
            try {
                BatchResult r = run.victims().isEmpty() ? null : kernel.batchDelete(run.victims());
                return new int[] {r == null ? 0 : r.succeeded(), run.kept()};
            } catch (NetlinkException e) {
                throw new IllegalStateException("delete: " + e.getMessage(), e);
            }
        }, kernelWorker).whenComplete((r, e) -> loop.execute(() -> {
            long now = clock.get();
            if (e != null) {
                Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                purge.failed(now, c.getMessage());
                count("purges_failed");
                log.warn("{}: purge failed: {}", cfg.node(), c.getMessage());
            } else {
                purge.ran(now, r[0], r[1]);
                count("purges_run");
                count("purged", r[0]);
                log.info("{}: purged {} flows of {} from the kernel that it no longer has ({} of its flows kept)",
                        cfg.node(), r[0], cfg.peer(), r[1]);
            }
            refreshStatus();
        }));
    }

    /** A purge's victims (marked, not in the external cache) and how many marked flows it keeps. */
    private record PurgeRun(List<Flow> victims, int kept) {}

    // ------------------------------------------------------------ status

    /** How old the latest snapshot is: above a second or two the engine's loop is stuck. */
    public long statusAgeMillis() {
        return (clock.get() - lastStatusAt) / 1_000_000;
    }

    /** The latest snapshot (refreshed every tick); never blocks. */
    public EngineStatus status() {
        EngineStatus s = lastStatus;
        return s != null ? s : snapshot(clock.get());
    }

    private EngineStatus snapshot(long now) {
        Map<String, Long> c = new HashMap<>();
        counters.forEach((k, v) -> c.put(k, v.get()));
        c.put("messages_sent", syncStats.messagesSent.get());
        c.put("messages_received", syncStats.messagesReceived.get());
        c.put("datagrams_sent", syncStats.datagramsSent.get());
        c.put("datagrams_received", syncStats.datagramsReceived.get());
        c.put("bytes_sent", syncStats.bytesSent.get());
        c.put("bytes_received", syncStats.bytesReceived.get());
        c.put("retransmissions", syncStats.retransmissions.get());
        c.put("acks_sent", syncStats.acksSent.get());
        c.put("acks_received", syncStats.acksReceived.get());
        c.put("nacks_sent", syncStats.nacksSent.get());
        c.put("nacks_received", syncStats.nacksReceived.get());
        c.put("messages_lost", syncStats.messagesLost.get());
        c.put("messages_late", syncStats.messagesLate.get());
        c.put("resend_queue_full", syncStats.resendQueueFull.get());
        c.put("peer_restarts", syncStats.peerRestarts.get());
        c.put("bulk_markers_lost", syncStats.bulkMarkersLost.get());
        c.put("link_failovers", transportStats.failovers);
        c.put("netlink_unknown_attributes", decodeStats.unknownAttributes.get());
        c.put("netlink_malformed", decodeStats.malformedMessages.get());
        c.put("internal_cache_refused_total", internal.refusals());
        c.put("external_cache_refused_total", external.refusals());
        for (DropReason r : DropReason.values()) {
            c.put("drops_" + r.name().toLowerCase(), syncStats.drops(r));
        }
        long heard = syncStats.lastHeardNanos.get();
        long rtt = syncStats.rttNanos.get();
        return new EngineStatus(internal.size(), external.size(), internal.estimatedHeapBytes(),
                external.estimatedHeapBytes(), syncStats.peerAlive,
                heard < 0 ? -1 : (now - heard) / 1_000_000, rtt < 0 ? -1 : rtt / 1000,
                lagEwmaNanos < 0 ? -1 : (long) (lagEwmaNanos / 1_000_000), lagMaxNanos < 0 || now - lagMaxAt > LAG_WINDOW_NANOS ? -1 : lagMaxNanos / 1_000_000,
                syncStats.resendQueueDepth.get(), syncStats.transmitQueueDepth.get(), bulkReceiving, bulksReceived,
                purge.status(now).dueInMillis(), lastCommit, transportStats.activeLink, c,
                evidence(now));
    }

    private SyncEvidence evidence(long now) {
        long oldest = syncStats.oldestUnackedNanos.get();
        return new SyncEvidence(oldest < 0 ? -1 : Math.max(0, now - oldest) / 1_000_000, peerCount.peerFlows(),
                peerCount.peerPending(), peerCount.externalAtSummary(), peerCount.tolerance(),
                peerCount.summaryAgeMillis(now), peerCount.mismatch(), peerCount.mismatchMillis(),
                kernelCount == null ? null : kernelCount.latest());
    }

    /** Flows of a cache, for {@code hactl cache}. */
    public CompletableFuture<List<Flow>> flows(Cache which) {
        return onLoop(() -> {
            List<Flow> out = new ArrayList<>();
            (which == Cache.EXTERNAL ? external : internal).forEach((h, f, u) -> out.add(f));
            return out;
        });
    }

    public EngineConfig config() {
        return cfg;
    }

    // ------------------------------------------------------------ plumbing

    private void count(String name) {
        count(name, 1);
    }

    private void count(String name, long n) {
        counters.computeIfAbsent(name, k -> new java.util.concurrent.atomic.AtomicLong()).addAndGet(n);
    }

    private <T> CompletableFuture<T> onLoop(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            T result;
            try {
                result = work.get();
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
                return;
            }
            refreshStatus();
            f.complete(result);
        });
        return f;
    }

    /**
     * Takes the status anew once an operation has run, before its caller hears back: a status
     * read right after {@code hactl purge} (say) shows the purge, not the tick's snapshot from up
     * to {@link #TICK_MILLIS} before it (DaemonLabTest read purgeInMillis -1 so).
     */
    private void takeStatus(long now) {
        purgeStatus = purge.status(now);
        lastStatus = snapshot(now);
        lastStatusAt = now;
    }

    private void refreshStatus() {
        if (ticker == null) {
            return; // not started: the first tick takes it
        }
        try {
            takeStatus(clock.get());
        } catch (RuntimeException e) {
            log.error("{}: status snapshot failed", cfg.node(), e); // the operation's answer still goes out
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
        if (transport != null) {
            transport.close();
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
