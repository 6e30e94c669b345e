package io.hactl.controller.vrrp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transition of the sync group being carried out by {@link TransitionRunner}: its steps in the
 * order they began, timed on the loop's clock. Owned by the loop thread; status sees
 * {@link #snapshot}s.
 */
final class Transition {
    private static final Logger LOG = LoggerFactory.getLogger(Transition.class);
    private static final long NANOS_PER_MILLI = 1_000_000L;

    final String group;
    final VrrpState to;
    final String why;
    final long began;
    private final LongSupplier nanos;
    private final List<StepTime> steps = new ArrayList<>();
    /** MASTER: the addresses went up (or are going up): neither the commit nor the budget adds them again. */
    boolean addressesUp;
    /** MASTER: the budget ran out before the state steps were done. */
    boolean overBudget;
    /** MASTER: the kernel held the peer's flows already; the addresses went up before the state steps. */
    boolean kernelHeldState;

    Transition(String group, VrrpState to, String why, LongSupplier nanos) {
        this.group = group;
        this.to = to;
        this.why = why;
        this.nanos = nanos;
        this.began = nanos.getAsLong();
    }

    /** Records that {@code step} begins now; returns its index for {@link #end}. */
    int begin(String step) {
        steps.add(new StepTime(step, millisSinceStart(), -1, null));
        return steps.size() - 1;
    }

    /** The step at {@code index} ended now, failed with {@code error} or not (null). */
    void end(int index, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        end(index, cause == null ? null : String.valueOf(cause.getMessage()));
    }

    /** The step at {@code index} ended now, with the text of its error or null. */
    void end(int index, String error) {
        StepTime s = steps.get(index);
        steps.set(index, new StepTime(s.step(), s.atMillis(), millisSinceStart() - s.atMillis(), error));
        if (error != null && s.step().equals(StepTime.STATE)) {
            LOG.warn("{}: the {} state steps failed: {}", group, to, error);
        }
    }

    StepTime step(int index) {
        return steps.get(index);
    }

    long millisSinceStart() {
        return (nanos.getAsLong() - began) / NANOS_PER_MILLI;
    }

    GroupTransition snapshot() {
        return new GroupTransition(to, why, steps, overBudget, kernelHeldState);
    }
}
