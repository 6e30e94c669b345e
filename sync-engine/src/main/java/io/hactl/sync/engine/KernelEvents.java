package io.hactl.sync.engine;

import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.netlink.NetlinkException;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the kernel's conntrack events on the engine's loop: the event socket is one more file
 * descriptor in the loop's epoll set, so the thread that applies a burst to the cache and sends
 * it to the peer is the one that reads it, with no hand-over between threads (a wakeup, a queue
 * and a sleep per batch) and no decoded events waiting on the heap for a busy loop: a burst the
 * loop has not caught up with waits in the socket's buffer, as the kernel's bytes.
 *
 * <p>When epoll reports the socket readable (edge-triggered) a read is queued as a task of the
 * loop, not done at once: tasks queued before the events arrived (a commit recording what it
 * wrote, say) run first, as they did when a reader thread queued its batches behind them. One read
 * applies at most about {@link #MAX_BATCH} events; when more are queued it queues itself again,
 * behind what the loop was given meanwhile. On an overrun the socket buffer grows (up to a limit)
 * and the loss is reported once the queue has drained ({@link EventOverruns}), so the engine
 * schedules a resync from the kernel.
 */
final class KernelEvents implements EpollIoHandle {
    private static final Logger LOG = LoggerFactory.getLogger(KernelEvents.class);
    /**
     * Most events applied in one pass, each pass followed by the link's pump: the first events
     * of a burst leave for the peer before the rest are read (at 50,000 changes/s, passes of 256
     * gave a replication lag p99 of 7-9 ms where passes of 1,024 gave 10-13, for the same CPU).
     * Few decoded flows at a time also means a young collection finds them dead rather than
     * copying them into the old generation. A receive may add up to
     * {@link ConntrackEvents#DATAGRAMS_PER_RECEIVE} - 1 events beyond it.
     */
    static final int MAX_BATCH = 256;
    /** Receives in a row that bring no event (each an overrun's error) before a pass ends anyway. */
    private static final int MAX_EMPTY_RECEIVES = 4;

    /** Where the events go, on the loop. */
    interface Sink {
        /** A batch of events, in the kernel's order. */
        void apply(List<FlowEvent> batch);

        /** Events were lost and the queue has drained since (or stayed congested too long). */
        void lost();
    }

    private final String node;
    private final ConntrackEvents events;
    private final int maxBuffer;
    private final Sink sink;
    private final LongSupplier clock;
    private final FileDescriptor fd;
    private final EventOverruns overruns = new EventOverruns();
    private final List<FlowEvent> batch = new ArrayList<>();
    private boolean lost;
    private final ConntrackEvents.Listener listener = new ConntrackEvents.Listener() {
        @Override
        public void onEvent(FlowEvent event) {
            batch.add(event);
        }

        @Override
        public void onOverrun() {
            lost = true;
        }
    };
    private FatalErrors fatal;
    private IoEventLoop loop;
    private IoRegistration registration;
    private final Runnable readTask = this::readTask;
    private boolean readQueued;

    KernelEvents(String node, ConntrackEvents events, int maxBuffer, Sink sink, LongSupplier clock) {
        this.node = node;
        this.events = events;
        this.maxBuffer = maxBuffer;
        this.sink = sink;
        this.clock = clock;
        this.fd = new FileDescriptor(events.socket().fd());
    }

    /** Starts reading on {@code loop}; an Error met while reading goes to {@code fatal}. */
    void register(IoEventLoop loop, FatalErrors fatal) {
        this.loop = loop;
        this.fatal = fatal;
        IoRegistration r = loop.register(this).syncUninterruptibly().getNow();
        loop.submit(() -> {
            registration = r;
            r.submit(EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLET));
            queueRead(); // what came before the registration makes no edge
            return null;
        }).syncUninterruptibly();
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration r, IoEvent event) {
        queueRead();
    }

    private void queueRead() {
        if (!readQueued) {
            readQueued = true;
            loop.execute(readTask);
        }
    }

    private void readTask() {
        readQueued = false;
        if (registration == null) {
            return; // stopped
        }
        try {
            if (!read()) {
                queueRead(); // more is queued: read on after what the loop was given meanwhile
            }
        } catch (NetlinkException e) {
            LOG.error("{}: reading kernel events failed, they are no longer read: {}", node, e.getMessage());
            cancel();
        } catch (RuntimeException e) {
            LOG.error("{}: applying kernel events failed", node, e); // the loop goes on; the next events still come
            queueRead();
        } catch (Error e) {
            fatal.check("event loop", e);
            throw e;
        }
    }

    /**
     * One pass: receives what is queued, up to about {@link #MAX_BATCH} events, hands them to the
     * sink, then deals with an overrun met on the way. Never waits. Returns whether it found the
     * socket empty.
     */
    boolean read() throws NetlinkException {
        int empty = 0;
        try {
            while (batch.size() < MAX_BATCH) {
                if (events.pollNow(listener) == 0
                        && (!lost || events.foundEmpty() || ++empty == MAX_EMPTY_RECEIVES)) {
                    break; // empty (an overrun's receive brings nothing but the error: read on)
                }
            }
            if (!batch.isEmpty()) {
                sink.apply(batch);
            }
        } finally {
            batch.clear();
        }
        if (lost) {
            lost = false;
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
            sink.lost();
        }
        return events.foundEmpty();
    }

    private void cancel() {
        if (registration != null) {
            try {
                registration.cancel();
            } catch (Exception e) {
                LOG.debug("{}: unregistering the event socket: {}", node, e.toString());
            }
            registration = null;
        }
    }

    /** The loop ends with the engine: nothing to release but the registration, which it drops. */
    @Override
    public void close() {
    }

    /** Stops reading (from any thread) and closes the event socket. */
    void stop() {
        if (loop != null && loop.inEventLoop()) {
            cancel();
        } else if (loop != null && !loop.isShuttingDown()) {
            try {
                loop.submit(this::cancel).await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.debug("{}: the loop ended before the event socket was unregistered: {}", node, e.toString());
            }
        }
        events.close();
    }
}
