package io.hactl.controller.role;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RoleMachineTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final List<String> calls = new ArrayList<>();
    /** What {@link StateActions#beginning} was told, in order. */
    final List<String> begun = new ArrayList<>();
    String failing = "";
    /** When set, each action records what it sees of the running transition before it acts. */
    RoleMachine observed;
    final List<RoleMachine.InProgress> seen = new ArrayList<>();

    /** Each action advances the fake clock by a known amount, so step durations are exact. */
    final StateActions actions = new StateActions() {
        String act(String name, long millis) throws Exception {
            calls.add(name);
            if (observed != null) {
                seen.add(observed.inProgress());
            }
            now.addAndGet(millis * 1_000_000);
            if (failing.equals(name)) {
                throw new IllegalStateException(name + " broke");
            }
            return name + " done";
        }

        @Override
        public String commit() throws Exception {
            return act("commit", 120);
        }

        @Override
        public String adoptPeerFlows() throws Exception {
            return act("adopt", 42);
        }

        @Override
        public String bulkSend() throws Exception {
            return act("bulk", 5);
        }

        @Override
        public String schedulePurge() throws Exception {
            return act("purge", 1);
        }

        @Override
        public String requestResync() throws Exception {
            return act("request", 1);
        }

        @Override
        public String announceHandover() throws Exception {
            return act("handover", 1);
        }

        @Override
        public void beginning(Role from, Role to, String source) {
            begun.add(from + "->" + to + " " + source);
        }
    };

    RoleMachine machine() {
        return new RoleMachine("fw1", actions, now::get, Clock.fixed(Instant.parse("2026-11-26T03:00:00Z"), ZoneOffset.UTC));
    }

    /** A machine that keepalived has put in {@code role}, with the steps of getting there forgotten. */
    RoleMachine machineIn(Role role) {
        RoleMachine m = machine();
        m.submit(role, "keepalived");
        m.runPending();
        calls.clear();
        return m;
    }

    @Test
    void masterRunsCommitAdoptBulkInOrderAndTimesEachStep() {
        RoleMachine m = machine();
        assertThat(m.submit(Role.MASTER, "keepalived")).isTrue();
        assertThat(m.runPending()).isEqualTo(1);

        assertThat(calls).containsExactly("commit", "adopt", "bulk");
        Transition t = m.last();
        assertThat(t.from()).isEqualTo(Role.INIT);
        assertThat(t.to()).isEqualTo(Role.MASTER);
        assertThat(t.steps()).extracting(Step::name).containsExactly(RoleMachine.COMMIT, RoleMachine.ADOPT,
                RoleMachine.BULK);
        assertThat(t.steps()).extracting(Step::millis).containsExactly(120L, 42L, 5L);
        assertThat(t.millis()).isEqualTo(167);
        assertThat(t.ok()).isTrue();
        assertThat(m.role()).isEqualTo(Role.MASTER);
    }

    @Test
    void theRunningTransitionShowsItsStepAndHowLongItHasRun() {
        RoleMachine m = machineIn(Role.BACKUP);
        assertThat(m.inProgress()).isNull();
        observed = m;
        m.submit(Role.MASTER, "keepalived group G1");
        m.runPending();

        assertThat(seen).containsExactly(
                new RoleMachine.InProgress(Role.BACKUP, Role.MASTER, "keepalived group G1", RoleMachine.COMMIT, 0),
                new RoleMachine.InProgress(Role.BACKUP, Role.MASTER, "keepalived group G1", RoleMachine.ADOPT, 120),
                new RoleMachine.InProgress(Role.BACKUP, Role.MASTER, "keepalived group G1", RoleMachine.BULK, 162));
        assertThat(m.inProgress()).as("after the last step").isNull();
        assertThat(m.role()).isEqualTo(Role.MASTER);

        seen.clear();
        m.submitPreload(RoleMachine.PEER_SILENT);
        m.submit(Role.BACKUP, "keepalived group G1");
        m.runPending();
        m.submitPreload(RoleMachine.PEER_SILENT);
        m.runPending();
        assertThat(seen).extracting(RoleMachine.InProgress::source, RoleMachine.InProgress::step).containsExactly(
                org.assertj.core.groups.Tuple.tuple("keepalived group G1", RoleMachine.HANDOVER),
                org.assertj.core.groups.Tuple.tuple("keepalived group G1", RoleMachine.PURGE),
                org.assertj.core.groups.Tuple.tuple("keepalived group G1", RoleMachine.REQUEST),
                org.assertj.core.groups.Tuple.tuple(RoleMachine.PEER_SILENT, RoleMachine.COMMIT),
                org.assertj.core.groups.Tuple.tuple(RoleMachine.PEER_SILENT, RoleMachine.PURGE));
        assertThat(m.inProgress()).isNull();
    }

    @Test
    void backupSchedulesThePurgeAndRequestsAResyncFaultOnlyPurges() {
        RoleMachine m = machine();
        m.submit(Role.BACKUP, "keepalived");
        m.submit(Role.FAULT, "keepalived");
        m.runPending();
        assertThat(calls).containsExactly("purge", "request", "purge");
        assertThat(m.role()).isEqualTo(Role.FAULT);
    }

    @Test
    void eachTransitionAndPreloadIsAnnouncedBeforeItsSteps() {
        RoleMachine m = machine();
        m.submitPreload(RoleMachine.PEER_SILENT);
        m.submit(Role.BACKUP, "keepalived");
        m.runPending();
        assertThat(begun).containsExactly("INIT->INIT peer silent", "INIT->BACKUP keepalived");
    }

    @Test
    void leavingMasterTellsThePeerFirst() {
        RoleMachine m = machineIn(Role.MASTER);

        m.submit(Role.BACKUP, "keepalived");
        m.submit(Role.MASTER, "keepalived");
        m.submit(Role.FAULT, "keepalived");
        m.submit(Role.MASTER, "keepalived");
        m.submit(Role.STOP, "keepalived");
        m.runPending();

        assertThat(calls).containsExactly("handover", "purge", "request",
                "commit", "adopt", "bulk",
                "handover", "purge",
                "commit", "adopt", "bulk",
                "handover");
        assertThat(m.last().steps()).extracting(Step::name).containsExactly(RoleMachine.HANDOVER);
    }

    @Test
    void aPeersHandOverLoadsTheFlowsAtOnceKeepsTheRoleAndSchedulesThePurgeAgain() {
        RoleMachine m = machine();
        m.submit(Role.BACKUP, "keepalived");
        m.runPending();
        java.time.Instant since = m.roleSince();
        long ageBefore = m.roleAgeMillis();
        calls.clear();

        m.submitPreload(RoleMachine.PEER_HANDOVER);
        assertThat(m.runPending()).isEqualTo(1);

        assertThat(calls).containsExactly("commit", "purge");
        assertThat(m.role()).isEqualTo(Role.BACKUP);
        assertThat(m.roleSince()).isEqualTo(since);
        assertThat(m.roleAgeMillis()).as("the role did not change: its age goes on").isEqualTo(ageBefore + 121);
        Transition t = m.last();
        assertThat(t.from()).isEqualTo(Role.BACKUP);
        assertThat(t.to()).isEqualTo(Role.BACKUP);
        assertThat(t.source()).isEqualTo(RoleMachine.PEER_HANDOVER);
        assertThat(t.steps()).extracting(Step::name).containsExactly(RoleMachine.COMMIT, RoleMachine.PURGE);
        assertThat(t.millis()).isEqualTo(121);

        // then keepalived makes it MASTER: the commit runs again (changes since), the purge is cancelled by it
        calls.clear();
        assertThat(m.submit(Role.MASTER, "keepalived")).isTrue();
        m.runPending();
        assertThat(calls).containsExactly("commit", "adopt", "bulk");
        assertThat(m.history()).extracting(Transition::source).containsExactly("keepalived", RoleMachine.PEER_HANDOVER,
                "keepalived");
    }

    @Test
    void aSilentPeerPreloadsLikeAHandOverAndIsRecordedAsSuch() {
        RoleMachine m = machineIn(Role.BACKUP);

        m.submitPreload(RoleMachine.PEER_SILENT);
        m.runPending();

        assertThat(calls).containsExactly("commit", "purge");
        assertThat(m.last().source()).isEqualTo(RoleMachine.PEER_SILENT);
        assertThat(RoleMachine.isPreload(m.last())).isTrue();
        assertThat(RoleMachine.isPreload(m.history().get(0))).isFalse();
        assertThat(m.role()).isEqualTo(Role.BACKUP);
    }

    @Test
    void aPeersHandOverReachingTheMasterLoadsNothing() {
        RoleMachine m = machineIn(Role.MASTER);

        m.submitPreload(RoleMachine.PEER_HANDOVER);
        assertThat(m.runPending()).isZero();

        assertThat(calls).isEmpty();
        assertThat(m.history()).hasSize(1);
    }

    @Test
    void aQueuedHandOverDoesNotHideTheRoleFromCoalescing() {
        RoleMachine m = machine();
        m.submit(Role.BACKUP, "a");
        m.submitPreload(RoleMachine.PEER_HANDOVER);
        assertThat(m.submit(Role.BACKUP, "b")).as("BACKUP is still the last role queued").isFalse();
        assertThat(m.submit(Role.MASTER, "c")).isTrue();
        m.runPending();
        assertThat(m.history()).extracting(Transition::source).containsExactly("a", RoleMachine.PEER_HANDOVER, "c");
        assertThat(calls).containsExactly("purge", "request", "commit", "purge", "commit", "adopt", "bulk");
    }

    @Test
    void transitionsRunInArrivalOrderAndRepeatsAreCoalesced() {
        RoleMachine m = machine();
        assertThat(m.submit(Role.BACKUP, "a")).isTrue();
        assertThat(m.submit(Role.BACKUP, "b")).as("same as the last queued").isFalse();
        assertThat(m.submit(Role.MASTER, "c")).isTrue();
        assertThat(m.submit(Role.MASTER, "d")).isFalse();
        assertThat(m.submit(Role.BACKUP, "e")).isTrue();
        m.runPending();
        assertThat(m.history()).extracting(Transition::to).containsExactly(Role.BACKUP, Role.MASTER, Role.BACKUP);
        assertThat(m.history()).extracting(Transition::source).containsExactly("a", "c", "e");
        assertThat(m.coalesced()).isEqualTo(2);
        assertThat(m.submit(Role.BACKUP, "f")).as("already there").isFalse();
        assertThat(m.runPending()).isZero();
    }

    @Test
    void aFailingStepIsRecordedAndTheLaterStepsStillRun() {
        failing = "commit";
        RoleMachine m = machine();
        m.submit(Role.MASTER, "keepalived");
        m.runPending();
        Transition t = m.last();
        assertThat(calls).containsExactly("commit", "adopt", "bulk");
        assertThat(t.ok()).isFalse();
        assertThat(t.steps().get(0).ok()).isFalse();
        assertThat(t.steps().get(0).detail()).isEqualTo("commit broke");
        assertThat(t.steps().subList(1, 3)).allMatch(Step::ok);
        assertThat(m.role()).as("the role is reached even so").isEqualTo(Role.MASTER);
    }

    @Test
    void keepsTheLastTwentyTransitions() {
        RoleMachine m = machine();
        for (int i = 0; i < 30; i++) {
            m.submit(i % 2 == 0 ? Role.MASTER : Role.BACKUP, "flap " + i);
            m.runPending();
        }
        assertThat(m.history()).hasSize(RoleMachine.HISTORY);
        assertThat(m.history().get(0).source()).isEqualTo("flap 10");
        assertThat(m.last().source()).isEqualTo("flap 29");
    }

    @Test
    void demotionHoldsUntilTheBulkArrivesOrThePeerStaysSilent() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("demote");
        java.nio.file.Path track = dir.resolve("demote");
        Demotion d = new Demotion("fw1", track, now::get, java.time.Duration.ofSeconds(5));
        assertThat(d.update(false, Role.INIT)).as("role unknown: this may be the MASTER's daemon restarting").isFalse();
        assertThat(java.nio.file.Files.readString(track)).isEqualTo("0\n");
        assertThat(d.update(false, Role.BACKUP)).as("a backup at start, before the peer is heard").isTrue();
        assertThat(java.nio.file.Files.readString(track)).isEqualTo("1\n");
        assertThat(d.update(true, Role.FAULT)).as("the FAULT it caused keeps it").isTrue();
        d.bulkReceived();
        assertThat(d.update(true, Role.FAULT)).isFalse();
        assertThat(java.nio.file.Files.readString(track)).isEqualTo("0\n");

        Demotion lonely = new Demotion("fw2", dir.resolve("d2"), now::get, java.time.Duration.ofSeconds(5));
        assertThat(lonely.update(false, Role.BACKUP)).isTrue();
        now.addAndGet(6_000_000_000L);
        assertThat(lonely.update(false, Role.BACKUP)).as("peer silent past the grace period").isFalse();
        assertThat(lonely.update(true, Role.BACKUP)).as("the peer appears: wait for its bulk").isTrue();
    }

    @Test
    void aPeerRestartDemotesABackupAgainButNeverTheMaster() throws Exception {
        java.nio.file.Path track = java.nio.file.Files.createTempDirectory("demote").resolve("demote");
        Demotion d = new Demotion("fw2", track, now::get, java.time.Duration.ofSeconds(5));
        d.bulkReceived();
        assertThat(d.update(true, Role.BACKUP)).isFalse();
        d.peerRestarted();
        assertThat(d.update(true, Role.BACKUP)).as("backup after the peer restarted").isTrue();
        assertThat(d.update(true, Role.MASTER)).as("a master is never demoted").isFalse();
        assertThat(java.nio.file.Files.readString(track)).isEqualTo("0\n");
        d.bulkReceived();
        assertThat(d.update(true, Role.BACKUP)).isFalse();
    }

    @Test
    void afterABulkWithLossesTheDemotionHoldsUntilTheResendsFillTheCache() throws Exception {
        java.nio.file.Path track = java.nio.file.Files.createTempDirectory("demote").resolve("demote");
        Demotion d = new Demotion("fw2", track, now::get, java.time.Duration.ofSeconds(5));
        assertThat(d.update(true, Role.BACKUP, 0)).isTrue();
        d.bulkReceivedWithLosses(100_000);
        assertThat(d.awaitingResends()).isTrue();
        assertThat(d.update(true, Role.FAULT, 23_051)).as("partial table").isTrue();
        assertThat(d.update(true, Role.FAULT, 100_000)).as("resends completed it").isFalse();
        assertThat(d.awaitingResends()).isFalse();
    }
}
