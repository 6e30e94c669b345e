package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a purge runs, is dropped or waits: time and standing passed in, no engine. */
class PurgePlanTest {
    static final long S = 1_000_000_000L;
    final PurgePlan plan = new PurgePlan();

    @org.junit.jupiter.api.BeforeEach
    void peerInSync() {
        plan.bulkReceived(true);
    }

    @Test
    void beforeTheFirstCleanBulkFromThePeerAPurgeWaits() {
        PurgePlan fresh = new PurgePlan();
        fresh.schedule(0, Duration.ZERO, "BACKUP");
        assertThat(fresh.check(1, Standing.STANDBY)).isEqualTo(PurgePlan.Verdict.WAITING);
        assertThat(fresh.status(1).waitingForPeer()).isTrue();
        fresh.bulkReceived(true);
        assertThat(fresh.check(2, Standing.STANDBY)).isEqualTo(PurgePlan.Verdict.RUN);
    }

    @Test
    void aPurgeDueWhileTheRoleIsUnknownIsSkippedNotRun() {
        plan.schedule(0, Duration.ofSeconds(60), "peer silent");
        assertThat(plan.check(59 * S, Standing.UNKNOWN)).isEqualTo(PurgePlan.Verdict.NOTHING);
        assertThat(plan.check(60 * S, Standing.UNKNOWN)).isEqualTo(PurgePlan.Verdict.SKIPPED);
        assertThat(plan.pending()).isFalse();
        assertThat(plan.status(61 * S).lastOutcome()).startsWith("skipped: role not known yet").contains("peer silent");
        assertThat(plan.check(120 * S, Standing.STANDBY)).as("dropped, not deferred").isEqualTo(PurgePlan.Verdict.NOTHING);
    }

    @Test
    void aPurgeNeverRunsOnAMasterNorOnANodeThatWasMasterBeforeItsRestart() {
        for (Standing s : new Standing[] {Standing.ACTIVE, Standing.UNKNOWN_WAS_ACTIVE}) {
            plan.schedule(0, Duration.ZERO, "BACKUP");
            assertThat(plan.check(1, s)).as("%s", s).isEqualTo(PurgePlan.Verdict.SKIPPED);
        }
    }

    @Test
    void aStandbyNodeRunsItWhenDue() {
        plan.schedule(10 * S, Duration.ofSeconds(5), "BACKUP");
        assertThat(plan.status(11 * S).dueInMillis()).isEqualTo(4000);
        assertThat(plan.check(15 * S, Standing.STANDBY)).isEqualTo(PurgePlan.Verdict.RUN);
        assertThat(plan.check(16 * S, Standing.STANDBY)).as("once").isEqualTo(PurgePlan.Verdict.NOTHING);
        plan.ran(17 * S, 42, 7);
        PurgeStatus st = plan.status(18 * S);
        assertThat(st.lastRemoved()).isEqualTo(42);
        assertThat(st.lastOutcome()).contains("removed 42").contains("kept 7").contains("BACKUP");
        assertThat(st.lastMillisAgo()).isEqualTo(1000);
        assertThat(st.dueInMillis()).isEqualTo(-1);
    }

    @Test
    void aReturningPeerMakesAPendingPurgeWaitForItsCleanBulk() {
        plan.schedule(0, Duration.ofSeconds(60), "peer silent");
        assertThat(plan.peerReturned()).isTrue();
        assertThat(plan.status(S).waitingForPeer()).isTrue();
        assertThat(plan.check(60 * S, Standing.STANDBY)).isEqualTo(PurgePlan.Verdict.WAITING);
        plan.bulkReceived(false);
        assertThat(plan.check(61 * S, Standing.STANDBY)).as("a bulk with losses is no picture of the peer")
                .isEqualTo(PurgePlan.Verdict.WAITING);
        plan.bulkReceived(true);
        assertThat(plan.check(62 * S, Standing.STANDBY)).isEqualTo(PurgePlan.Verdict.RUN);
    }

    @Test
    void aPeerReturningWithNothingPendingStillMakesTheNextPurgeWaitForItsBulk() {
        assertThat(plan.peerReturned()).as("nothing to re-decide, no resync asked for").isFalse();
        plan.schedule(0, Duration.ZERO, "BACKUP");
        assertThat(plan.check(1, Standing.STANDBY)).isEqualTo(PurgePlan.Verdict.WAITING);
    }

    @Test
    void aTransitionsPurgeAfterTheReturnStillWaitsForTheBulk() {
        plan.schedule(0, Duration.ofSeconds(60), "peer silent");
        plan.peerReturned();
        plan.schedule(S, Duration.ofSeconds(1), "FAULT");
        assertThat(plan.check(2 * S, Standing.STANDBY)).isEqualTo(PurgePlan.Verdict.WAITING);
        plan.bulkReceived(true);
        assertThat(plan.check(3 * S, Standing.STANDBY)).isEqualTo(PurgePlan.Verdict.RUN);
    }

    @Test
    void cancelRecordsWhy() {
        assertThat(plan.cancel(0, "commit")).isFalse();
        plan.schedule(0, Duration.ofSeconds(60), "FAULT");
        assertThat(plan.cancel(S, "commit")).isTrue();
        assertThat(plan.status(S).lastOutcome()).isEqualTo("cancelled: commit");
        assertThat(plan.check(61 * S, Standing.STANDBY)).isEqualTo(PurgePlan.Verdict.NOTHING);
    }

    @Test
    void aWaitingPurgeAsksForTheBulkOnceUnlessSomeoneDid() {
        PurgePlan fresh = new PurgePlan();
        assertThat(fresh.askForBulk()).as("nothing pending").isFalse();
        fresh.schedule(0, Duration.ZERO, "BACKUP");
        assertThat(fresh.askForBulk()).isTrue();
        assertThat(fresh.askForBulk()).isFalse();
        fresh.peerReturned();
        fresh.bulkAsked(); // the daemon's own request on the peer's restart
        assertThat(fresh.askForBulk()).isFalse();
        fresh.peerReturned();
        assertThat(fresh.askForBulk()).isTrue();
        fresh.bulkReceived(true);
        assertThat(fresh.askForBulk()).as("in sync").isFalse();
    }
}
