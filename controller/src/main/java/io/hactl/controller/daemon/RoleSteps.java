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
import java.util.stream.Collectors;

/**
 * hactl's own VRRP drives the role machine as keepalived's notify_fifo does: each state the sync
 * group enters is submitted as a role transition and run on the role worker, in order with the
 * preloads. The future completes once that transition's steps ran (for MASTER: the commit, the
 * flush, the resync and the bulk-send, after which the controller puts the addresses up); it
 * fails, naming the failed steps, when some did, since the addresses then go up on state that
 * may be incomplete and status must say so.
 */
final class RoleSteps implements GroupSteps {
    /** The source of the transitions, as status and the role history show it. */
    static final String SOURCE = "hactl vrrp";

    private final RoleMachine roles;
    private final Executor roleWorker;

    RoleSteps(RoleMachine roles, Executor roleWorker) {
        this.roles = roles;
        this.roleWorker = roleWorker;
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

    private static String failed(Step s) {
        return s.name() + " (" + s.detail() + ")";
    }
}
