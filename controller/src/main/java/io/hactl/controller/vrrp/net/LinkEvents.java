package io.hactl.controller.vrrp.net;

import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.JnaNetlinkSocket;
import io.hactl.sync.netlink.NetlinkException;
import java.nio.ByteBuffer;

/**
 * The kernel's link notifications (rtnetlink group RTNLGRP_LINK) in the calling thread's network
 * namespace. The VRRP receive thread waits on this socket together with the VRRP sockets, so
 * that an interface going down is known at once (its sync group goes to FAULT and stops
 * advertising on every link, and the backup takes the whole group over) instead of at the next
 * periodic read of the links. What a notification says is not parsed: any of them has every
 * link read again. Used by one thread.
 */
final class LinkEvents implements AutoCloseable {
    /** linux/rtnetlink.h: RTNLGRP_LINK. */
    static final int RTNLGRP_LINK = 1;
    /** Reads per {@link #drain} at most: a flood of notifications does not hold the thread. */
    private static final int MAX_READS = 64;
    /** A notification is one message of a page or two; a longer one is read and dropped all the same. */
    private static final int BUFFER = 16 * 1024;

    private final JnaNetlinkSocket socket;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);

    private LinkEvents(JnaNetlinkSocket socket) {
        this.socket = socket;
    }

    static LinkEvents open() throws NetException {
        try {
            return new LinkEvents(JnaNetlinkSocket.route(RTNLGRP_LINK));
        } catch (NetlinkException e) {
            throw new NetException("link notifications: " + e.getMessage(), e.errno());
        }
    }

    /** For poll(2). */
    int fd() {
        return socket.fd();
    }

    /**
     * Reads what waits, without blocking; true when anything did. An overrun (ENOBUFS) counts
     * too: notifications were lost, so the links may have changed; so does one too long for the
     * buffer (EMSGSIZE), read all the same.
     */
    boolean drain() throws NetException {
        boolean any = false;
        for (int i = 0; i < MAX_READS; i++) {
            try {
                if (!socket.receiveNow(buffer)) {
                    return any;
                }
                any = true;
            } catch (NetlinkException e) {
                if (e.errno() != Errno.ENOBUFS && e.errno() != Errno.EINTR && e.errno() != Errno.EMSGSIZE) {
                    throw new NetException("link notifications: " + e.getMessage(), e.errno());
                }
                any = true;
            }
        }
        return any;
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "link notifications";
    }
}
