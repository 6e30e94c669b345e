package io.hactl.sync.engine;

import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.netlink.NetlinkException;
import java.time.Duration;

/** Where an engine's conntrack sockets come from: the kernel (ctnetlink), or an in-memory table. */
public interface KernelAccess {
    /** How long the event reader blocks when nothing arrives (it checks for shutdown in between). */
    Duration EVENT_POLL = Duration.ofMillis(100);

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
