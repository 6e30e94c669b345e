package io.hactl.controller.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The group's transitions on virtual time: the takeover order (state steps, addresses,
 * announcements), the commit budget, leaving MASTER, a takeover overtaken by the next transition.
 */
class TransitionRunnerTest {
    final Parts parts = new Parts();
    final ManualLoop loop = parts.loop;
    /** What the MASTER steps return; completed at once unless a test replaces it. */
    CompletableFuture<Void> commit = CompletableFuture.completedFuture(null);
    RuntimeException thrown;
    int guarded;
    final TransitionRunner runner = new TransitionRunner("fw1", Parts.CONFIG, loop, (state, why) -> {
        parts.io.record("state " + state);
        if (thrown != null) {
            throw thrown;
        }
        return state == VrrpState.MASTER ? commit : CompletableFuture.completedFuture(null);
    }, new GroupAddresses(parts.members, parts.io, parts.failures), task -> () -> {
        guarded++;
        task.run();
    });

    @Test
    void aTakeoverRunsTheStateStepsThenAddsTheAddressesThenAnnouncesInRounds() {
        commit = new CompletableFuture<>();
        runner.groupState(VrrpState.MASTER, "master down");
        assertThat(parts.calls).containsExactly("state MASTER");

        loop.runForMillis(300);
        commit.complete(null);
        loop.runPending();
        assertThat(parts.calls).containsExactly("state MASTER", "add LAN", "add WAN", "announce LAN", "announce WAN");
        loop.runForMillis(1000);

        assertThat(parts.io.only("announce")).as("3 rounds").hasSize(6);
        long first = parts.io.callTimes.get(parts.calls.indexOf("announce LAN"));
        long last = parts.io.callTimes.get(parts.calls.lastIndexOf("announce LAN"));
        assertThat(last - first).as("100 ms apart").isEqualTo(200 * ManualLoop.MILLI);
        assertThat(runner.withinBudget()).isEqualTo(1);
        assertThat(runner.overBudget()).isZero();
        assertThat(runner.last().snapshot().steps()).containsExactly(new StepTime("state", 0, 300, null),
                new StepTime("addresses", 300, 0, null), new StepTime("announce", 300, 0, null));
        assertThat(guarded).as("every task left on the loop runs guarded").isEqualTo(3);
        assertThat(runner.last().snapshot().kernelHeldState()).isFalse();
    }

    @Test
    void aKernelHoldingThePeersFlowsHasTheAddressesUpAndAnnouncedBeforeTheStateSteps() {
        commit = new CompletableFuture<>();
        TransitionRunner warm = new TransitionRunner("fw1", Parts.CONFIG, loop, new GroupSteps() {
            @Override
            public CompletableFuture<?> enter(VrrpState state, String why) {
                parts.io.record("state " + state);
                return commit;
            }

            @Override
            public boolean stateInKernel() {
                return true;
            }
        }, new GroupAddresses(parts.members, parts.io, parts.failures), task -> task);

        warm.groupState(VrrpState.MASTER, "master down");
        assertThat(parts.calls).as("in the task that decided it, nothing left on the loop before them")
                .containsExactly("add LAN", "add WAN", "announce LAN", "announce WAN", "state MASTER");

        loop.runForMillis(50);
        commit.complete(null);
        loop.runPending();
        assertThat(warm.last().snapshot().steps()).containsExactly(new StepTime("addresses", 0, 0, null),
                new StepTime("announce", 0, 0, null), new StepTime("state", 0, 50, null));
        assertThat(warm.last().snapshot().kernelHeldState()).isTrue();
        loop.runForMillis(5000);
        assertThat(parts.io.only("add")).as("no budget adds them again").hasSize(2);
        assertThat(parts.io.only("announce")).as("3 rounds").hasSize(6);
        assertThat(warm.withinBudget()).isEqualTo(1);
        assertThat(warm.overBudget()).isZero();
    }

    @Test
    void theBudgetRunningOutPutsTheAddressesUpAndTheStepsFinishBehind() {
        commit = new CompletableFuture<>();
        runner.groupState(VrrpState.MASTER, "master down");

        loop.runForMillis(1999);
        assertThat(parts.io.only("add")).isEmpty();
        loop.runForMillis(1);
        assertThat(parts.io.only("add")).containsExactly("add LAN", "add WAN");
        assertThat(runner.overBudget()).isEqualTo(1);
        assertThat(runner.last().snapshot().overBudget()).isTrue();

        loop.runForMillis(1000);
        commit.complete(null);
        loop.runPending();
        assertThat(parts.io.only("add")).as("not again").hasSize(2);
        assertThat(runner.withinBudget()).isZero();
        assertThat(runner.last().snapshot().steps().get(0)).isEqualTo(new StepTime("state", 0, 3000, null));
    }

    @Test
    void leavingRemovesTheAddressesBeforeTheStateSteps() {
        runner.groupState(VrrpState.BACKUP, "higher priority 250 from 192.0.2.9");
        loop.runPending();

        assertThat(parts.calls).containsExactly("remove LAN", "remove WAN", "state BACKUP");
        assertThat(runner.last().snapshot().steps()).extracting(StepTime::step).containsExactly("addresses", "state");
        assertThat(runner.last().snapshot().steps().get(1).millis()).as("ended").isZero();
    }

    @Test
    void aTakeoverOvertakenByTheNextTransitionNeverAddsTheAddresses() {
        commit = new CompletableFuture<>();
        runner.groupState(VrrpState.MASTER, "master down");
        loop.runForMillis(100);
        runner.groupState(VrrpState.BACKUP, "higher priority");
        commit.complete(null);
        loop.runForMillis(5000);

        assertThat(parts.io.only("add")).isEmpty();
        assertThat(parts.io.only("announce")).isEmpty();
        assertThat(runner.withinBudget() + runner.overBudget()).isZero();
        assertThat(runner.last().to).isEqualTo(VrrpState.BACKUP);
    }

    @Test
    void announcementsStopWhenTheGroupLeavesMasterBetweenRounds() {
        runner.groupState(VrrpState.MASTER, "master down");
        loop.runPending();
        runner.groupState(VrrpState.FAULT, "interface wan down");
        loop.runForMillis(1000);

        assertThat(parts.calls).containsExactly("state MASTER", "add LAN", "add WAN", "announce LAN", "announce WAN",
                "remove LAN", "remove WAN", "state FAULT");
    }

    @Test
    void stoppedTheBudgetNoLongerAddsTheAddresses() {
        commit = new CompletableFuture<>();
        runner.groupState(VrrpState.MASTER, "master down");
        runner.stop();
        loop.runForMillis(5000);

        assertThat(parts.io.only("add")).isEmpty();
    }

    @Test
    void aStepThatThrowsFailsItsStepAndTheAddressesStillGoUp() {
        thrown = new IllegalStateException("commit broke");
        runner.groupState(VrrpState.MASTER, "master down");
        loop.runPending();

        assertThat(parts.io.only("add")).containsExactly("add LAN", "add WAN");
        assertThat(runner.last().snapshot().steps().get(0).error()).isEqualTo("commit broke");
    }
}
