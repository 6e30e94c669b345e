package io.hactl.sync.engine;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.transport.TransportException;
import io.hactl.sync.wire.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync engine of one gateway: kernel events fill the internal cache, which the sync mode
 * replicates to the peer; the peer's flows fill the external cache, which a commit loads into
 * the kernel (or, with direct-inject, every received flow goes straight into it).
 *
 * <p>A facade over the parts {@link EngineWiring} opens: {@link KernelResync} (kernel events and
 * dumps into the internal cache), {@link PeerState} (the peer's flows and bulks), {@link KernelWriter}
 * (commit), {@link WarmStandby} (direct inject), both writing through {@link BatchWriter},
 * {@link PeerAdoption}, {@link KernelPurge} and {@link StatusSnapshot}; they share an
 * {@link EngineContext}.
 *
 * <p>Threads: one event loop owns the caches, the mode and the sync links; one thread reads
 * kernel events; one worker does the kernel writes and dumps, so a long commit never stalls
 * replication. The operations are safe to call from any thread and complete their futures when
 * done. Everything is opened in the network namespace of the thread that calls {@link #start}.
 */
public final class SyncEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    /** How long the peer's summaries must show a count difference before it is evidence (PeerCountCheck). */
    static final Duration COUNT_PERSIST = Duration.ofSeconds(1);

    private final EngineWiring p;

    private SyncEngine(EngineWiring parts) {
        this.p = parts;
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
        EngineWiring parts = new EngineWiring(cfg, listener, standing, clock);
        try {
            parts.open(kernelAccess);
        } catch (NetlinkException | TransportException | RuntimeException ex) {
            parts.close();
            throw ex;
        }
        return new SyncEngine(parts);
    }

    // ------------------------------------------------------------ operations

    /**
     * Loads the external cache into the kernel: masters before related flows, timeouts as
     * {@link CommitPlanner} sets them, in batches. Cancels a scheduled p.purge.
     */
    public CompletableFuture<CommitResult> commit() {
        return p.ctx.fatal.watch("commit", p.writer.commit(false));
    }

    /**
     * As {@link #commit}, but only the flows the kernel does not hold as last received: those a
     * commit or warm standby (direct-inject) wrote and for which nothing arrived since are left
     * out, unless their timeout in the kernel runs out within {@link BatchWriter#EXPIRY_MARGIN}.
     * The MASTER transition after warm standby or a preload then writes only what changed, at the
     * moment the traffic arrives.
     */
    public CompletableFuture<CommitResult> commitChanges() {
        return p.ctx.fatal.watch("commit", p.writer.commit(true));
    }

    /**
     * Whether this node is a warm standby whose kernel holds every flow of the external cache as
     * received, nothing queued or being written and no reconcile due: a MASTER commit now would
     * write nothing (asked on the loop, so a flow that arrived a moment ago counts).
     */
    public CompletableFuture<Boolean> standbyCurrent() {
        return p.ctx.askLoop(() -> p.kernelWork().standbyCurrent());
    }

    /**
     * As {@link #standbyCurrent}, answered at once on the caller's thread from what the loop last
     * recorded: a flow it has read from the peer and not yet written counts, one still in the
     * socket does not (nor would it for the loop). For a takeover that must not wait for the loop.
     */
    public boolean standbyCurrentNow() {
        return p.standby.currentNow();
    }

    /** Which cache a flush empties. */
    public enum Cache { INTERNAL, EXTERNAL, BOTH }

    /** Empties a cache (nothing is sent to the peer); cancels a scheduled p.purge. */
    public CompletableFuture<Integer> flush(Cache which) {
        return p.ctx.onLoop(() -> {
            p.purge.cancel("flush");
            int n = 0;
            if (which != Cache.EXTERNAL) {
                n += p.internal.size();
                p.internal.clear();
                p.mode.clearQueues();
            }
            if (which != Cache.INTERNAL) {
                n += p.external.size();
                p.external.clear();
            }
            LOG.info("{}: flushed {} cache ({} flows)", p.cfg.node(), which.name().toLowerCase(), n);
            return n;
        });
    }

    /**
     * For the MASTER transition after its commit, in place of flushing both caches and reloading
     * the internal cache from a dump: the peer's flows that the kernel holds as received become
     * this node's, the external cache is emptied, and a resync from the kernel follows only for
     * what that cannot vouch for ({@link PeerAdoption}). Cancels a scheduled purge, as a flush does.
     */
    public CompletableFuture<PeerAdoption.Result> adoptPeerFlows() {
        return p.ctx.fatal.watch("adoption of the peer's flows", p.adoption.adopt());
    }

    /** Reloads the internal cache from a kernel dump; changes (and vanished flows) go to the p.peer. */
    public CompletableFuture<Integer> resyncInternal() {
        return p.ctx.fatal.watch("resync from the kernel", p.resync.resync(KernelResync.Announce.ALL));
    }

    /**
     * For the MASTER transition: as {@link #bulkSend}, but a peer not heard within the last
     * heartbeat interval (crashed, its link cut) gets the bulk once it is heard again, not now
     * (PeerState#sendBulkWhenHeard). Completes with the flows queued, or -1 when the bulk waits.
     */
    public CompletableFuture<Integer> bulkSendWhenHeard() {
        return p.ctx.onLoop(() -> {
            int n = p.peer.sendBulkWhenHeard();
            if (n >= 0) {
                p.mode.pump(); // its first datagrams leave now, not at the next tick
            }
            return n;
        });
    }

    /** Sends the whole internal cache to the peer, framed by BULK_BEGIN / BULK_END. */
    public CompletableFuture<Integer> bulkSend() {
        return p.ctx.onLoop(() -> {
            int n = p.peer.sendBulk();
            p.mode.pump(); // its first datagrams leave now, not at the next tick
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
        return p.ctx.onLoop(() -> {
            p.mode.control(new Message.Handover(0));
            p.mode.pump(); // now, not at the next tick: the peer's commit waits for it
            p.counters.count("handovers_sent");
            return null;
        });
    }

    /** Asks the peer for a bulk send of its internal cache. */
    public CompletableFuture<Void> requestResync() {
        return p.ctx.onLoop(() -> {
            p.purge.plan().bulkAsked();
            p.mode.control(new Message.ResyncRequest(0));
            p.mode.pump(); // now, not at the next tick (up to 10 ms later)
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
        return p.ctx.onLoop(() -> p.purge.schedule(reason));
    }

    public CompletableFuture<Boolean> cancelPurge() {
        return p.ctx.onLoop(() -> p.purge.cancel("requested"));
    }

    /**
     * Sets whose the marked flows are and whether a purge may run, on a role change. Flows
     * already in the caches stay; what the kernel reports from now on is taken as {@code s} says.
     */
    public CompletableFuture<Standing> setStanding(Standing s) {
        return p.ctx.onLoop(() -> {
            Standing was = p.ctx.standing(s);
            p.standby.standingChanged();
            if (was != s) {
                LOG.info("{}: standing {} -> {}", p.cfg.node(), was, s);
            }
            return was;
        });
    }

    /** What the purge is up to. */
    public PurgeStatus purgeStatus() {
        return p.purge.status();
    }

    // ------------------------------------------------------------ status

    /** How old the latest snapshot is: above a second or two the engine's loop is stuck. */
    public long statusAgeMillis() {
        return p.snapshots.ageMillis(p.clock.getAsLong());
    }

    /**
     * The latest snapshot; never blocks. Taken at most a tick before, or, when nobody asked for one
     * since, at most a tenth of a second before (the next tick then takes a fresh one).
     */
    public EngineStatus status() {
        return p.snapshots.latest(p.clock.getAsLong());
    }

    /** Flows of a cache, for {@code hactl cache}. */
    public CompletableFuture<List<Flow>> flows(Cache which) {
        return p.ctx.onLoop(() -> {
            List<Flow> out = new ArrayList<>();
            (which == Cache.EXTERNAL ? p.external : p.internal).forEach((h, f, u) -> out.add(f));
            return out;
        });
    }

    public EngineConfig config() {
        return p.cfg;
    }

    @Override
    public void close() {
        p.close();
    }
}
