package io.hactl.controller.vrrp;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * One member of a {@link VrrpController}'s group: its configuration, state machine, and the
 * {@link Actions} that send its advertisements through the {@link VrrpIo}. Owned by the loop thread.
 */
final class Member implements Actions {
    final RouterConfig router;
    final InstanceConfig instance;
    final VrrpInstance vrrp;
    private final VrrpIo io;
    private final IoFailures failures;

    Member(RouterConfig router, InstanceConfig instance, VrrpIo io, IoFailures failures, LongSupplier nanos) {
        this.router = router;
        this.instance = instance;
        this.io = io;
        this.failures = failures;
        this.vrrp = new VrrpInstance(instance, this, nanos);
    }

    @Override
    public void sendAdvert(int priority) {
        try {
            io.send(router, instance.advertisement(priority));
        } catch (IOException | RuntimeException e) {
            failures.failed(router.name() + ": sending priority " + priority, e, null);
        }
    }

    // the group's transitions act for every member at once (TransitionRunner)
    @Override
    public void becomeMaster() {
    }

    @Override
    public void becomeBackup() {
    }

    @Override
    public void becomeFault() {
    }

    @Override
    public void stopped() {
    }
}
