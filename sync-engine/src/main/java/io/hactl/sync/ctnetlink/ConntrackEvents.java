package io.hactl.sync.ctnetlink;

import static io.hactl.sync.netlink.Netlink.*;
import static io.hactl.sync.sys.Sockets.*;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.JnaNetlinkSocket;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NetlinkSocket;
import io.hactl.sync.netlink.NlMsg;

import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Objects;

/**
 * A subscription to the kernel's conntrack events (NFNLGRP_CONNTRACK_NEW / UPDATE / DESTROY).
 *
 * <p>When the kernel cannot queue an event for this socket it drops it and the next receive fails
 * with ENOBUFS: that overrun is reported to the listener and counted, never swallowed, because
 * the caller's copy of the table is then stale and needs a resync from a dump.
 */
public final class ConntrackEvents implements AutoCloseable {

    /** Receives decoded events and overrun notices, on the polling thread. */
    public interface Listener {
        void onEvent(FlowEvent event);

        /** Events were lost; the listener should schedule a resync from a full dump. */
        void onOverrun();
    }

    /** Most datagrams (each one event) one receive takes: one system call instead of one each. */
    public static final int DATAGRAMS_PER_RECEIVE = 32;

    private final NetlinkSocket socket;
    private final DecodeStats stats;
    private final ByteBuffer rx = ByteBuffer.allocate(256 * 1024).order(ByteOrder.nativeOrder());
    private final int[] ends = new int[DATAGRAMS_PER_RECEIVE];
    private long overruns;
    private long events;
    private boolean foundEmpty;

    public ConntrackEvents(NetlinkSocket socket, DecodeStats stats) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /**
     * Subscribes to NEW, UPDATE and DESTROY events in the calling thread's network namespace.
     *
     * @param receiveBuffer bytes of socket buffer (as the kernel reports it)
     * @param reliable      NETLINK_BROADCAST_ERROR: the kernel learns of undelivered events (with
     *                      net.netfilter.nf_conntrack_events reliable delivery it retries them)
     * @param pollTimeout   longest a {@link #poll} blocks when nothing arrives
     */
    public static ConntrackEvents open(int receiveBuffer, boolean reliable, Duration pollTimeout, DecodeStats stats)
            throws NetlinkException {
        JnaNetlinkSocket s = JnaNetlinkSocket.netfilter(NFNLGRP_CONNTRACK_NEW, NFNLGRP_CONNTRACK_UPDATE,
                NFNLGRP_CONNTRACK_DESTROY);
        try {
            sizeReceiveBuffer(s, receiveBuffer);
            if (reliable) {
                s.setNetlinkOption(NETLINK_BROADCAST_ERROR, true);
            }
            s.setReceiveTimeout(pollTimeout);
        } catch (NetlinkException e) {
            s.close();
            throw e;
        }
        return new ConntrackEvents(s, stats);
    }

    public NetlinkSocket socket() {
        return socket;
    }

    /** Overruns (ENOBUFS) seen so far. */
    public long overruns() {
        return overruns;
    }

    /** Events delivered so far. */
    public long events() {
        return events;
    }

    /**
     * Receives the datagrams queued (waiting for the first, up to {@value #DATAGRAMS_PER_RECEIVE})
     * and delivers their events. Returns how many were delivered: 0 when the poll timeout passed
     * or after an overrun (which the listener has been told of).
     */
    public int poll(Listener listener) throws NetlinkException {
        return poll(listener, true);
    }

    /**
     * As {@link #poll} but never waits: returns 0 at once when nothing is queued. For draining
     * what has arrived since a blocking poll woke up, without holding events back for more.
     */
    public int pollNow(Listener listener) throws NetlinkException {
        return poll(listener, false);
    }

    /**
     * Whether the last poll found nothing queued. After an overrun the kernel reports the next
     * one only once the queue has drained (netlink_overrun reports while the socket is not yet
     * congested; netlink_rcv_wake clears that when a receive leaves the queue empty): until then
     * further events are lost silently, so a resync must not begin before this is true.
     */
    public boolean foundEmpty() {
        return foundEmpty;
    }

