package io.hactl.controller.vrrp;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * hactl's VRRP at work: one {@link SyncGroup} of {@link VrrpInstance}s built from
 * {@link VrrpConfig}, run on one {@link VrrpLoop}, over a {@link VrrpIo}.
 *
 * <p><b>Takeover order.</b> When the group becomes MASTER its members advertise at once and keep
 * advertising on their timers; the {@link GroupSteps} for MASTER (the conntrack commit) start;
 * only when they are done, or when {@link VrrpConfig#commitBudget} has run out, do the virtual
 * addresses go up, and then the gratuitous ARPs / NAs go out, {@link VrrpConfig#garpRepeat}
 * rounds at {@link VrrpConfig#garpInterval}. Both outcomes are counted. So no packet reaches this
 * node for a virtual address before the state of its connection is in the kernel, unless the
 * commit overruns its budget. RFC 9568 6.4.2 lists, on the Master_Down_Timer, the advertisement
 * and then the ARPs / NAs; sending the advertisement at once is what keeps a master: a silent
 * one would let the peer take over too. Holding the addresses back for the commit only delays
 * the ARPs, which the RFC does not time; meanwhile nobody answers for the addresses, and TCP
 * retransmits what is lost, where a kernel without the state would have reset it.
 *
 * <p><b>Leaving MASTER</b> (for BACKUP, FAULT or shutdown): the addresses go down first, then the
 * group's steps for the new state start (the hand-over), so that no packet reaches a node that
 * is handing its state over.
 *
 * <p><b>Sync-aware election:</b> {@link #holdBack} while this node is not in sync with a live
 * peer: the group advertises as a backup that does not preempt (it still takes over a silent
 * master); {@link #release} once in sync.
 *
 * <p>Every public method may be called from any thread: it hands its work to the loop. Received
 * datagrams go through {@link ReceiveCheck} (drops counted by reason, never thrown); a failing
 * network call is counted and logged at a limited rate; nothing stops the loop.
 */
public final class VrrpController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VrrpController.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    /**
     * Datagrams waiting for the loop at most: a VRRP link carries a few per advertisement
     * interval and instance; far more is a flood, dropped before it fills the heap.
     */
    static final int MAX_QUEUED = 4096;

    private final String name;
    private final VrrpConfig config;
    private final VrrpIo io;
    private final VrrpLoop loop;
    private final GroupSteps steps;
    private final List<Member> members = new ArrayList<>();
    /** Receive checks by interface and family. */
    private final Map<String, ReceiveCheck> checks = new LinkedHashMap<>();
    /** Members by interface, family and VRID. */
    private final Map<String, Member> routers = new HashMap<>();
    private final SyncGroup group;
    private final LogLimiter ioLog = new LogLimiter(LOG_INTERVAL_NANOS);

    // owned by the loop thread
    private int generation;
    private Transition last;
    private VrrpLoop.Timer wakeup;
    private long wakeupAt;
    private VrrpLoop.Timer budget;
    private long withinBudget;
    private long overBudget;
    private long ioErrors;
    private long unmatched;
    private boolean stopped;

    private volatile VrrpStatus status;
    private final AtomicReference<CompletableFuture<Void>> stopping = new AtomicReference<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong overruns = new AtomicLong();

    /**
     * A controller for {@code config}, named {@code name} in its log lines; asks {@code io} for
     * each interface's primary address, so that an interface without an address of its
     * instance's family is refused here, with its name.
     */
    public VrrpController(String name, VrrpConfig config, VrrpIo io, VrrpLoop loop, GroupSteps steps)
            throws IOException {
        this.name = Objects.requireNonNull(name);
        this.config = Objects.requireNonNull(config);
        this.io = Objects.requireNonNull(io);
        this.loop = Objects.requireNonNull(loop);
        this.steps = Objects.requireNonNull(steps);
        Map<String, List<InstanceConfig>> byLink = new LinkedHashMap<>();
        for (RouterConfig r : config.instances()) {
            InetAddress primary = io.primaryAddress(r);
            if (primary == null || !r.family().holds(primary)) {
                throw new IOException(r.name() + ": no " + r.family().displayName() + " address on "
                        + r.interfaceName() + " to advertise from");
            }
            Member m = new Member(r, r.instance(config, primary));
            members.add(m);
            routers.put(link(r.interfaceName(), r.family()) + " " + r.vrid(), m);
            byLink.computeIfAbsent(link(r.interfaceName(), r.family()), k -> new ArrayList<>()).add(m.instance);
        }
        for (Map.Entry<String, List<InstanceConfig>> e : byLink.entrySet()) {
            RouterConfig first = routers.get(e.getKey() + " " + e.getValue().get(0).vrid()).router;
            checks.put(e.getKey(), new ReceiveCheck(first.interfaceName(), first.family(), e.getValue(),
                    new ReceiveCounters(), loop::nanoTime));
        }
        group = new SyncGroup(name, members.stream().map(m -> m.vrrp).toList(), this::groupState);
        publish();
    }

    private static String link(String iface, IpFamily family) {
        return iface + " " + family;
    }

    /** Starts the group: every member as BACKUP (none is an address owner), addresses down. */
    public void start() {
        run(group::start);
    }

    /**
     * Shuts the group down: a MASTER sends priority 0 so that the peer takes over after its
     * skew time, then the addresses go down and the steps for INITIALIZE start. The future
     * completes once that is done on the loop.
     */
    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!stopping.compareAndSet(null, done)) {
            return stopping.get();
        }
        Runnable shutdown = guarded(() -> {
            group.shutdown();
            stopped = true;
            cancel(wakeup);
            wakeup = null;
            cancel(budget);
        });
        try {
            // completed once the status shows it
            loop.execute(() -> {
                try {
                    shutdown.run();
                } finally {
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            done.complete(null); // the loop is closed: nothing runs any more
        }
        return done;
    }

    /** {@link #stop}, waited for a few seconds at most, then closes the {@link VrrpIo}. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            stop().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("{}: the VRRP loop did not stop in time: {}", name, e.toString());
        } finally {
            io.close();
        }
    }

    /**
     * A VRRP datagram received on {@code iface} from {@code source} to {@code destination}, with
     * its TTL or hop limit; {@code message} is the VRRP message (after the IP header) and is
     * the controller's from now on.
     */
    public void onDatagram(String iface, InetAddress source, InetAddress destination, int ttl, byte[] message) {
        receiveLater(() -> {
            IpHeader header;
            try {
                header = new IpHeader(IpFamily.of(source), source, destination, ttl);
            } catch (IllegalArgumentException e) {
                unmatched++;
                return;
            }
            receive(iface, header, message);
        });
    }

    /** {@link #onDatagram(String, InetAddress, InetAddress, int, byte[])} with the IP header read already. */
    public void onDatagram(String iface, IpHeader header, byte[] message) {
        Objects.requireNonNull(header, "header");
        receiveLater(() -> receive(iface, header, message));
    }

    /**
     * Hands a received datagram to the loop, unless {@link #MAX_QUEUED} wait already (a flood
     * the loop cannot keep up with): then it is dropped and counted, and the queue stays bounded.
     */
    private void receiveLater(Runnable receive) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            overruns.incrementAndGet();
            return;
        }
        try {
            loop.execute(guarded(() -> {
                queued.decrementAndGet();
                if (!stopped) {
                    receive.run();
                }
            }));
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet(); // the loop is closed
        }
    }

    /** The link of {@code iface} went up or down: its instances, and so the group, leave or end FAULT. */
    public void onLink(String iface, boolean up) {
        run(() -> {
            for (Member m : members) {
                if (m.router.interfaceName().equals(iface)) {
                    if (up) {
                        group.recover(m.vrrp, "interface " + iface + " up");
                    } else {
                        group.fault(m.vrrp, "interface " + iface + " down");
                    }
                }
            }
        });
    }

    /**
     * This node is not in sync with a live peer ({@code reason}, shown by status): the group
     * does not preempt, and still takes over when the master falls silent.
     */
    public void holdBack(String reason) {
        Objects.requireNonNull(reason, "reason");
        run(() -> {
            if (!reason.equals(group.holdBackReason())) {
                LOG.info("{}: holding back from preempting: {}", name, reason);
            }
            group.holdBack(reason);
        });
    }

    /** In sync again: the group may preempt. */
    public void release() {
        run(() -> {
            if (group.holdBackReason() != null) {
                LOG.info("{}: no longer held back", name);
            }
            group.holdBack(null);
        });
    }

    /** The state as of the last event the loop handled; from any thread. */
    public VrrpStatus status() {
        return status;
    }

    /** {@code task} on the loop, unless the controller has stopped (events after that change nothing). */
    private void run(Runnable task) {
        try {
            loop.execute(guarded(() -> {
                if (!stopped) {
                    task.run();
                }
            }));
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: the VRRP loop is closed, event dropped", name);
        }
    }

    /** {@code task} on the loop: nothing it throws stops the loop; then timers and status follow. */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("{}: VRRP event failed", name, e);
            } finally {
                reschedule();
                publish();
            }
        };
    }

    private void receive(String iface, IpHeader header, byte[] message) {
        ReceiveCheck check = checks.get(link(iface, header.family()));
        if (check == null) {
            unmatched++;
            return;
        }
        ReceiveVerdict v = check.check(header, message);
        if (v.accepted()) {
            routers.get(link(iface, header.family()) + " " + v.advert().vrid()).vrrp.onAdvert(v.advert(),
                    header.source());
        }
    }

    /** One wake-up at the group's earliest deadline. */
    private void reschedule() {
        OptionalLong next = stopped ? OptionalLong.empty() : group.nextDeadline();
        if (next.isEmpty()) {
            cancel(wakeup);
            wakeup = null;
            return;
        }
        if (wakeup != null && wakeupAt == next.getAsLong()) {
            return;
        }
        cancel(wakeup);
        wakeupAt = next.getAsLong();
        wakeup = loop.at(wakeupAt, guarded(() -> {
            wakeup = null;
            receivePending();
            group.onTimer(loop.nanoTime());
        }));
    }

    /**
     * Before a timer acts, the advertisements already waiting in the sockets: after a pause of
     * the process (a garbage collection, a starved CPU) the timer and the receive thread wake
     * together, and a master whose advertisements sat in the socket all along must not be taken
     * for silent because the timer ran first.
     */
    private void receivePending() {
        try {
            io.receivePending(this::receive);
        } catch (IOException | RuntimeException e) {
            failed("receiving the waiting VRRP datagrams", e, null);
        }
    }

    private static void cancel(VrrpLoop.Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    /** The group changed state: take over, or leave. */
    private void groupState(VrrpState to, String why) {
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

    private void takeOver(Transition t, int gen) {
        LOG.info("{}: MASTER ({}): state steps first, addresses after them or in {} ms", name, t.why,
                config.commitBudget().toMillis());
        int state = t.begin(StepTime.STATE);
        CompletableFuture<?> done = enter(t);
        budget = loop.at(t.began + config.commitBudget().toNanos(), guarded(() -> {
            if (gen == generation && !t.addressesUp) {
                t.overBudget = true;
                overBudget++;
                LOG.warn("{}: the MASTER state steps are still running after the commit budget of {} ms:"
                        + " taking the addresses now, the steps finish behind them", name, config.commitBudget().toMillis());
                addAddresses(t, gen);
            }
        }));
        done.whenComplete((r, e) -> loop.execute(guarded(() -> {
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
        String error = null;
        for (Member m : members) {
            try {
                io.addAddresses(m.router);
            } catch (IOException | RuntimeException e) {
                error = failed(m.router.name() + ": adding " + m.router.addresses(), e, error);
            }
        }
        t.end(step, error);
        announce(t, gen, 1);
    }

    private void announce(Transition t, int gen, int round) {
        if (gen != generation) {
            return; // the group left MASTER: its addresses are gone
        }
        int step = round == 1 ? t.begin(StepTime.ANNOUNCE) : -1;
        String error = null;
        for (Member m : members) {
            try {
                io.announce(m.router);
            } catch (IOException | RuntimeException e) {
                error = failed(m.router.name() + ": announcing " + m.router.addresses(), e, error);
            }
        }
        if (step >= 0) {
            t.end(step, error);
            LOG.info("{}: addresses up {} ms after the takeover began{}", name,
                    t.step(step - 1).atMillis(), t.overBudget ? " (commit budget exceeded)" : "");
        }
        if (round < config.garpRepeat()) {
            loop.at(loop.nanoTime() + config.garpInterval().toNanos(), guarded(() -> announce(t, gen, round + 1)));
        }
    }

    private void leave(Transition t) {
        LOG.info("{}: {} ({}): addresses down, then the state steps", name, t.to, t.why);
        int step = t.begin(StepTime.ADDRESSES);
        String error = null;
        for (Member m : members) {
            try {
                io.removeAddresses(m.router);
            } catch (IOException | RuntimeException e) {
                error = failed(m.router.name() + ": removing " + m.router.addresses(), e, error);
            }
        }
        t.end(step, error);
        int state = t.begin(StepTime.STATE);
        enter(t).whenComplete((r, e) -> loop.execute(guarded(() -> t.end(state, e))));
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

    /** Counts and logs (at a limited rate) a failed network call; returns the step's error text. */
    private String failed(String what, Exception e, String before) {
        ioErrors++;
        long held = ioLog.pass(loop.nanoTime());
        if (held >= 0) {
            LOG.warn("{}: {} failed: {}{}", name, what, e.toString(),
                    held > 0 ? " (" + held + " more failures since the last report)" : "");
        }
        String text = what + ": " + e.getMessage();
        return before == null ? text : before + "; " + text;
    }

    private void publish() {
        GroupTransition t = last == null ? null : last.snapshot();
        long now = loop.nanoTime();
        List<VrrpInstanceStatus> list = new ArrayList<>(members.size());
        for (Member m : members) {
            VrrpInstance v = m.vrrp;
            long down = -1;
            if (v.state() == VrrpState.BACKUP && v.nextDeadline().isPresent()) {
                down = Math.max(0, (v.nextDeadline().getAsLong() - now) / NANOS_PER_MILLI);
            }
            Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
            m.check().counters().drops().forEach((reason, n) -> {
                if (n > 0) {
                    drops.put(reason, n);
                }
            });
            list.add(new VrrpInstanceStatus(m.router.name(), m.router.interfaceName(), m.router.vrid(), v.state(),
                    v.why(), m.router.priority(),
                    v.masterAddress() == null ? null : v.masterAddress().getHostAddress(), v.masterPriority(),
                    v.advertsSent(), v.advertsReceived(), down, drops, group.holdBackReason(), t));
        }
        status = new VrrpStatus(group == null ? VrrpState.INITIALIZE : group.state(),
                group == null ? null : group.holdBackReason(), withinBudget, overBudget, ioErrors, unmatched,
                overruns.get(), t, list);
    }

    /** One member: its configuration, state machine, and the {@link Actions} that send its advertisements. */
    private final class Member implements Actions {
        final RouterConfig router;
        final InstanceConfig instance;
        final VrrpInstance vrrp;

        Member(RouterConfig router, InstanceConfig instance) {
            this.router = router;
            this.instance = instance;
            this.vrrp = new VrrpInstance(instance, this, loop::nanoTime);
        }

        ReceiveCheck check() {
            return checks.get(link(router.interfaceName(), router.family()));
        }

        @Override
        public void sendAdvert(int priority) {
            try {
                io.send(router, instance.advertisement(priority));
            } catch (IOException | RuntimeException e) {
                failed(router.name() + ": sending priority " + priority, e, null);
            }
        }

        // the group's transitions act for every member at once (VrrpController#groupState)
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
}
