package io.hactl.sync.engine;

import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.netlink.NetlinkException;
import java.time.Duration;

/** Where an engine's conntrack sockets come from: the kernel (ctnetlink), or an in-memory table. */
public interface KernelAccess {
    /**
     * Longest a blocking poll of the event socket waits. The engine never blocks on it (its loop
     * reads when epoll says the socket is readable); this bounds any other reader.
     */
    Duration EVENT_POLL = Duration.ofMillis(100);

    /** The event subscription; its socket's {@link io.hactl.sync.netlink.NetlinkSocket#fd} goes into the engine's epoll set. */
    ConntrackEvents openEvents(int receiveBuffer, DecodeStats stats) throws NetlinkException;

    Conntrack openConntrack(DecodeStats stats) throws NetlinkException;

    /** The kernel of the calling thread's network namespace. */
    KernelAccess NETLINK = new KernelAccess() {
        @Override
        public ConntrackEvents openEvents(int receiveBuffer, DecodeStats stats) throws NetlinkException {
            return ConntrackEvents.open(receiveBuffer, false, EVENT_POLL, stats);
        }

        @Override
        public Conntrack openConntrack(DecodeStats stats) throws NetlinkException {
            return Conntrack.open(stats);
        }
    };
}
