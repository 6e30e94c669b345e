package io.hactl.controller.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.role.Role;
import io.hactl.controller.role.Step;
import io.hactl.controller.role.Transition;
import io.hactl.sync.engine.CommitResult;
import io.hactl.sync.engine.EngineStatus;
import io.hactl.sync.engine.KernelCount;
import io.hactl.sync.engine.SyncEvidence;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdict from fabricated evidence: each reason with its numbers, OK only with none. */
class JudgeTest {
    final Judge judge = new Judge(Duration.ofMillis(1200));

    /** A healthy pair: peer alive, counts agree, nothing unacknowledged. */
    static SyncEvidence inSync() {
        return new SyncEvidence(-1, 15_300, 0, 15_300, 0, 150, false, -1, null);
    }

    static EngineStatus status(boolean alive, long resend, SyncEvidence ev) {
        return status(alive, resend, false, 0, ev, null);
    }

    static EngineStatus status(boolean alive, long resend, boolean bulk, long waiting, SyncEvidence ev, CommitResult commit) {
        return new EngineStatus(19_910, 15_300, 0, 0, alive, alive ? 80 : 5000, 300, 2, 5, resend, waiting, bulk, 1, false, -1,
                commit, 0, Map.of(), ev, null);
    }

    @Test
    void okOnlyWhenTheEvidenceShowsTheCachesInSync() {
        Verdict v = judge.verdict(status(true, 0, inSync()), Role.BACKUP, false, null);
        assertThat(v.ok()).isTrue();
        assertThat(v.reasons()).isEmpty();
        assertThat(v.evidence()).isEqualTo(
                "peer alive (heard 0.1 s ago), external cache 15,300 flows, peer advertises 15,300, nothing unacknowledged");
        assertThat(v.ok()).isTrue();
        assertThat(v.reasons()).isEmpty();
    }

    @Test
    void messagesUnacknowledgedBeyondTheDeadIntervalAreNamedWithTheirCountAndAge() {
        SyncEvidence ev = new SyncEvidence(4200, 15_300, 0, 15_300, 0, 150, false, -1, null);
        Verdict v = judge.verdict(status(true, 100, ev), Role.BACKUP, false, null);
        assertThat(v.ok()).isFalse();
        assertThat(v.reasons()).containsExactly("unacknowledged: 100 messages, oldest 4.2 s (bound 1.2 s)");
        assertThat(v.reasons().get(0)).startsWith("unacknowledged: 100 messages");
    }

    @Test
    void messagesInFlightWithinTheBoundAreNoReason() {
        SyncEvidence ev = new SyncEvidence(1200, 15_300, 40, 15_260, 40, 150, false, -1, null);
        assertThat(judge.verdict(status(true, 40, ev), Role.BACKUP, false, null).ok()).isTrue();
    }

    @Test
    void anExternalCacheOffTheAdvertisedCountIsNamed() {
        SyncEvidence ev = new SyncEvidence(-1, 15_300, 0, 0, 0, 150, true, 1400, null);
        Verdict v = judge.verdict(status(true, 0, ev), Role.BACKUP, false, null);
        assertThat(v.reasons()).containsExactly(
                "external-count: external cache 0 flows, peer advertises 15,300 (at most 0 in flight), for 1.4 s");
    }

    @Test
    void aMastersExternalCacheIsShownNotJudged() {
        SyncEvidence ev = new SyncEvidence(-1, 15_300, 0, 0, 0, 150, true, 1400, null);
        Verdict v = judge.verdict(status(true, 0, ev), Role.MASTER, false, null);
        assertThat(v.ok()).isTrue();
        assertThat(v.evidence()).contains("external cache 0 flows, peer advertises 15,300");
        assertThat(judge.verdict(status(true, 0, ev), Role.INIT, false, null).ok()).isFalse();
    }

