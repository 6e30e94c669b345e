package io.hactl.sync.engine;

import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.netlink.NetlinkException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that reads the kernel's conntrack events and hands them, in batches, to the engine's
 * event loop. On an overrun it grows the socket buffer (up to a limit) and reports it, so the
 * engine schedules a resync from the kernel.
 */
final class KernelEvents implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelEvents.class);
    private static final int MAX_BATCH = 4096;
    /**
     * How long the reader waits for more once it has events: long enough for a burst to go in
     * large batches, short enough that a lone event is not held back.
     */
    static final java.time.Duration GATHER = java.time.Duration.ofMillis(1);

    private final String node;
    private final ConntrackEvents events;
    private final int maxBuffer;
    private final Consumer<List<FlowEvent>> batches;
    private final Runnable overrun;
    private volatile boolean running = true;
    private final Thread thread;

    private final java.time.Duration idlePoll;

    /** {@code idlePoll}: the events socket's receive timeout, restored after each batch. */
    KernelEvents(String node, ConntrackEvents events, java.time.Duration idlePoll, int maxBuffer,
                 Consumer<List<FlowEvent>> batches, Runnable overrun) {
        this.node = node;
        this.idlePoll = idlePoll;
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
                if (n > 0) {
                    // keep reading, up to a batch, before waking the loop, but wait for more only
                    // briefly: with the idle poll timeout a burst's last events (or a lone event)
                    // would sit out the whole of it (SO_RCVTIMEO, switched per batch)
                    events.socket().setReceiveTimeout(GATHER);
                    try {
                        while (n > 0 && batch.size() < MAX_BATCH && running) {
                            n = events.poll(listener);
                        }
                    } finally {
                        events.socket().setReceiveTimeout(idlePoll);
                    }
                }
            } catch (NetlinkException e) {
                if (running) {
                    LOG.error("{}: reading kernel events failed: {}", node, e.getMessage());
                }
                break;
            }
            if (!batch.isEmpty()) {
                batches.accept(new ArrayList<>(batch));
                batch.clear();
            }
            if (lost[0]) {
                lost[0] = false;
                try {
                    int size = events.growReceiveBuffer(maxBuffer);
                    LOG.warn("{}: kernel events lost (netlink overrun); event buffer now {} bytes, resync scheduled",
                            node, size);
                } catch (NetlinkException e) {
                    LOG.warn("{}: kernel events lost; cannot grow the event buffer: {}", node, e.getMessage());
                }
                overrun.run();
            }
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
