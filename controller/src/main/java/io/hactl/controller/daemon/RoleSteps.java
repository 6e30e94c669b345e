package io.hactl.controller.daemon;

import io.hactl.controller.role.Role;
import io.hactl.controller.role.RoleMachine;
import io.hactl.controller.role.Step;
import io.hactl.controller.role.Transition;
import io.hactl.controller.vrrp.GroupSteps;
import io.hactl.controller.vrrp.VrrpState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * hactl's own VRRP drives the role machine as keepalived's notify_fifo does: each state the sync
 * group enters is submitted as a role transition and run on the role worker, in order with the
 * preloads. The future completes once that transition's steps ran; it fails, naming the failed
 * steps, when some did, since the addresses then go up on state that may be incomplete and
 * status must say so. For MASTER it completes (or fails) as soon as the commit step has ended,
 * when {@link #masterCommitted} is called: the peer's flows are in the kernel, which is all the
 * traffic needs before the addresses go up; the flush, the resync of the internal cache and the
 * bulk-send follow, as they do after keepalived's notification (which comes once its addresses
 * are up). A warm standby whose kernel already holds every flow the peer sent, as received,
 * says so in {@link #stateInKernel} before the transition is submitted, and the addresses go up
 * first; asked on the engine's loop instead, the future completes as soon as the loop answers.
 * Either way the commit has nothing to write, and runs behind the addresses.
 */
final class RoleSteps implements GroupSteps {
    /** The source of the transitions, as status and the role history show it. */
    static final String SOURCE = "hactl vrrp";

    private final RoleMachine roles;
    private final Executor roleWorker;
    /** Whether the kernel holds the peer's flows as received already (warm standby, nothing left to write). */
    private final Supplier<CompletableFuture<Boolean>> standbyCurrent;
    /** The same, answered at once from what the engine's loop last recorded. */
    private final BooleanSupplier standbyCurrentNow;
    /** The MASTER transition's future waiting for its commit; completed by {@link #masterCommitted}. */
    private volatile CompletableFuture<Void> awaitingCommit;

    RoleSteps(RoleMachine roles, Executor roleWorker, Supplier<CompletableFuture<Boolean>> standbyCurrent,
              BooleanSupplier standbyCurrentNow) {
        this.roles = roles;
        this.roleWorker = roleWorker;
        this.standbyCurrent = standbyCurrent;
        this.standbyCurrentNow = standbyCurrentNow;
    }

    /** Without warm standby: MASTER always waits for its commit. */
    RoleSteps(RoleMachine roles, Executor roleWorker) {
        this(roles, roleWorker, () -> CompletableFuture.completedFuture(false), () -> false);
    }

    /**
     * A warm standby whose kernel holds every flow the peer sent, as the engine's loop last
     * recorded it: the MASTER commit would write nothing, so the addresses need not wait for it.
     */
    @Override
    public boolean stateInKernel() {
        return standbyCurrentNow.getAsBoolean();
    }

    static Role role(VrrpState state) {
        return switch (state) {
            case MASTER -> Role.MASTER;
            case BACKUP -> Role.BACKUP;
            case FAULT -> Role.FAULT;
            case INITIALIZE -> Role.STOP;
        };
    }

    @Override
    public CompletableFuture<?> enter(VrrpState state, String why) {
        Role to = role(state);
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (to == Role.MASTER) {
            awaitingCommit = done;
            // asked before the transition begins: once it has, this node is no standby any more
            standbyCurrent.get().thenAccept(current -> {
                if (current) {
                    done.complete(null);
                }
            });
        }
        // coalesced (the role is reached or queued already): the task below still waits for the queue
        roles.submit(to, SOURCE + " (" + why + ")");
        try {
            roleWorker.execute(() -> {
                try {
                    roles.runPending();
                    Transition t = roles.last();
                    if (t != null && t.to() == to && !t.ok()) {
                        done.completeExceptionally(new IllegalStateException("role steps failed: "
                                + t.steps().stream().filter(s -> !s.ok()).map(RoleSteps::failed)
                                        .collect(Collectors.joining(", "))));
                    } else {
                        done.complete(null);
                    }
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("the role worker has stopped"));
        }
        return done;
    }

    /**
     * The MASTER transition's commit ended, failed with {@code error} or not (null): the
     * addresses may go up. Called on the role worker, in the commit step.
     */
    void masterCommitted(Exception error) {
        CompletableFuture<Void> f = awaitingCommit;
        awaitingCommit = null;
        if (f == null) {
            return;
        }
        if (error == null) {
            f.complete(null);
        } else {
            f.completeExceptionally(new IllegalStateException("role steps failed: " + RoleMachine.COMMIT + " ("
                    + (error.getMessage() == null ? error.toString() : error.getMessage()) + ")"));
        }
    }

    private static String failed(Step s) {
        return s.name() + " (" + s.detail() + ")";
    }
}
