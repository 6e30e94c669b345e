package io.hactl.sync.netlink;

import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A netlink socket of one family (NETLINK_NETFILTER, NETLINK_ROUTE, ...). The real one
 * ({@link JnaNetlinkSocket}) talks to the kernel; in unit tests an in-memory one (sync-engine's
 * test fixtures) stands in for the kernel's ctnetlink.
 *
 * <p>Errors surface as {@link NetlinkException} carrying the errno and the operation. Not
 * thread-safe: one thread sends and receives on a socket.
 */
public interface NetlinkSocket extends AutoCloseable {

    /** The port id the kernel assigned at bind time (the {@code nlmsg_pid} of our requests' replies). */
    int portId();

    /**
     * The file descriptor an event loop watches (epoll): readable while a receive would find
     * something (a datagram, or an overrun to report). It stays the socket's: never closed by the
     * watcher.
     */
    int fd();

    /**
     * Asks the kernel to drop, before queueing, every message whose nlmsg_pid is {@code portId}:
     * on an event socket, the events our own writes cause (a socket filter). Returns false when
     * this socket cannot filter, so the caller must skip them itself.
     */
    default boolean dropMessagesFromPort(int portId) throws NetlinkException {
        return false;
    }

    /** Joins a multicast group ({@code NETLINK_ADD_MEMBERSHIP}), e.g. NFNLGRP_CONNTRACK_NEW. */
    void joinGroup(int group) throws NetlinkException;

    /** Leaves a multicast group ({@code NETLINK_DROP_MEMBERSHIP}). */
    void leaveGroup(int group) throws NetlinkException;

    /** Sets a boolean SOL_NETLINK option such as NETLINK_NO_ENOBUFS or NETLINK_BROADCAST_ERROR. */
    void setNetlinkOption(int option, boolean enabled) throws NetlinkException;

    /**
     * Sizes the receive buffer: SO_RCVBUFFORCE first (needs CAP_NET_ADMIN, ignores rmem_max),
     * then SO_RCVBUF. Returns the size the kernel reports afterwards (it doubles the request).
     */
    int setReceiveBufferSize(int bytes) throws NetlinkException;

    int receiveBufferSize() throws NetlinkException;

    /** Blocks at most this long in {@link #receive}; zero means forever. */
    void setReceiveTimeout(Duration timeout) throws NetlinkException;

    /**
     * Sends the bytes between position and limit, which may hold many netlink messages, to the
     * kernel in one system call. The buffer's position moves to its limit.
     */
    void send(ByteBuffer messages) throws NetlinkException;

    /**
     * Receives one datagram (one or more netlink messages) into {@code into} from its position;
     * on return position is 0 and limit is the end of the datagram, in native byte order.
     * Throws NetlinkException with ENOBUFS when the kernel dropped messages for this socket
     * (buffer overrun) and EAGAIN when the receive timeout passed.
     */
    void receive(ByteBuffer into) throws NetlinkException;

    /**
     * As {@link #receive} but never waits: false at once when nothing is queued (no exception:
     * an event reader ends every drain so). The kernel answers a request within the send that
     * carried it, so after a send every answer that will ever come is already queued (or was
     * dropped in an overrun).
     */
    boolean receiveNow(ByteBuffer into) throws NetlinkException;

    /**
     * Receives up to {@code ends.length} datagrams into {@code into}, one after the other from
     * position 0: datagram {@code i} ends at {@code ends[i]}, where the next one begins. With
     * {@code wait} it waits for the first as {@link #receive} does (EAGAIN when the receive
     * timeout passes); without, it returns 0 at once when nothing is queued, as
     * {@link #receiveNow}. Datagrams after the first are taken only if already queued. An error
     * met after the first datagram (an overrun) is reported by the next call. On return position
     * is 0 and limit the end of the last datagram. Returns how many datagrams came.
     *
     * <p>This default takes one datagram per call; a socket of the real kernel takes all it can
     * in one system call.
     */
    default int receiveMany(ByteBuffer into, int[] ends, boolean wait) throws NetlinkException {
        if (wait) {
            receive(into);
        } else if (!receiveNow(into)) {
            return 0;
        }
        ends[0] = into.limit();
        return 1;
    }

    @Override
    void close();
}
