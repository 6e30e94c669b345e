package io.hactl.controller.vrrp;

import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the sync group's transitions in {@link VrrpController}'s order.
 *
 * <p><b>Taking over:</b> the {@link GroupSteps} for MASTER (the commit) start; when they are done,
 * or when {@link VrrpConfig#commitBudget} has run out, the addresses go up, then
 * {@link VrrpConfig#garpRepeat} rounds of announcements at {@link VrrpConfig#garpInterval}. Both
 * outcomes are counted. When the kernel holds the peer's flows already
 * ({@link GroupSteps#stateInKernel}, a warm standby in step), the addresses and the first
 * announcement go out at once, in the task that decided the takeover, and the steps run behind
 * them: nothing waits for another thread, and nothing else competes for the CPU before them.
 * <b>Leaving MASTER</b> (or never having held it): the addresses go down, then the group's
 * steps for the new state start. A transition overtaken by the next one does
 * nothing more that would touch the addresses (its generation is past).
 *
 * <p>Owned by the loop thread; every task it leaves on the loop is wrapped by the controller's
 * {@code guard}, so that nothing it throws stops the loop and timers and status follow.
 */
final class TransitionRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TransitionRunner.class);

    private final String name;
    private final VrrpConfig config;
    private final VrrpLoop loop;
    private final GroupSteps steps;
    private final GroupAddresses addresses;
    private final UnaryOperator<Runnable> guard;

    private int generation;
    private Transition last;
    private VrrpLoop.Timer budget;
    private long withinBudget;
    private long overBudget;

    TransitionRunner(String name, VrrpConfig config, VrrpLoop loop, GroupSteps steps, GroupAddresses addresses,
            UnaryOperator<Runnable> guard) {
        this.name = name;
        this.config = config;
        this.loop = loop;
        this.steps = steps;
        this.addresses = addresses;
        this.guard = guard;
    }

    /** The group changed state: take over, or leave. */
    void groupState(VrrpState to, String why) {
        cancel(budget);
        budget = null;
        generation++;
        last = new Transition(name, to, why, loop::nanoTime);
        if (to == VrrpState.MASTER) {
            takeOver(last, generation);
        } else {
            leave(last);
        }
    }

    /** The controller stopped: the commit budget no longer adds the addresses. */
    void stop() {
        cancel(budget);
    }

    /** The last transition, null before the first. */
    Transition last() {
        return last;
    }

    /**
     * Takeovers whose state steps finished before the addresses went up, or had nothing to
     * write first (the kernel held the peer's flows already).
     */
    long withinBudget() {
        return withinBudget;
    }

    /** Takeovers whose addresses went up when the commit budget ran out. */
    long overBudget() {
        return overBudget;
    }

    private void takeOver(Transition t, int gen) {
        if (steps.stateInKernel()) {
            t.kernelHeldState = true;
            withinBudget++;
            addAddresses(t, gen);
            LOG.info("{}: MASTER ({}): the kernel held the peer's flows already (warm standby): addresses first,"
                    + " the state steps behind them", name, t.why);
            int state = t.begin(StepTime.STATE);
            enter(t).whenComplete((r, e) -> loop.execute(guard.apply(() -> t.end(state, e))));
            return;
        }
        LOG.info("{}: MASTER ({}): state steps first, addresses after them or in {} ms", name, t.why,
                config.commitBudget().toMillis());
        int state = t.begin(StepTime.STATE);
        CompletableFuture<?> done = enter(t);
        budget = loop.at(t.began + config.commitBudget().toNanos(), guard.apply(() -> {
            if (gen == generation && !t.addressesUp) {
                t.overBudget = true;
                overBudget++;
                LOG.warn("{}: the MASTER state steps are still running after the commit budget of {} ms:"
                        + " taking the addresses now, the steps finish behind them", name, config.commitBudget().toMillis());
                addAddresses(t, gen);
            }
        }));
        done.whenComplete((r, e) -> loop.execute(guard.apply(() -> {
            t.end(state, e);
            if (gen == generation && !t.addressesUp) {
                cancel(budget);
                budget = null;
                withinBudget++;
                addAddresses(t, gen);
            } else if (t.overBudget) {
                LOG.info("{}: the MASTER state steps finished {} ms after the takeover began", name,
                        t.millisSinceStart());
            }
        })));
    }

    private void addAddresses(Transition t, int gen) {
        t.addressesUp = true;
        int step = t.begin(StepTime.ADDRESSES);
        t.end(step, addresses.add());
        announce(t, gen, 1);
    }

    private void announce(Transition t, int gen, int round) {
        if (gen != generation) {
            return; // the group left MASTER: its addresses are gone
        }
        int step = round == 1 ? t.begin(StepTime.ANNOUNCE) : -1;
        String error = addresses.announce();
        if (step >= 0) {
            t.end(step, error);
            LOG.info("{}: addresses up {} ms after the takeover began{}", name,
                    t.step(step - 1).atMillis(), t.overBudget ? " (commit budget exceeded)" : "");
        }
        if (round < config.garpRepeat()) {
            loop.at(loop.nanoTime() + config.garpInterval().toNanos(), guard.apply(() -> announce(t, gen, round + 1)));
        }
    }

    private void leave(Transition t) {
        LOG.info("{}: {} ({}): addresses down, then the state steps", name, t.to, t.why);
        int step = t.begin(StepTime.ADDRESSES);
        t.end(step, addresses.remove());
        int state = t.begin(StepTime.STATE);
        enter(t).whenComplete((r, e) -> loop.execute(guard.apply(() -> t.end(state, e))));
    }

    /** The group's steps for {@code t}; one that throws instead of failing its future fails the same. */
    private CompletableFuture<?> enter(Transition t) {
        try {
            CompletableFuture<?> f = steps.enter(t.to, t.why);
            return f != null ? f : CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void cancel(VrrpLoop.Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }
}
