package io.hactl.controller.vrrp;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 *
 * <p>The controller keeps the loop: what runs on it, the group's timer, the bounded queue of
 * received datagrams, start and stop. The rest is its parts': {@link Member} (one instance and
 * its advertisements), {@link ReceiveDispatch} (received datagrams to their instance),
 * {@link TransitionRunner} (the takeover and leave order, the commit budget) over
 * {@link GroupAddresses} (the addresses and their announcements), {@link IoFailures} (failed
 * network calls) and {@link StatusSnapshot} (what status shows).
 */
public final class VrrpController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VrrpController.class);
    /**
     * Datagrams waiting for the loop at most: a VRRP link carries a few per advertisement
     * interval and instance; far more is a flood, dropped before it fills the heap.
     */
    static final int MAX_QUEUED = 4096;

    private final String name;
    private final VrrpIo io;
    private final VrrpLoop loop;
    private final List<Member> members = new ArrayList<>();
    private final IoFailures failures;
    private final ReceiveDispatch dispatch;
    private final TransitionRunner runner;
    private final SyncGroup group;
    private final StatusSnapshot snapshot;

    // owned by the loop thread
    private VrrpLoop.Timer wakeup;
    private long wakeupAt;
    private boolean stopped;

    private volatile VrrpStatus status;
    private final AtomicReference<CompletableFuture<Void>> stopping = new AtomicReference<>();
    /** Received datagrams in the order received, waiting for the loop (at most {@link #MAX_QUEUED}). */
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
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
        Objects.requireNonNull(config);
        this.io = Objects.requireNonNull(io);
        this.loop = Objects.requireNonNull(loop);
        Objects.requireNonNull(steps);
        failures = new IoFailures(name, loop::nanoTime);
        for (RouterConfig r : config.instances()) {
            InetAddress primary = io.primaryAddress(r);
            if (primary == null || !r.family().holds(primary)) {
                throw new IOException(r.name() + ": no " + r.family().displayName() + " address on "
                        + r.interfaceName() + " to advertise from");
            }
            members.add(new Member(r, r.instance(config, primary), io, failures, loop::nanoTime));
        }
        dispatch = new ReceiveDispatch(members, loop::nanoTime);
        runner = new TransitionRunner(name, config, loop, steps, new GroupAddresses(members, io, failures),
                this::guarded);
        group = new SyncGroup(name, members.stream().map(m -> m.vrrp).toList(), runner::groupState);
        snapshot = new StatusSnapshot(group, members, dispatch, runner, failures, overruns::get, loop::nanoTime);
        publish();
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
            runner.stop();
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
                dispatch.unmatched();
                return;
            }
            dispatch.receive(iface, header, message);
        });
    }

    /** {@link #onDatagram(String, InetAddress, InetAddress, int, byte[])} with the IP header read already. */
    public void onDatagram(String iface, IpHeader header, byte[] message) {
        Objects.requireNonNull(header, "header");
        receiveLater(() -> dispatch.receive(iface, header, message));
    }

    /**
     * As {@link #onDatagram(String, IpHeader, byte[])}, received at {@code receivedAt} (the
     * loop's clock): the timers count from then, not from when the loop got to it.
     */
    public void onDatagram(String iface, IpHeader header, byte[] message, long receivedAt) {
        Objects.requireNonNull(header, "header");
        receiveLater(() -> dispatch.receive(iface, header, message, receivedAt));
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
        inbox.add(receive);
        try {
            loop.execute(guarded(this::drainInbox));
        } catch (RejectedExecutionException e) {
            // the loop is closed: nothing reads the inbox any more
            inbox.clear();
            queued.set(0);
        }
    }

    /**
     * On the loop: every datagram handed over so far, in the order received. A timer runs it
     * before it acts, since the loop runs its tasks by deadline: a datagram handed over late
     * (the receive thread and the loop both held up) would otherwise wait behind the timer it
     * should have reset.
     */
    private void drainInbox() {
        Runnable receive;
        while ((receive = inbox.poll()) != null) {
            queued.decrementAndGet();
            if (stopped) {
                continue;
            }
            try {
                receive.run();
            } catch (RuntimeException e) {
                LOG.error("{}: VRRP event failed", name, e);
            }
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
            drainInbox();
            group.onTimer(loop.nanoTime());
        }));
    }

    /**
     * Before a timer acts, the advertisements already received, into the inbox: after a pause of
     * the process (a garbage collection, a starved CPU) the timer and the receive thread wake
     * together, and a master whose advertisements sat in the socket, or in the receive thread's
     * hands, all along must not be taken for silent because the timer ran first.
     */
    private void receivePending() {
        try {
            io.receivePending(this::onDatagram);
        } catch (IOException | RuntimeException e) {
            failures.failed("receiving the waiting VRRP datagrams", e, null);
        }
    }

    private static void cancel(VrrpLoop.Timer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }

    private void publish() {
        status = snapshot.take();
    }
}
