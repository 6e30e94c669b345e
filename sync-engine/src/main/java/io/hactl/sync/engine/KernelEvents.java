package io.hactl.sync.engine;

import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.netlink.NetlinkException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that reads the kernel's conntrack events and hands them, in batches, to the engine's
 * event loop. On an overrun it grows the socket buffer (up to a limit) and reports it once the
 * queue has drained ({@link EventOverruns}), so the engine schedules a resync from the kernel.
 */
final class KernelEvents implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelEvents.class);
    /** Most events handed to the loop at once, so that one batch is a few milliseconds of loop work. */
    private static final int MAX_BATCH = 4096;

    private final String node;
    private final ConntrackEvents events;
    private final int maxBuffer;
    private final Consumer<List<FlowEvent>> batches;
    private final Runnable overrun;
    private final LongSupplier clock;
    private final EventOverruns overruns = new EventOverruns();
    private volatile boolean running = true;
    private final Thread thread;

    /**
     * {@code events}: its socket's receive timeout bounds how long a poll waits when nothing comes
     * (so that {@link #stop} is noticed).
     */
    KernelEvents(String node, ConntrackEvents events, int maxBuffer, Consumer<List<FlowEvent>> batches,
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
                handOver(batch, lost);
            } catch (RejectedExecutionException e) {
                if (running) {
                    LOG.error("{}: the engine's loop has ended: kernel events are no longer read", node);
                }
                break;
            }
        }
    }

    /** The batch read, then the overrun if one was met, to the loop. */
    private void handOver(List<FlowEvent> batch, boolean[] lost) {
        if (!batch.isEmpty()) {
            batches.accept(new ArrayList<>(batch));
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
