package io.hactl.controller.vrrp;

import java.util.concurrent.CompletableFuture;

/**
 * What the node does when its sync group changes state, given to {@link VrrpController} by the
 * daemon (the role machine's transitions: on MASTER commit the peer's state or the changes since
 * a preload; on BACKUP request a resync; ...). Called on the controller's loop: it must not block,
 * but start the work and return a future that completes when the steps are done.
 */
@FunctionalInterface
public interface GroupSteps {
    /**
     * The group entered {@code state} ({@link VrrpState#INITIALIZE} once shut down). For
     * {@link VrrpState#MASTER} the virtual addresses go up when the future completes or the
     * commit budget runs out, whichever comes first; for the other states they are already down.
     */
    CompletableFuture<?> enter(VrrpState state, String why);

    /**
     * Whether the kernel holds, at this moment, every flow the MASTER steps would write (a warm
     * standby in step with its peer): the addresses may then go up before the steps start, as
     * nothing the traffic needs is missing. Called on the loop; answers at once.
     */
    default boolean stateInKernel() {
        return false;
    }
}
