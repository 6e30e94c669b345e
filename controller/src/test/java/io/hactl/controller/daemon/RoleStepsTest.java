package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.role.Role;
import io.hactl.controller.role.RoleMachine;
import io.hactl.controller.role.StateActions;
import io.hactl.controller.vrrp.VrrpState;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** hactl's VRRP states run the role machine's transitions, and the steps' future tells when they are done. */
class RoleStepsTest {
    final List<String> ran = new ArrayList<>();
    boolean commitFails;
    /** As EngineActions does with hactl's VRRP: the end of a MASTER commit is told to the steps. */
    boolean tellCommit;
    /** Whether the MASTER future was done when the adoption began. */
    Boolean doneAtAdoption;
    CompletableFuture<?> master;

    final StateActions actions = new StateActions() {
        private String run(String step) {
            ran.add(step);
            return step;
        }

        @Override
        public String commit() throws Exception {
            ran.add("commit");
            if (commitFails) {
                IllegalStateException e = new IllegalStateException("netlink refused");
                if (tellCommit) {
                    steps.masterCommitted(e);
                }
                throw e;
            }
            if (tellCommit) {
                steps.masterCommitted(null);
            }
            return "ok";
        }

        @Override
        public String adoptPeerFlows() {
            doneAtAdoption = master == null ? null : master.isDone();
            return run("adopt");
        }

        @Override
        public String bulkSend() {
            return run("bulk");
        }

        @Override
        public String schedulePurge() {
            return run("purge");
        }

        @Override
        public String requestResync() {
            return run("request");
        }

        @Override
        public String announceHandover() {
            return run("handover");
        }
    };

    final RoleMachine roles = new RoleMachine("fw1", actions, System::nanoTime, Clock.systemUTC());
    /** The role worker, run by hand: a step's future must wait for it. */
    final Deque<Runnable> worker = new ArrayDeque<>();
    final RoleSteps steps = new RoleSteps(roles, worker::add);

    private void runWorker() {
        while (!worker.isEmpty()) {
            worker.poll().run();
        }
    }

    @Test
    void masterCompletesOnlyOnceTheRoleMachineRanItsSteps() throws Exception {
        CompletableFuture<?> f = steps.enter(VrrpState.MASTER, "master down");
        assertThat(f).isNotDone();
        assertThat(ran).isEmpty();
        runWorker();
        assertThat(f).isCompleted();
        assertThat(ran).containsExactly("commit", "adopt", "bulk");
        assertThat(roles.role()).isEqualTo(Role.MASTER);
        assertThat(roles.last().source()).isEqualTo("hactl vrrp (master down)");
    }

    /** Warm standby with nothing left to write: the addresses need not wait for a commit of nothing. */
    @Test
    void aCurrentWarmStandbyCompletesMasterAtOnceAndTheStepsFollow() {
        RoleSteps warm = new RoleSteps(roles, worker::add, () -> CompletableFuture.completedFuture(true), () -> true);
        assertThat(warm.stateInKernel()).isTrue();
        CompletableFuture<?> f = warm.enter(VrrpState.MASTER, "master down");
        assertThat(f).isCompleted();
        assertThat(ran).as("nothing ran yet").isEmpty();
        runWorker();
        assertThat(ran).containsExactly("commit", "adopt", "bulk");
        assertThat(roles.role()).isEqualTo(Role.MASTER);
        // one not current waits for the commit as ever
        RoleSteps behind = new RoleSteps(roles, worker::add, () -> CompletableFuture.completedFuture(false), () -> false);
        assertThat(behind.stateInKernel()).isFalse();
        assertThat(steps.stateInKernel()).as("without warm standby").isFalse();
        assertThat(behind.enter(VrrpState.BACKUP, "higher priority")).isNotDone();
        runWorker();
        assertThat(behind.enter(VrrpState.MASTER, "master down")).isNotDone();
    }

    @Test
    void toldOfTheCommitMasterCompletesBeforeTheFlushResyncAndBulkSend() {
        tellCommit = true;
        master = steps.enter(VrrpState.MASTER, "master down");
        runWorker();
        assertThat(doneAtAdoption).isTrue();
        assertThat(master).isCompleted();
        assertThat(ran).containsExactly("commit", "adopt", "bulk");
    }

    @Test
    void toldOfAFailedCommitMasterFailsAtOnceNamingIt() {
        tellCommit = true;
        commitFails = true;
        master = steps.enter(VrrpState.MASTER, "master down");
        runWorker();
        assertThat(doneAtAdoption).isTrue();
        assertThat(master).failsWithin(java.time.Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("commit (netlink refused)");
    }

    @Test
    void eachStateMapsToItsRoleAndLeavingMasterHandsOver() {
        steps.enter(VrrpState.MASTER, "master down");
        runWorker();
        ran.clear();
        CompletableFuture<?> backup = steps.enter(VrrpState.BACKUP, "higher priority heard");
        runWorker();
        assertThat(backup).isCompleted();
        assertThat(ran).containsExactly("handover", "purge", "request");
        steps.enter(VrrpState.FAULT, "interface down");
        steps.enter(VrrpState.INITIALIZE, "shutdown");
        runWorker();
        assertThat(roles.history().stream().map(t -> t.to()).toList())
                .containsExactly(Role.MASTER, Role.BACKUP, Role.FAULT, Role.STOP);
    }

    @Test
    void aStateAlreadyReachedCompletesOnceTheQueueBeforeItRan() {
        steps.enter(VrrpState.BACKUP, "start");
        runWorker();
        CompletableFuture<?> again = steps.enter(VrrpState.BACKUP, "again");
        assertThat(again).isNotDone();
        runWorker();
        assertThat(again).isCompleted();
        assertThat(roles.history()).hasSize(1);
    }

    @Test
    void failedStepsFailTheFutureNamingThem() {
        commitFails = true;
        CompletableFuture<?> f = steps.enter(VrrpState.MASTER, "master down");
        runWorker();
        assertThat(f).isCompletedExceptionally();
        try {
            f.get();
        } catch (InterruptedException | ExecutionException e) {
            assertThat(e.getCause()).hasMessageContaining("commit (netlink refused)");
        }
        assertThat(ran).containsExactly("commit", "adopt", "bulk");
    }

    @Test
    void aStoppedRoleWorkerFailsTheFutureInsteadOfThrowing() {
        Executor closed = r -> {
            throw new RejectedExecutionException("shut down");
        };
        CompletableFuture<?> f = new RoleSteps(roles, closed).enter(VrrpState.MASTER, "master down");
        assertThat(f).isCompletedExceptionally();
    }
}
