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
                    : "the peer was last heard " + seconds(s.lastHeardMillisAgo()) + " ago (dead after "
                            + seconds(bound) + "): replication is down");
        }
        if (ev.oldestUnackedMillis() > bound) {
            f.put(Reason.UNACKNOWLEDGED, grouped(s.resendQueue()) + " messages, oldest "
                    + seconds(ev.oldestUnackedMillis()) + " (bound " + seconds(bound) + ")");
        }
        if (s.peerAlive() && role != Role.MASTER) {
            if (ev.countMismatch()) {
                f.put(Reason.EXTERNAL_COUNT, "external cache " + grouped(ev.externalAtSummary())
                        + " flows, peer advertises " + grouped(ev.peerFlows()) + " (at most "
                        + grouped(ev.countTolerance()) + " in flight), for " + seconds(ev.countMismatchMillis()));
            } else if (ev.summaryAgeMillis() < 0 || ev.summaryAgeMillis() > bound) {
                f.put(Reason.NO_PEER_COUNT, ev.summaryAgeMillis() < 0
                        ? "the peer advertises no cache count (an older hactl?)"
                        : "the peer's last cache count arrived " + seconds(ev.summaryAgeMillis()) + " ago");
            }
        }
        KernelCount k = ev.kernel();
        if (k != null && k.checksOff() >= 2) {
            f.put(Reason.KERNEL_COUNT, "kernel " + grouped(k.kernelFlows()) + " flows, internal cache "
                    + grouped(k.internal()) + ": at least " + grouped(k.missing()) + " cached flows not in the kernel ("
                    + k.checksOff() + " counts in a row, " + grouped(k.tolerance()) + " events meanwhile)");
        }
        if (s.bulkReceiving()) {
            f.put(Reason.BULK_RUNNING, "a bulk resync from the peer is still running");
        }
        if (demoted) {
            f.put(Reason.DEMOTED, "held back from MASTER until the bulk from the peer completes");
        }
        if (s.transmitQueue() > LAG_WAITING || s.lagMaxMillis() > LAG_MILLIS) {
            f.put(Reason.LAGGING, grouped(s.transmitQueue()) + " waiting, lag " + s.lagMaxMillis() + " ms (bounds "
                    + grouped(LAG_WAITING) + ", " + LAG_MILLIS + " ms)");
        }
        if (last != null && !last.ok()) {
            Step failed = last.steps().stream().filter(st -> !st.ok()).findFirst().orElseThrow();
            f.put(Reason.TRANSITION_FAILED, last.from() + " -> " + last.to() + " at " + last.at() + ": step "
                    + failed.name() + " failed (" + failed.detail() + ")");
        }
        CommitResult c = s.lastCommit();
        if (c != null && !c.ok()) {
            f.put(Reason.COMMIT_FAILED, grouped(c.flows() - c.written() - c.replaced()) + " of " + grouped(c.flows())
                    + " flows not written " + c.failures());
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
                : ", external cache " + grouped(ev.externalAtSummary()) + " flows, peer advertises "
                        + grouped(ev.peerFlows()));
        b.append(ev.oldestUnackedMillis() < 0 ? ", nothing unacknowledged"
                : ", " + grouped(s.resendQueue()) + " unacknowledged (oldest " + seconds(ev.oldestUnackedMillis())
                        + ")");
        KernelCount k = ev.kernel();
        if (k != null) {
            b.append(", kernel ").append(grouped(k.kernelFlows())).append(" replicated flows, internal cache ")
                    .append(grouped(k.internal())).append(" (counted ").append(seconds(k.ageMillis())).append(" ago)");
        }
        return b.toString();
    }

    /**
     * Millis as seconds with one decimal, rounded half up: "4.2 s" (as {@code %.1f s}). The
     * status is built for every request: these two helpers spare it the formatter's parsing and
     * number formats, which a status poll paid per figure.
     */
    static String seconds(long millis) {
        long tenths = (Math.abs(millis) + 50) / 100;
        return (millis < 0 ? "-" : "") + tenths / 10 + "." + tenths % 10 + " s";
    }

    /** {@code n} with a comma every three digits: "1,234,567" (as {@code %,d}). */
    static String grouped(long n) {
        String digits = Long.toString(n);
        int start = n < 0 ? 1 : 0;
        int len = digits.length() - start;
        if (len <= 3) {
            return digits;
        }
        StringBuilder b = new StringBuilder(digits.length() + len / 3);
        b.append(digits, 0, start);
        int first = len % 3 == 0 ? 3 : len % 3;
        b.append(digits, start, start + first);
        for (int i = start + first; i < digits.length(); i += 3) {
            b.append(',').append(digits, i, i + 3);
        }
        return b.toString();
    }
}
