package io.hactl.sync.engine;

import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.ctnetlink.FakeNetlinkSocket;
import io.hactl.sync.ctnetlink.InMemoryConntrackKernel;
import io.hactl.sync.ctnetlink.NetlinkException;
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

    /** An in-memory conntrack table (tests). */
    static KernelAccess inMemory(InMemoryConntrackKernel kernel) {
        return new KernelAccess() {
            @Override
            public ConntrackEvents openEvents(int receiveBuffer, DecodeStats stats) throws NetlinkException {
                FakeNetlinkSocket s = kernel.openSocket();
                s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
                s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_UPDATE);
                s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_DESTROY);
                ConntrackEvents.sizeReceiveBuffer(s, receiveBuffer);
                s.setReceiveTimeout(EVENT_POLL);
                s.setBlocking(true);
                return new ConntrackEvents(s, stats);
            }

            @Override
            public Conntrack openConntrack(DecodeStats stats) {
                return new Conntrack(kernel.openSocket(), stats);
            }
        };
    }
}
