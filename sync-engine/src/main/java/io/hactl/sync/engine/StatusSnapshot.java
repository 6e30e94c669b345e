package io.hactl.sync.engine;

import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.transport.TransportStats;
import io.hactl.sync.wire.DropReason;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Takes an {@link EngineStatus} from the engine's parts (on the loop): cache sizes, the peer's
 * liveness and lag, queues, every counter (the engine's own, the sync link's, drops per reason),
 * and the evidence of sync. The latest is kept for readers on any thread, who never wait for the
 * loop.
 *
 * <p>The loop takes one at the first tick after a reader asked for the latest, else every
 * {@link #IDLE_PERIOD_NANOS}: a status is some fifty counters copied into a map, which every tick
 * (100 a second) would make most of an idle daemon's work.
 */
final class StatusSnapshot {
    /** Longest a snapshot goes untaken while nobody reads one. */
    static final long IDLE_PERIOD_NANOS = 100_000_000L;
    private static final String[] DROP_KEYS = java.util.Arrays.stream(DropReason.values())
            .map(r -> "drops_" + r.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);

    private final EngineContext ctx;
    private final SyncStats sync;
    private final TransportStats transport;
    private final DecodeStats decode;
    private final ReplicationLag lag;
    private final PeerState peer;
    private final KernelPurge purge;
    private final KernelWriter writer;
    private final PeerCountCheck peerCount;
    /** The kernel's latest count, null until there is one. */
    private final Supplier<KernelCount> kernelCount;
    private final Supplier<KernelWork> kernelWork;
    private volatile EngineStatus latest;
    private volatile long latestAt;
    /** A reader asked for the latest since the last was taken. */
    private volatile boolean wanted;

    StatusSnapshot(EngineContext ctx, SyncStats sync, TransportStats transport, DecodeStats decode, ReplicationLag lag,
                   PeerState peer, KernelPurge purge, KernelWriter writer, PeerCountCheck peerCount,
                   Supplier<KernelCount> kernelCount, Supplier<KernelWork> kernelWork) {
        this.ctx = ctx;
        this.sync = sync;
        this.transport = transport;
        this.decode = decode;
        this.lag = lag;
        this.peer = peer;
        this.purge = purge;
        this.writer = writer;
        this.peerCount = peerCount;
        this.kernelCount = kernelCount;
        this.kernelWork = kernelWork;
        this.latestAt = ctx.now();
    }

    /** At a tick: takes the status when a reader asked since the last, or when the last is {@link #IDLE_PERIOD_NANOS} old. */
    void tick(long now) {
        if (wanted || now - latestAt >= IDLE_PERIOD_NANOS) {
            take(now);
        }
    }

    /** Takes the status (and the purge's) at {@code now}, on the loop. */
    void take(long now) {
        wanted = false;
        purge.takeStatus(now);
        latest = build(now);
        latestAt = now;
    }

    /** The latest taken, or (before the first) one built now. */
    EngineStatus latest(long now) {
        wanted = true;
        EngineStatus s = latest;
        return s != null ? s : build(now);
    }

    /** How old the latest is at {@code now}. */
    long ageMillis(long now) {
        return (now - latestAt) / 1_000_000;
    }

    private EngineStatus build(long now) {
        long heard = sync.lastHeardNanos.get();
        long rtt = sync.rttNanos.get();
        return new EngineStatus(ctx.internal.size(), ctx.external.size(), ctx.internal.estimatedHeapBytes(),
                ctx.external.estimatedHeapBytes(), sync.peerAlive,
                heard < 0 ? -1 : (now - heard) / 1_000_000, rtt < 0 ? -1 : rtt / 1000,
                lag.millis(), lag.maxMillis(now),
                sync.resendQueueDepth.get(), sync.transmitQueueDepth.get(), peer.bulkReceiving(), peer.bulksReceived(),
                peer.bulkOwed(), purge.plan().status(now).dueInMillis(), writer.lastCommit(), transport.activeLink,
                counters(),
                evidence(now), kernelWork.get());
    }

    private Map<String, Long> counters() {
        Map<String, Long> c = new HashMap<>();
        ctx.counters.copyTo(c);
        c.put("messages_sent", sync.messagesSent.get());
        c.put("messages_received", sync.messagesReceived.get());
        c.put("datagrams_sent", sync.datagramsSent.get());
        c.put("datagrams_received", sync.datagramsReceived.get());
        c.put("bytes_sent", sync.bytesSent.get());
        c.put("bytes_received", sync.bytesReceived.get());
        c.put("retransmissions", sync.retransmissions.get());
        c.put("acks_sent", sync.acksSent.get());
        c.put("acks_received", sync.acksReceived.get());
        c.put("nacks_sent", sync.nacksSent.get());
        c.put("nacks_received", sync.nacksReceived.get());
        c.put("messages_lost", sync.messagesLost.get());
        c.put("messages_late", sync.messagesLate.get());
        c.put("resend_queue_full", sync.resendQueueFull.get());
        c.put("peer_restarts", sync.peerRestarts.get());
        c.put("bulk_markers_lost", sync.bulkMarkersLost.get());
        c.put("link_failovers", transport.failovers);
        c.put("netlink_unknown_attributes", decode.unknownAttributes.get());
        c.put("netlink_malformed", decode.malformedMessages.get());
        c.put("internal_cache_refused_total", ctx.internal.refusals());
        c.put("external_cache_refused_total", ctx.external.refusals());
        DropReason[] reasons = DropReason.values();
        for (int i = 0; i < reasons.length; i++) {
            c.put(DROP_KEYS[i], sync.drops(reasons[i]));
        }
        return c;
    }

    private SyncEvidence evidence(long now) {
        long oldest = sync.oldestUnackedNanos.get();
        return new SyncEvidence(oldest < 0 ? -1 : Math.max(0, now - oldest) / 1_000_000, peerCount.peerFlows(),
                peerCount.peerPending(), peerCount.externalAtSummary(), peerCount.tolerance(),
                peerCount.summaryAgeMillis(now), peerCount.mismatch(), peerCount.mismatchMillis(),
                kernelCount.get());
    }
}
