package io.hactl.sync.engine;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Runs an action on the loop after the tasks already queued there, once however often it is
 * asked for meanwhile (called on the loop only). The engine sends what kernel events queued this
 * way: batches of events that queued up while the loop was busy share datagrams instead of each
 * sealing a part-filled one, and a lone batch still leaves at once.
 */
final class CoalescedTask implements Runnable {
    private final Executor loop;
    private final Runnable action;
    private boolean queued;

    CoalescedTask(Executor loop, Runnable action) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.action = Objects.requireNonNull(action, "action");
    }

    @Override
    public void run() {
        if (!queued) {
            queued = true;
            loop.execute(() -> {
                queued = false;
                action.run();
            });
        }
    }
}
