package io.hactl.sync.engine;

import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.netlink.NetlinkException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that reads the kernel's conntrack events and hands them, in batches, to the engine's
 * event loop. On an overrun it grows the socket buffer (up to a limit) and reports it once the
 * queue has drained ({@link EventOverruns}), so the engine schedules a resync from the kernel.
 *
 * <p>It reads no further ahead of the loop than {@link #MAX_IN_FLIGHT} batches: a burst the loop
 * has not caught up with waits in the socket's buffer, as the kernel's bytes, rather than on the
 * heap as decoded flows. Decoded and queued, a burst of new flows would outlive the young
 * collections and fill the old generation, and the full collections that follow stop every
 * thread of the daemon, hactl's VRRP adverts among them, for 100 ms and more.
 */
final class KernelEvents implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelEvents.class);
    /**
     * Most events handed to the loop at once: a millisecond or two of loop work, and with
     * {@link #MAX_IN_FLIGHT} batches few enough decoded flows (about 1.5 MB) that a young
     * collection mostly finds them dead rather than copying them into the old generation.
     * Smaller batches cost the loop more per event (each pass pumps and flushes the link). A
     * receive may add up to {@link ConntrackEvents#DATAGRAMS_PER_RECEIVE} - 1 events beyond it.
     */
    private static final int MAX_BATCH = 1024;
    /** Batches read and not yet applied by the loop, at most: one applied while the next is read. */
    static final int MAX_IN_FLIGHT = 2;

    /** Where the batches go: {@code applied} runs once the loop has applied the batch. */
    interface BatchSink {
        void accept(List<FlowEvent> batch, Runnable applied);
    }

    private final String node;
    private final ConntrackEvents events;
    private final int maxBuffer;
    private final BatchSink batches;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Runnable overrun;
    private final LongSupplier clock;
    private final EventOverruns overruns = new EventOverruns();
    private volatile boolean running = true;
    private final Thread thread;

    /**
     * {@code events}: its socket's receive timeout bounds how long a poll waits when nothing comes
     * (so that {@link #stop} is noticed).
     */
    KernelEvents(String node, ConntrackEvents events, int maxBuffer, BatchSink batches,
                 Runnable overrun, LongSupplier clock) {
        this.node = node;
        this.clock = clock;
        this.events = events;
        this.maxBuffer = maxBuffer;
        this.batches = batches;
        this.overrun = overrun;
        this.thread = new Thread(this, "hactl-events-" + node);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        List<FlowEvent> batch = new ArrayList<>();
        boolean[] lost = {false};
        ConntrackEvents.Listener listener = new ConntrackEvents.Listener() {
            @Override
            public void onEvent(FlowEvent event) {
                batch.add(event);
            }

            @Override
            public void onOverrun() {
                lost[0] = true;
            }
        };
        while (running) {
            if (!awaitRoom()) {
                break;
            }
            try {
                int n = events.poll(listener);
                // then what is queued already, without waiting for more: the batch leaves as soon
                // as the socket is empty. While the loop works on it the next events queue up, so
                // batches grow with the load by themselves; a wait for stragglers would hold every
                // batch back by a timer tick (SO_RCVTIMEO counts in jiffies: 4 ms at HZ=250).
                while (n > 0 && batch.size() < MAX_BATCH && running) {
                    n = events.pollNow(listener);
                }
            } catch (NetlinkException e) {
                if (running) {
                    LOG.error("{}: reading kernel events failed: {}", node, e.getMessage());
                }
                break;
            }
            try {
                if (!handOver(batch, lost)) {
                    inFlight.release(); // nothing came: the room is free again
                }
            } catch (RejectedExecutionException e) {
                if (running) {
                    LOG.error("{}: the engine's loop has ended: kernel events are no longer read", node);
                }
                break;
            }
        }
    }

    /** Waits until the loop has room for another batch; false once stopped. */
    private boolean awaitRoom() {
        try {
            while (running) {
                if (inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** The batch read, then the overrun if one was met, to the loop; whether there was a batch. */
    private boolean handOver(List<FlowEvent> batch, boolean[] lost) {
        boolean handed = !batch.isEmpty();
        if (handed) {
            batches.accept(new ArrayList<>(batch), inFlight::release);
            batch.clear();
        }
        if (lost[0]) {
            lost[0] = false;
            overruns.lost(clock.getAsLong());
            try {
                int size = events.growReceiveBuffer(maxBuffer);
                LOG.warn("{}: kernel events lost (netlink overrun); event buffer now {} bytes, a resync follows"
                        + " once the queue has drained", node, size);
            } catch (NetlinkException e) {
                LOG.warn("{}: kernel events lost; cannot grow the event buffer: {}", node, e.getMessage());
            }
        }
        if (overruns.reportNow(events.foundEmpty(), clock.getAsLong())) {
            if (overruns.reportedWhileCongested()) {
                LOG.warn("{}: the event queue has not drained for {} s: resync now, and again once it has",
                        node, EventOverruns.CONGESTED_MAX.toSeconds());
            }
            overrun.run();
        }
        return handed;
    }

    ConntrackEvents events() {
        return events;
    }

    void stop() {
        running = false;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.close();
    }
}