    private int poll(Listener listener, boolean wait) throws NetlinkException {
        foundEmpty = false;
        int datagrams;
        try {
            datagrams = socket.receiveMany(rx, ends, wait);
        } catch (NetlinkException e) {
            if (e.isOverrun()) {
                overruns++;
                listener.onOverrun();
                return 0;
            }
            if (e.isTimeout()) {
                foundEmpty = true;
                return 0;
            }
            throw e;
        }
        if (datagrams == 0) {
            foundEmpty = true;
            return 0;
        }
        int delivered = 0;
        int start = 0;
        for (int i = 0; i < datagrams; i++) {
            rx.limit(ends[i]);
            delivered += deliver(listener, start, ends[i]);
            start = ends[i];
        }
        events += delivered;
        return delivered;
    }

    /** Delivers the events of the datagram at {@code [start, end)} of the receive buffer (its limit at end). */
    private int deliver(Listener listener, int start, int end) {
        int delivered = 0;
        int off = start;
        while (off < end) {
            NlMsg msg;
            try {
                msg = Nfgenmsg.read(rx, off);
            } catch (DecodeException e) {
                stats.malformedMessages.incrementAndGet();
                break;
            }
            off = msg.next();
            FlowEvent.Type type = typeOf(msg);
            if (type == null) {
                stats.unexpectedMessages.incrementAndGet();
                continue;
            }
            Flow f;
            try {
                f = FlowCodec.decode(rx, msg.attrStart(), msg.end(), stats);
            } catch (DecodeException e) {
                stats.malformedMessages.incrementAndGet();
                continue;
            }
            listener.onEvent(new FlowEvent(type, f, msg.pid()));
            delivered++;
        }
        return delivered;
    }

    /**
     * Stops the kernel from sending NEW and UPDATE events to this socket until {@link #resume}.
     * With no listener left the kernel does not even build them, which makes a bulk write of
     * our own (a commit) several times cheaper; the caller resyncs from a dump afterwards.
     */
    public void pauseNewAndUpdate() throws NetlinkException {
        socket.leaveGroup(NFNLGRP_CONNTRACK_NEW);
        socket.leaveGroup(NFNLGRP_CONNTRACK_UPDATE);
    }

    public void resume() throws NetlinkException {
        socket.joinGroup(NFNLGRP_CONNTRACK_NEW);
        socket.joinGroup(NFNLGRP_CONNTRACK_UPDATE);
    }

    /**
     * Sizes a socket's receive buffer to hold {@code bytes}: the kernel stores twice what
     * setsockopt asks for (net/core/sock.c, sock_setsockopt SO_RCVBUF(FORCE):
     * {@code sk_rcvbuf = max(val * 2, SOCK_MIN_RCVBUF)}) and getsockopt reports that, so half is
     * asked for. Returns the size the kernel reports.
     */
    public static int sizeReceiveBuffer(NetlinkSocket socket, int bytes) throws NetlinkException {
        return socket.setReceiveBufferSize(Math.max(1, bytes / 2));
    }

    /**
     * Doubles the receive buffer (after an overrun), never past {@code max} bytes as the kernel
     * reports them. Returns the size now.
     */
    public int growReceiveBuffer(int max) throws NetlinkException {
        int current = socket.receiveBufferSize();
        int want = (int) Math.min((long) max, 2L * current);
        if (want <= current) {
            return current;
        }
        return sizeReceiveBuffer(socket, want);
    }

    static FlowEvent.Type typeOf(NlMsg msg) {
        if (!Ctnl.isCtnetlink(msg.type())) {
            return null;
        }
        return switch (Ctnl.ctType(msg.type())) {
            case IPCTNL_MSG_CT_NEW -> (msg.flags() & (NLM_F_CREATE | NLM_F_EXCL)) != 0
                    ? FlowEvent.Type.NEW : FlowEvent.Type.UPDATE;
            case IPCTNL_MSG_CT_DELETE -> FlowEvent.Type.DESTROY;
            default -> null;
        };
    }

    @Override
    public void close() {
        socket.close();
    }
}
