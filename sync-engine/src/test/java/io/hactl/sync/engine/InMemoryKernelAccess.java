package io.hactl.sync.engine;

import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.ctnetlink.FakeNetlinkSocket;
import io.hactl.sync.ctnetlink.InMemoryConntrackKernel;
import io.hactl.sync.netlink.NetlinkException;

/** An engine's conntrack sockets on an in-memory table instead of the kernel. */
public final class InMemoryKernelAccess implements KernelAccess {
    private final InMemoryConntrackKernel kernel;

    public InMemoryKernelAccess(InMemoryConntrackKernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public ConntrackEvents openEvents(int receiveBuffer, DecodeStats stats) throws NetlinkException {
        FakeNetlinkSocket s = kernel.openSocket();
        s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
        s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_UPDATE);
        s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_DESTROY);
        ConntrackEvents.sizeReceiveBuffer(s, receiveBuffer);
        return new ConntrackEvents(s, stats);
    }

    @Override
    public Conntrack openConntrack(DecodeStats stats) {
        return new Conntrack(kernel.openSocket(), stats);
    }
}
