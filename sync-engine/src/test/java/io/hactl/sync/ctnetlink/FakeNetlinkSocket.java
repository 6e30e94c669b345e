package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NetlinkSocket;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A NETLINK_NETFILTER socket of an {@link InMemoryConntrackKernel}. Requests go to the fake
 * kernel within {@link #send}; answers and events wait in a bounded receive queue that
 * overflows the way the kernel's does.
 *
 * <p>Overflow, as in {@code netlink_overrun()} (net/netlink/af_netlink.c): the datagram is
 * dropped, the socket becomes congested and the next receive fails once with ENOBUFS; while
 * congested every further datagram is dropped too, until a receive leaves the queue empty. With
 * NETLINK_NO_ENOBUFS set the drop is silent. The queue is bounded by the receive buffer size
 * (each datagram charged its length plus {@link #SKB_OVERHEAD}) or, when set, by
 * {@link #setQueueLimit} datagrams.
 *
 * <p>Never blocks: {@link #receive} on an empty queue fails with EAGAIN at once, as if the
 * receive timeout had passed. Its {@link #fd} is an eventfd, readable while a receive would find
 * a datagram or an overrun, so that an event loop can watch it as it watches a kernel socket.
 * All state is guarded by the kernel's lock.
 */
public final class FakeNetlinkSocket implements NetlinkSocket {
    /** net.core.rmem_default of a stock kernel: the receive buffer before any setsockopt. */
    public static final int DEFAULT_RECEIVE_BUFFER = 212_992;
    /** SOCK_MIN_RCVBUF (include/net/sock.h, 64-bit): the kernel never goes below it. */
    static final int MIN_RECEIVE_BUFFER = 2304;
    /** What a queued datagram costs beyond its bytes: roughly the sk_buff truesize overhead. */
    static final int SKB_OVERHEAD = 512;

    private final InMemoryConntrackKernel kernel;
    private final int portId;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private final Set<Integer> groups = new TreeSet<>();
    private final Map<Integer, Boolean> options = new HashMap<>();
    private long queuedBytes;
    private int receiveBuffer = DEFAULT_RECEIVE_BUFFER;
    private int queueLimit;
    private boolean congested;
    private boolean pendingOverrun;
    private long drops;
    private Duration receiveTimeout = Duration.ZERO;
    private boolean closed;
    private FileDescriptor readiness;
    private boolean signalled;

    FakeNetlinkSocket(InMemoryConntrackKernel kernel, int portId) {
        this.kernel = kernel;
        this.portId = portId;
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public int fd() {
        synchronized (kernel) {
            if (readiness == null) {
                readiness = Native.newEventFd();
                updateReadiness();
            }
            return readiness.intValue();
        }
    }

    /** The eventfd readable exactly while a receive has something to give (under the kernel's lock). */
    private void updateReadiness() {
        if (readiness == null || closed) {
            return;
        }
        boolean ready = !queue.isEmpty() || pendingOverrun;
        if (ready != signalled) {
            if (ready) {
                Native.eventFdWrite(readiness.intValue(), 1);
            } else {
                Native.eventFdRead(readiness.intValue());
            }
            signalled = ready;
        }
    }

    @Override
    public void leaveGroup(int group) throws NetlinkException {
        synchronized (kernel) {
            ensureOpen("setsockopt(NETLINK_DROP_MEMBERSHIP " + group + ")");
            groups.remove(group);
        }
    }

    @Override
    public void joinGroup(int group) throws NetlinkException {
        synchronized (kernel) {
            ensureOpen("setsockopt(NETLINK_ADD_MEMBERSHIP " + group + ")");
            if (group < 1 || group > 32) {
                throw new NetlinkException("setsockopt(NETLINK_ADD_MEMBERSHIP " + group + ")", Errno.EINVAL);
            }
            groups.add(group);
        }
    }

    @Override
    public void setNetlinkOption(int option, boolean enabled) throws NetlinkException {
        synchronized (kernel) {
            ensureOpen("setsockopt(SOL_NETLINK " + option + ")");
            options.put(option, enabled);
        }
    }

    /** Whether a boolean SOL_NETLINK option was last set on (false when never set). */
    public boolean netlinkOption(int option) {
        synchronized (kernel) {
            return options.getOrDefault(option, false);
        }
    }

    @Override
    public int setReceiveBufferSize(int bytes) throws NetlinkException {
        synchronized (kernel) {
            ensureOpen("setsockopt(SO_RCVBUFFORCE)");
            // sock_setsockopt: sk_rcvbuf = max(val * 2, SOCK_MIN_RCVBUF)
            receiveBuffer = (int) Math.min(Integer.MAX_VALUE, Math.max(2L * Math.max(0, bytes), MIN_RECEIVE_BUFFER));
            return receiveBuffer;
        }
    }

    @Override
    public int receiveBufferSize() throws NetlinkException {
        synchronized (kernel) {
            ensureOpen("getsockopt(SO_RCVBUF)");
            return receiveBuffer;
        }
    }

    /**
     * Bounds the receive queue to this many datagrams instead of the receive buffer's bytes,
     * so a test can overflow it at an exact point; 0 goes back to the byte budget.
     */
    public void setQueueLimit(int datagrams) {
        if (datagrams < 0) {
            throw new IllegalArgumentException("queue limit " + datagrams + " is negative");
        }
        synchronized (kernel) {
            queueLimit = datagrams;
        }
    }

    @Override
    public void setReceiveTimeout(Duration timeout) throws NetlinkException {
        synchronized (kernel) {
            ensureOpen("setsockopt(SO_RCVTIMEO)");
            receiveTimeout = timeout;
        }
    }

    /** The receive timeout last set. */
    public Duration receiveTimeout() {
        synchronized (kernel) {
            return receiveTimeout;
        }
    }

    @Override
    public void send(ByteBuffer messages) throws NetlinkException {
        synchronized (kernel) {
            ensureOpen("send");
            kernel.handleRequests(this, messages);
        }
    }

    @Override
    public void receive(ByteBuffer into) throws NetlinkException {
        synchronized (kernel) {
            ensureOpen("recv");
            try {
                if (pendingOverrun) {
                    pendingOverrun = false;
                    throw new NetlinkException("recv", Errno.ENOBUFS, drops + " datagrams dropped so far");
                }
                byte[] d = queue.poll();
                if (d == null) {
                    throw new NetlinkException("recv", Errno.EAGAIN, "nothing queued (this socket never waits)");
                }
                queuedBytes -= charge(d);
                if (d.length > into.capacity()) {
                    throw new NetlinkException("recv", Errno.EMSGSIZE,
                            "datagram of " + d.length + " bytes exceeds buffer of " + into.capacity());
                }
                into.clear();
                into.put(d);
                into.flip();
                into.order(ByteOrder.nativeOrder());
            } finally {
                // netlink_rcv_wake(): an emptied queue ends the congestion
                if (queue.isEmpty()) {
                    congested = false;
                }
                updateReadiness();
            }
        }
    }

    @Override
    public boolean receiveNow(ByteBuffer into) throws NetlinkException {
        try {
            receive(into);
            return true;
        } catch (NetlinkException e) {
            if (e.isTimeout()) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        synchronized (kernel) {
            if (!closed) {
                closed = true;
                queue.clear();
                queuedBytes = 0;
                kernel.forget(this);
                if (readiness != null) {
                    try {
                        readiness.close();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- seen by tests

    /** Datagrams waiting to be received. */
    public int queued() {
        synchronized (kernel) {
            return queue.size();
        }
    }

    /** Datagrams dropped because the queue was full or congested (the kernel's sk_drops). */
    public long drops() {
        synchronized (kernel) {
            return drops;
        }
    }

    public Set<Integer> groups() {
        synchronized (kernel) {
            return Set.copyOf(groups);
        }
    }

    public boolean isClosed() {
        synchronized (kernel) {
            return closed;
        }
    }

    // ---------------------------------------------------------------- used by the kernel, under its lock

    boolean inGroup(int group) {
        return !closed && groups.contains(group);
    }

    /**
     * Queues a datagram for this socket. {@code bounded} is false for the parts of a dump, which
     * the kernel only produces as the reader makes room, so they never overrun.
     */
    boolean deliver(byte[] datagram, boolean bounded) {
        if (closed) {
            return false;
        }
        if (bounded && (congested || full())) {
            overrun();
            return false;
        }
        queue.add(datagram);
        queuedBytes += charge(datagram);
        updateReadiness();
        return true;
    }

    private boolean full() {
        if (queueLimit > 0) {
            return queue.size() >= queueLimit;
        }
        // netlink_broadcast_deliver / netlink_attachskb: refused once sk_rmem_alloc > sk_rcvbuf
        return queuedBytes > receiveBuffer;
    }

    private void overrun() {
        drops++;
        if (!options.getOrDefault(Netlink.NETLINK_NO_ENOBUFS, false) && !congested) {
            congested = true;
            pendingOverrun = true;
            updateReadiness();
        }
    }

    private static long charge(byte[] datagram) {
        return datagram.length + SKB_OVERHEAD;
    }

    private void ensureOpen(String what) throws NetlinkException {
        if (closed) {
            throw new NetlinkException(what, Errno.EBADF, "socket closed");
        }
    }

    @Override
    public String toString() {
        return "FakeNetlinkSocket[port " + portId + "]";
    }
}
