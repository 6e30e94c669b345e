package io.hactl.controller.verdict;

import io.hactl.controller.role.Role;
import io.hactl.controller.role.Step;
import io.hactl.controller.role.Transition;
import io.hactl.sync.engine.CommitResult;
import io.hactl.sync.engine.EngineStatus;
import io.hactl.sync.engine.KernelCount;
import io.hactl.sync.engine.SyncEvidence;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Computes the verdict from the engine's evidence and the role machine's record.
 *
 * <p>The bound on unacknowledged messages is the dead interval: a live peer acknowledges at
 * least once per heartbeat, so a message it has not acknowledged in as long as it takes to call
 * it dead is not reaching it (a one-way block), however alive its own heartbeats make it look.
 * Count differences are evidence only when the engine found them beyond what is in flight (see
 * {@code PeerCountCheck}, {@code KernelCountCheck}).
 *
 * <p>The external cache is judged against the peer's count on every node but a MASTER: after a
 * switchover the old master's internal cache keeps its flows while the new master flushed its
 * external cache in its transition, and that cache only matters again after the peer's own
 * MASTER transition, which bulk-sends everything anew.
 */
public final class Judge {
    /** Waiting flows beyond which replication is lagging. */
    static final long LAG_WAITING = 10_000;
    /** Acknowledged lag beyond which replication is lagging. */
    static final long LAG_MILLIS = 1000;

    private final Duration deadAfter;

    public Judge(Duration deadAfter) {
        this.deadAfter = deadAfter;
    }

    /**
     * @param role the node's role: a MASTER's external cache is not what a failover loads (the
     *             peer's MASTER transition bulk-sends anew), so its count is shown, not judged there
     */
    public Verdict verdict(EngineStatus s, Role role, boolean demoted, Transition last) {
        Map<Reason, String> f = new EnumMap<>(Reason.class);
        SyncEvidence ev = s.evidence();
        long bound = deadAfter.toMillis();
        if (!s.peerAlive()) {
            f.put(Reason.PEER_DEAD, s.lastHeardMillisAgo() < 0 ? "the peer was never heard: replication is down"
                    : String.format(Locale.ROOT, "the peer was last heard %s ago (dead after %s): replication is down",
                            seconds(s.lastHeardMillisAgo()), seconds(bound)));
        }
        if (ev.oldestUnackedMillis() > bound) {
            f.put(Reason.UNACKNOWLEDGED, String.format(Locale.ROOT, "%,d messages, oldest %s (bound %s)",
                    s.resendQueue(), seconds(ev.oldestUnackedMillis()), seconds(bound)));
        }
        if (s.peerAlive() && role != Role.MASTER) {
            if (ev.countMismatch()) {
                f.put(Reason.EXTERNAL_COUNT, String.format(Locale.ROOT,
                        "external cache %,d flows, peer advertises %,d (at most %,d in flight), for %s",
                        ev.externalAtSummary(), ev.peerFlows(), ev.countTolerance(), seconds(ev.countMismatchMillis())));
            } else if (ev.summaryAgeMillis() < 0 || ev.summaryAgeMillis() > bound) {
                f.put(Reason.NO_PEER_COUNT, ev.summaryAgeMillis() < 0
                        ? "the peer advertises no cache count (an older hactl?)"
                        : "the peer's last cache count arrived " + seconds(ev.summaryAgeMillis()) + " ago");
            }
        }
        KernelCount k = ev.kernel();
        if (k != null && k.checksOff() >= 2) {
            f.put(Reason.KERNEL_COUNT, String.format(Locale.ROOT,
                    "kernel %,d flows, internal cache %,d: at least %,d cached flows not in the kernel"
                            + " (%d counts in a row, %,d events meanwhile)", k.kernelFlows(), k.internal(), k.missing(),
                    k.checksOff(), k.tolerance()));
        }
        if (s.bulkReceiving()) {
            f.put(Reason.BULK_RUNNING, "a bulk resync from the peer is still running");
        }
        if (demoted) {
            f.put(Reason.DEMOTED, "held back from MASTER until the bulk from the peer completes");
        }
        if (s.transmitQueue() > LAG_WAITING || s.lagMaxMillis() > LAG_MILLIS) {
            f.put(Reason.LAGGING, String.format(Locale.ROOT, "%,d waiting, lag %d ms (bounds %,d, %d ms)",
                    s.transmitQueue(), s.lagMaxMillis(), LAG_WAITING, LAG_MILLIS));
        }
        if (last != null && !last.ok()) {
            Step failed = last.steps().stream().filter(st -> !st.ok()).findFirst().orElseThrow();
            f.put(Reason.TRANSITION_FAILED, String.format(Locale.ROOT, "%s -> %s at %s: step %s failed (%s)",
                    last.from(), last.to(), last.at(), failed.name(), failed.detail()));
        }
        CommitResult c = s.lastCommit();
        if (c != null && !c.ok()) {
            f.put(Reason.COMMIT_FAILED, String.format(Locale.ROOT, "%,d of %,d flows not written %s",
                    c.flows() - c.written() - c.replaced(), c.flows(), c.failures()));
        }
        return new Verdict(f, evidence(s));
    }

    /**
     * What was checked, with its numbers, for the OK line. When the peer was last heard goes with
     * "peer alive": right after a crash the peer still counts as alive until the dead interval has
     * passed, and the line must not read as if it had just answered.
     */
    private static String evidence(EngineStatus s) {
        SyncEvidence ev = s.evidence();
        StringBuilder b = new StringBuilder();
        b.append(s.peerAlive() ? "peer alive" : "peer dead");
        if (s.lastHeardMillisAgo() >= 0) {
            b.append(" (heard ").append(seconds(s.lastHeardMillisAgo())).append(" ago)");
        }
        b.append(ev.peerFlows() < 0 ? ", no count from the peer"
                : String.format(Locale.ROOT, ", external cache %,d flows, peer advertises %,d", ev.externalAtSummary(),
                        ev.peerFlows()));
        b.append(ev.oldestUnackedMillis() < 0 ? ", nothing unacknowledged"
                : String.format(Locale.ROOT, ", %,d unacknowledged (oldest %s)", s.resendQueue(),
                        seconds(ev.oldestUnackedMillis())));
        KernelCount k = ev.kernel();
        if (k != null) {
            b.append(String.format(Locale.ROOT, ", kernel %,d replicated flows, internal cache %,d (counted %s ago)",
                    k.kernelFlows(), k.internal(), seconds(k.ageMillis())));
        }
        return b.toString();
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
