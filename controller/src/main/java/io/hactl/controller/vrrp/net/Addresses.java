package io.hactl.controller.vrrp.net;

import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.JnaNetlinkSocket;
import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NetlinkSocket;
import io.hactl.sync.netlink.NlMsg;
import io.hactl.sync.netlink.Rtnetlink;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Looks up interfaces and adds or removes the virtual addresses on them through rtnetlink, in
 * the network namespace where it was opened. Adding an address that is there and removing one
 * that is not are not errors (VRRP repeats them on every transition); any other refusal is a
 * {@link NetException} naming the address, the interface and the errno.
 *
 * <p>One request at a time, on the caller's thread; every wait for the kernel's answer is
 * bounded by {@link #ANSWER_TIMEOUT}. Not thread-safe.
 */
public final class Addresses implements AutoCloseable {
    /** The kernel answers a request within the send; this only bounds a lost answer. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    private final NetlinkSocket socket;
    private final AttrWriter writer = new AttrWriter(256);
    private final ByteBuffer rx = ByteBuffer.allocate(64 * 1024);
    private int seq;
    private int cursor; // next message in rx; 0: rx is used up

    Addresses(NetlinkSocket socket) throws NetlinkException {
        this.socket = Objects.requireNonNull(socket);
        socket.setReceiveTimeout(ANSWER_TIMEOUT);
    }

    /** A NETLINK_ROUTE socket in the calling thread's network namespace. */
    public static Addresses open() throws NetException {
        try {
            return new Addresses(JnaNetlinkSocket.route());
        } catch (NetlinkException e) {
            throw new NetException("rtnetlink socket", e.errno());
        }
    }

    /** The interface called {@code name}; ENODEV when there is none. */
    public Link link(String name) throws NetException {
        writer.clear();
        int s = ++seq;
        RtnlCodec.getLink(writer, s, name);
        String what = "RTM_GETLINK " + name;
        send(what);
        while (true) {
            NlMsg msg = answer(what, s, Rtnetlink.IFINFOMSG_LEN);
            if (msg.type() == Netlink.NLMSG_ERROR) {
                throw new NetException(what, msg.errno(rx));
            }
            if (msg.type() == Rtnetlink.RTM_NEWLINK) {
                try {
                    return RtnlCodec.decodeLink(rx, msg);
                } catch (DecodeException e) {
                    throw new NetException(what + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * Every address of {@code family} ({@code Sockets.AF_INET} or {@code AF_INET6}) on interface
     * {@code index}, in the kernel's order (IPv4: the primary address first).
     */
    public List<IfAddress> addresses(int index, int family) throws NetException {
        writer.clear();
        int s = ++seq;
        RtnlCodec.getAddresses(writer, s, family);
        String what = "RTM_GETADDR family " + family;
        send(what);
        List<IfAddress> out = new ArrayList<>();
        while (true) {
            NlMsg msg = answer(what, s, Rtnetlink.IFADDRMSG_LEN);
            if (msg.type() == Netlink.NLMSG_DONE) {
                return out;
            }
            if (msg.type() == Netlink.NLMSG_ERROR) {
                int errno = msg.errno(rx);
                if (errno != 0) {
                    drainDump(what, s);
                    throw new NetException(what, errno);
                }
                continue;
            }
            if (msg.type() == Rtnetlink.RTM_NEWADDR) {
                try {
                    IfAddress a = RtnlCodec.decodeAddress(rx, msg);
                    if (a.index() == index) {
                        out.add(a);
                    }
                } catch (DecodeException e) {
                    drainDump(what, s);
                    throw new NetException(what + ": " + e.getMessage());
                }
            }
        }
    }

    /** Reads the rest of dump {@code s} after a failure, so the next request starts clean. */
    private void drainDump(String what, int s) {
        try {
            while (true) {
                NlMsg msg = answer(what, s, Rtnetlink.IFADDRMSG_LEN);
                if (msg.type() == Netlink.NLMSG_DONE || msg.type() == Netlink.NLMSG_ERROR) {
                    return;
                }
            }
        } catch (NetException e) {
            // the answer() of the next request skips what is left of this one by its seq
        }
    }

    /**
     * Adds {@code address}/{@code prefixLength} to interface {@code index}; true when it was
     * added, false when it was there already (EEXIST).
     */
    public boolean add(int index, InetAddress address, int prefixLength) throws NetException {
        return change(true, index, address, prefixLength, Errno.EEXIST);
    }

    /**
     * Removes {@code address}/{@code prefixLength} from interface {@code index}; true when it was
     * removed, false when it was not there (EADDRNOTAVAIL).
     */
    public boolean remove(int index, InetAddress address, int prefixLength) throws NetException {
        return change(false, index, address, prefixLength, Errno.EADDRNOTAVAIL);
    }

    private boolean change(boolean add, int index, InetAddress address, int prefixLength, int harmless)
            throws NetException {
        writer.clear();
        int s = ++seq;
        RtnlCodec.address(writer, add, s, index, address, prefixLength);
        String what = (add ? "RTM_NEWADDR " : "RTM_DELADDR ") + address.getHostAddress() + "/" + prefixLength
                + " on interface " + index;
        send(what);
        while (true) {
            NlMsg msg = answer(what, s, Rtnetlink.IFADDRMSG_LEN);
            if (msg.type() == Netlink.NLMSG_ERROR) {
                int errno = msg.errno(rx);
                if (errno == 0) {
                    return true;
                }
                if (errno == harmless) {
                    return false;
                }
                throw new NetException(what, errno);
            }
        }
    }

    private void send(String what) throws NetException {
        try {
            socket.send(writer.flipped());
        } catch (NetlinkException e) {
            throw new NetException(what, e.errno());
        }
    }

    /**
     * The next message answering request {@code s}; answers to earlier requests (left over after
     * a timeout) are skipped. Reads a new datagram when the current one is used up.
     */
    private NlMsg answer(String what, int s, int familyHeaderLength) throws NetException {
        while (true) {
            if (cursor == 0 || cursor >= rx.limit()) {
                try {
                    socket.receive(rx);
                } catch (NetlinkException e) {
                    cursor = 0;
                    throw e.isTimeout()
                            ? new NetException(what + ": no answer from the kernel in " + ANSWER_TIMEOUT.toSeconds() + " s")
                            : new NetException(what, e.errno());
                }
                cursor = 0;
            }
            NlMsg msg;
            try {
                msg = NlMsg.read(rx, cursor, familyHeaderLength);
            } catch (DecodeException e) {
                cursor = 0;
                throw new NetException(what + ": " + e.getMessage());
            }
            cursor = msg.next() >= rx.limit() ? 0 : msg.next();
            if (msg.seq() == s) {
                return msg;
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
