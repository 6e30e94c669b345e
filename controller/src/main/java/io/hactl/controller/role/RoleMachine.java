package io.hactl.controller.role;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs role transitions one at a time, in arrival order. An event for the role already reached
 * (with nothing pending), or for the same role as the last one still waiting, is coalesced. Each
 * transition runs its ordered actions, timing each; a failed action is recorded and the later
 * ones still run:
 * <ul>
 * <li>MASTER: commit the external cache, adopt the peer's flows the kernel now holds into the
 *     internal cache (no dump of the table), bulk-send it to the peer;</li>
 * <li>BACKUP: schedule the purge of stale kernel flows, request a resync from the peer;</li>
 * <li>FAULT: schedule the purge.</li>
 * </ul>
 * Leaving MASTER, the first step tells the peer (HANDOVER), which then preloads the flows into
 * its kernel ({@link #submitPreload}): in a graceful switchover the new master has the state
 * before its VRRP adds the addresses, instead of a few milliseconds after (keepalived notifies
 * only once the addresses are up, and packets arriving in between would be dropped). A peer gone
 * silent (a crash) causes the same preload, seconds before VRRP's master-down interval ends.
 * A preload is recorded like a transition that keeps the role, with the purge scheduled again in
 * case this node does not take over after all.
 * The last {@link #HISTORY} transitions are kept. Time comes from injected clocks.
 */
public final class RoleMachine {
    private static final Logger LOG = LoggerFactory.getLogger(RoleMachine.class);
    public static final int HISTORY = 20;

    /** The step names, as status shows them. */
    public static final String COMMIT = "commit";
    public static final String ADOPT = "adopt-peer-flows";
    public static final String BULK = "bulk-send";
    public static final String PURGE = "schedule-purge";
    public static final String REQUEST = "request-resync";
    public static final String HANDOVER = "hand-over";

    /** The sources of preloads: the peer's hand-over, or its silence. */
    public static final String PEER_HANDOVER = "peer hand-over";
    public static final String PEER_SILENT = "peer silent";

    private final String node;
    private final StateActions actions;
    private final LongSupplier nanos;
    private final Clock wall;
    private final Deque<Pending> queue = new ArrayDeque<>();
    private final Deque<Transition> history = new ArrayDeque<>();
    private final AtomicLong coalesced = new AtomicLong();
    private Role role = Role.INIT;
    private long roleSinceNanos;
    private java.time.Instant roleSince;
    private boolean running;
    /** The transition or preload running now, with its step; null between them. */
    private InProgress current; // its millis field unused: currentSinceNanos says when it began
    private long currentSinceNanos;

    /**
     * A transition (or a preload: {@code from} equals {@code to}) still running: its current step
     * and how long it has run, so that status says "becoming MASTER" rather than the old role alone.
     */
    public record InProgress(Role from, Role to, String source, String step, long millis) {}

    /** A queued role change, or (preload) a load of the external cache that keeps the role. */
    private record Pending(Role to, String source, boolean preload) {}

    public RoleMachine(String node, StateActions actions, LongSupplier nanos, Clock wall) {
        this.node = node;
        this.actions = Objects.requireNonNull(actions);
        this.nanos = nanos;
        this.wall = wall;
        this.roleSinceNanos = nanos.getAsLong();
        this.roleSince = wall.instant();
    }

    /**
     * Queues a transition to {@code to}. Returns false when it was coalesced (nothing to do).
     * Does not run it: {@link #runPending()} does, on the caller's worker thread.
     */
    public synchronized boolean submit(Role to, String source) {
        Role last = running ? null : role;
        for (java.util.Iterator<Pending> it = queue.descendingIterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (!p.preload()) {
                last = p.to();
                break;
            }
        }
        if (last == to) {
            coalesced.incrementAndGet();
            LOG.debug("{}: {} from {} coalesced", node, to, source);
            return false;
        }
        queue.addLast(new Pending(to, source, false));
        return true;
    }

    /**
     * Queues a preload: the external cache into the kernel now, keeping the role, because the
     * peer leaves MASTER ({@link #PEER_HANDOVER}) or went silent ({@link #PEER_SILENT}). It runs
     * in order with the transitions, and not at all when this node is MASTER by then.
     */
    public synchronized void submitPreload(String source) {
        queue.addLast(new Pending(null, source, true));
    }

    /** Runs every queued transition in order; returns how many ran. Call from one thread only. */
    public int runPending() {
        int n = 0;
        while (true) {
            Pending p;
            Role from;
            synchronized (this) {
                p = queue.pollFirst();
                if (p == null) {
                    running = false;
                    return n;
                }
                running = true;
                from = role;
            }
            if (p.preload()) {
                Transition t = runPreload(from, p.source());
                if (t != null) {
                    synchronized (this) {
                        remember(t);
                    }
                    n++;
                }
                continue;
            }
            Transition t = run(from, p);
            synchronized (this) {
                role = p.to();
                roleSinceNanos = nanos.getAsLong();
                roleSince = wall.instant();
                remember(t);
            }
            n++;
        }
    }

    private Transition run(Role from, Pending p) {
        java.time.Instant at = wall.instant();
        long t0 = nanos.getAsLong();
        LOG.info("{}: transition {} -> {} ({})", node, from, p.to(), p.source());
        started(from, p.to(), p.source(), t0);
        List<Step> steps = new ArrayList<>();
        begin(from, p.to(), p.source());
        if (from == Role.MASTER && p.to() != Role.MASTER) {
            steps.add(step(HANDOVER, actions::announceHandover));
        }
        switch (p.to()) {
            case MASTER -> {
                steps.add(step(COMMIT, actions::commit));
                steps.add(step(ADOPT, actions::adoptPeerFlows));
                steps.add(step(BULK, actions::bulkSend));
            }
            case BACKUP -> {
                steps.add(step(PURGE, actions::schedulePurge));
                steps.add(step(REQUEST, actions::requestResync));
            }
            case FAULT -> steps.add(step(PURGE, actions::schedulePurge));
            case STOP, INIT -> { }
        }
        long ms = (nanos.getAsLong() - t0) / 1_000_000;
        finished();
        Transition t = new Transition(from, p.to(), p.source(), at, steps, ms);
        LOG.info("{}: now {} after {} ms{}", node, p.to(), ms, t.ok() ? "" : " (some steps FAILED, see status)");
        return t;
    }

    /** Adds to the history, dropping the oldest beyond {@link #HISTORY}; holding the lock. */
    private void remember(Transition t) {
        history.addLast(t);
        while (history.size() > HISTORY) {
            history.removeFirst();
        }
    }

    private Transition runPreload(Role role, String source) {
        if (role == Role.MASTER) {
            LOG.info("{}: {}, but this node is MASTER: nothing to preload", node, source);
            return null;
        }
        java.time.Instant at = wall.instant();
        long t0 = nanos.getAsLong();
        LOG.info("{}: {}: preloading its flows into the kernel, still {}", node, source, role);
        started(role, role, source, t0);
        begin(role, role, source);
        List<Step> steps = List.of(step(COMMIT, actions::commit), step(PURGE, actions::schedulePurge));
        finished();
        return new Transition(role, role, source, at, steps, (nanos.getAsLong() - t0) / 1_000_000);
    }

    private void begin(Role from, Role to, String source) {
        try {
            actions.beginning(from, to, source);
        } catch (Exception e) {
            LOG.error("{}: preparing {} -> {} failed: {}", node, from, to, e.getMessage());
        }
    }

    /** Whether {@code t} records a preload rather than a role change. */
    public static boolean isPreload(Transition t) {
        return t.source().equals(PEER_HANDOVER) || t.source().equals(PEER_SILENT);
    }

    private interface Action {
        String run() throws Exception;
    }

    private synchronized void started(Role from, Role to, String source, long t0) {
        current = new InProgress(from, to, source, "", 0);
        currentSinceNanos = t0;
    }

    private synchronized void finished() {
        current = null;
    }

    private Step step(String name, Action a) {
        long t0 = nanos.getAsLong();
        synchronized (this) {
            if (current != null) {
                current = new InProgress(current.from(), current.to(), current.source(), name, 0);
            }
        }
        try {
            String detail = a.run();
            long ms = (nanos.getAsLong() - t0) / 1_000_000;
            LOG.info("{}:   {} ok in {} ms{}", node, name, ms, detail == null ? "" : ": " + detail);
            return new Step(name, ms, true, detail);
        } catch (Exception e) {
            long ms = (nanos.getAsLong() - t0) / 1_000_000;
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.error("{}:   {} FAILED after {} ms: {}", node, name, ms, why);
            return new Step(name, ms, false, why);
        }
    }

    public synchronized Role role() {
        return role;
    }

    /** Milliseconds since the role was reached. */
    public synchronized long roleAgeMillis() {
        return (nanos.getAsLong() - roleSinceNanos) / 1_000_000;
    }

    public synchronized java.time.Instant roleSince() {
        return roleSince;
    }

    /** The most recent transitions, oldest first. */
    public synchronized List<Transition> history() {
        return List.copyOf(history);
    }

    public synchronized Transition last() {
        return history.peekLast();
    }

    public long coalesced() {
        return coalesced.get();
    }

    /**
     * The transition or preload running now, {@code millis} since it began; null when none is.
     * A transition whose steps have not started yet shows an empty step.
     */
    public synchronized InProgress inProgress() {
        InProgress c = current;
        return c == null ? null
                : new InProgress(c.from(), c.to(), c.source(), c.step(), (nanos.getAsLong() - currentSinceNanos) / 1_000_000);
    }

    public synchronized int pending() {
        return queue.size();
    }
}