    @Test
    void aPeerThatAdvertisesNoCountProvesNothing() {
        SyncEvidence never = new SyncEvidence(-1, -1, -1, -1, -1, -1, false, -1, null);
        assertThat(judge.verdict(status(true, 0, never), Role.BACKUP, false, null).reasons())
                .containsExactly("no-peer-count: the peer advertises no cache count (an older hactl?)");
        SyncEvidence stale = new SyncEvidence(-1, 15_300, 0, 15_300, 0, 5000, false, -1, null);
        assertThat(judge.verdict(status(true, 0, stale), Role.BACKUP, false, null).reasons())
                .containsExactly("no-peer-count: the peer's last cache count arrived 5.0 s ago");
    }

    @Test
    void aDeadPeerIsNamedAndItsStaleCountIsNotJudged() {
        SyncEvidence ev = new SyncEvidence(-1, 15_300, 0, 0, 0, 5000, true, 3000, null);
        Verdict v = judge.verdict(status(false, 0, ev), Role.BACKUP, false, null);
        assertThat(v.reasons()).containsExactly(
                "peer-dead: the peer was last heard 5.0 s ago (dead after 1.2 s): replication is down");
    }

    @Test
    void kernelAndInternalCacheCountsOffTwiceInARowAreNamed() {
        KernelCount once = new KernelCount(36, 19_910, 0, 0, 100, 3, 19_874, 0, 1);
        KernelCount twice = new KernelCount(36, 19_910, 0, 0, 100, 3, 19_874, 0, 2);
        SyncEvidence ev1 = new SyncEvidence(-1, 15_300, 0, 15_300, 0, 150, false, -1, once);
        SyncEvidence ev2 = new SyncEvidence(-1, 15_300, 0, 15_300, 0, 150, false, -1, twice);
        assertThat(judge.verdict(status(true, 0, ev1), Role.BACKUP, false, null).ok()).as("one count may race").isTrue();
        assertThat(judge.verdict(status(true, 0, ev2), Role.BACKUP, false, null).reasons()).containsExactly(
                "kernel-count: kernel 36 flows, internal cache 19,910: at least 19,874 cached flows not in the kernel"
                        + " (2 counts in a row, 0 events meanwhile)");
    }

    @Test
    void theStandingReasonsAreKeptEachWithItsName() {
        Transition failed = new Transition(Role.BACKUP, Role.MASTER, "keepalived fifo", Instant.parse("2026-12-04T17:00:00Z"),
                List.of(new Step("commit", 12, false, "EPERM"), new Step("adopt-peer-flows", 1, true, "")), 13);
        CommitResult commit = new CommitResult(100, 90, 0, Map.of("EPERM", 10), 5, 0, -1);
        Verdict v = judge.verdict(status(true, 0, true, 20_000, inSync(), commit), Role.BACKUP, true, failed);
        assertThat(v.findings().keySet()).containsExactly(Reason.BULK_RUNNING, Reason.DEMOTED, Reason.LAGGING,
                Reason.TRANSITION_FAILED, Reason.COMMIT_FAILED);
        assertThat(v.reasons()).contains("lagging: 20,000 waiting, lag 5 ms (bounds 10,000, 1000 ms)",
                "transition-failed: BACKUP -> MASTER at 2026-12-04T17:00:00Z: step commit failed (EPERM)",
                "commit-failed: 10 of 100 flows not written {EPERM=10}");
    }

    @Test
    void figuresReadAsTheFormatterWouldWriteThem() {
        java.util.Random r = new java.util.Random(7);
        java.util.List<Long> values = new java.util.ArrayList<>(java.util.List.of(0L, 1L, 49L, 50L, 99L, 100L, 949L,
                950L, 999L, 1000L, 1049L, 1050L, 12_345L, 999_999L, 1_000_000L, -1L, -50L, -1050L, -1_234_567L,
                Long.MAX_VALUE, Long.MIN_VALUE + 1));
        for (int i = 0; i < 2000; i++) {
            values.add(r.nextLong() >> r.nextInt(64));
        }
        for (long v : values) {
            assertThat(Judge.grouped(v)).as("%d", v).isEqualTo(String.format(java.util.Locale.ROOT, "%,d", v));
            if (Math.abs(v) < 1L << 50) {
                assertThat(Judge.seconds(v)).as("%d ms", v)
                        .isEqualTo(String.format(java.util.Locale.ROOT, "%.1f s", v / 1000.0));
            }
        }
    }
}
